#include "webenroll/scep/scep_message.hpp"

#include <charconv>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"

namespace pkilab::scep {

namespace {

constexpr const char* kWhere = "SCEP pkiMessage";

int registered_nid(const char* oid, const char* short_name, const char* long_name) {
    const int have = OBJ_txt2nid(oid);
    if (have != NID_undef) return have;
    const int nid = OBJ_create(oid, short_name, long_name);
    if (nid == NID_undef) ossl::throw_error(std::string("registering OID ") + oid);
    return nid;
}

Nids make_nids() {
    return Nids{
        registered_nid("2.16.840.1.113733.1.9.2", "messageType", "SCEP messageType"),
        registered_nid("2.16.840.1.113733.1.9.3", "pkiStatus", "SCEP pkiStatus"),
        registered_nid("2.16.840.1.113733.1.9.4", "failInfo", "SCEP failInfo"),
        registered_nid("2.16.840.1.113733.1.9.5", "senderNonce", "SCEP senderNonce"),
        registered_nid("2.16.840.1.113733.1.9.6", "recipientNonce", "SCEP recipientNonce"),
        registered_nid("2.16.840.1.113733.1.9.7", "transactionID", "SCEP transactionID"),
        registered_nid("1.3.6.1.5.5.7.24.1", "id-scep-failInfoText", "SCEP failInfoText"),
    };
}

using SignerInfo = PKCS7_SIGNER_INFO;
using X509StackView = STACK_OF(X509);

[[noreturn]] void refuse(const std::string& field, const std::string& problem, const std::string& hint = {}) {
    throw InputError(kWhere, field, problem, hint);
}

// Many devices and micromdm's scepclient 2.1 still encrypt their requests with single DES,
// which OpenSSL 3 keeps in its legacy provider: a library context of its own with the
// default and legacy providers decrypts those envelopes, and nothing else uses it (answers
// are encrypted with AES, see reply_cipher).
class LegacyContext {
public:
    LegacyContext() : ctx_(OSSL_LIB_CTX_new()) {
        if (ctx_ == nullptr) return;
        default_ = OSSL_PROVIDER_load(ctx_, "default");
        legacy_ = OSSL_PROVIDER_load(ctx_, "legacy");
        ERR_clear_error();  // a system without the legacy module decrypts DES with nothing
    }
    ~LegacyContext() {
        if (legacy_ != nullptr) OSSL_PROVIDER_unload(legacy_);
        if (default_ != nullptr) OSSL_PROVIDER_unload(default_);
        OSSL_LIB_CTX_free(ctx_);
    }
    LegacyContext(const LegacyContext&) = delete;
    LegacyContext& operator=(const LegacyContext&) = delete;
    OSSL_LIB_CTX* get() const { return default_ != nullptr && legacy_ != nullptr ? ctx_ : nullptr; }

private:
    OSSL_LIB_CTX* ctx_ = nullptr;
    OSSL_PROVIDER* default_ = nullptr;
    OSSL_PROVIDER* legacy_ = nullptr;
};

OSSL_LIB_CTX* legacy_context() {
    static const LegacyContext context;
    return context.get();
}

ossl::Pkcs7Ptr parse_pkcs7(ByteView der, const std::string& field, OSSL_LIB_CTX* libctx = nullptr) {
    if (der.empty()) refuse(field, "empty");
    if (der.size() > kMaxMessageBytes) refuse(field, "larger than " + std::to_string(kMaxMessageBytes) + " bytes");
    ossl::ErrorMark mark;
    const unsigned char* p = der.data();
    ossl::Pkcs7Ptr p7(PKCS7_new_ex(libctx, nullptr));
    if (!p7) ossl::throw_error("PKCS7_new_ex");
    PKCS7* into = p7.get();
    if (d2i_PKCS7(&into, &p, static_cast<long>(der.size())) == nullptr) {
        (void)p7.release();  // d2i freed it
        refuse(field, "not DER of a PKCS#7 / CMS ContentInfo");
    }
    if (p != der.data() + der.size()) refuse(field, "bytes after the ContentInfo");
    return p7;
}

SignerInfo* only_signer(PKCS7* p7, const std::string& field) {
    if (!PKCS7_type_is_signed(p7)) refuse(field, "not a SignedData");
    STACK_OF(PKCS7_SIGNER_INFO)* infos = PKCS7_get_signer_info(p7);
    if (infos == nullptr || sk_PKCS7_SIGNER_INFO_num(infos) != 1) refuse(field, "must have exactly one signer");
    return sk_PKCS7_SIGNER_INFO_value(infos, 0);
}

// A signed attribute of one of the string types, or nullopt when absent.
std::optional<std::string> string_attribute(SignerInfo* si, int nid, int type, const std::string& field) {
    ASN1_TYPE* t = PKCS7_get_signed_attribute(si, nid);
    if (t == nullptr) return std::nullopt;
    if (t->type != type) refuse(field, "has the wrong ASN.1 type");
    const ASN1_STRING* s = t->value.asn1_string;
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s)));
}

void add_string_attribute(SignerInfo* si, int nid, int type, std::string_view value) {
    ASN1_STRING* s = ASN1_STRING_type_new(type);
    if (s == nullptr || ASN1_STRING_set(s, value.data(), static_cast<int>(value.size())) != 1) {
        ASN1_STRING_free(s);
        ossl::throw_error("building a SCEP attribute");
    }
    if (PKCS7_add_signed_attribute(si, nid, type, s) != 1) {
        ASN1_STRING_free(s);
        ossl::throw_error("adding a SCEP attribute");
    }
}

Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes bio_bytes(BIO* bio) {
    BUF_MEM* mem = nullptr;
    BIO_get_mem_ptr(bio, &mem);
    if (mem == nullptr) return {};
    return Bytes(mem->data, mem->data + mem->length);
}

Bytes der_of(PKCS7* p7) {
    unsigned char* out = nullptr;
    const int len = i2d_PKCS7(p7, &out);
    if (len <= 0) ossl::throw_error("encoding PKCS#7");
    ossl::OsslBytesPtr owned(out);
    return Bytes(out, out + len);
}

// The SignedData with `content` as its data, signed by `cert`/`key` with `attributes` added.
template <class AddAttributes>
Bytes signed_data(ByteView content, const X509* cert, const EVP_PKEY* key, Time signed_at, AddAttributes&& add) {
    ossl::Pkcs7Ptr p7(ossl::check(PKCS7_new(), "PKCS7_new"));
    ossl::check(PKCS7_set_type(p7.get(), NID_pkcs7_signed), "PKCS7_set_type");
    SignerInfo* si = ossl::check(PKCS7_add_signature(p7.get(), const_cast<X509*>(cert), const_cast<EVP_PKEY*>(key), EVP_sha256()),
                                 "PKCS7_add_signature");
    ossl::check(PKCS7_add_certificate(p7.get(), const_cast<X509*>(cert)), "PKCS7_add_certificate");
    ossl::check(PKCS7_add_signed_attribute(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data)),
                "adding contentType");
    ossl::Asn1TimePtr when(ossl::check(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(signed_at)), "signingTime"));
    ossl::check(PKCS7_add0_attrib_signing_time(si, when.get()), "adding signingTime");
    (void)when.release();  // the attribute owns it now
    add(si);
    ossl::check(PKCS7_content_new(p7.get(), NID_pkcs7_data), "PKCS7_content_new");
    ossl::BioPtr bio(ossl::check(PKCS7_dataInit(p7.get(), nullptr), "PKCS7_dataInit"));
    if (!content.empty() && BIO_write(bio.get(), content.data(), static_cast<int>(content.size())) != static_cast<int>(content.size()))
        ossl::throw_error("writing the SignedData content");
    ossl::check(BIO_flush(bio.get()), "BIO_flush");
    ossl::check(PKCS7_dataFinal(p7.get(), bio.get()), "signing the SignedData");
    return der_of(p7.get());
}

Bytes envelope(ByteView content, const X509* recipient, const EVP_CIPHER* cipher) {
    ossl::X509StackPtr recipients(ossl::check(sk_X509_new_null(), "sk_X509_new_null"));
    ossl::X509Ptr copy = ossl::up_ref(const_cast<X509*>(recipient));
    ossl::check(sk_X509_push(recipients.get(), copy.get()), "sk_X509_push");
    (void)copy.release();
    ossl::BioPtr in(ossl::check(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())), "BIO_new_mem_buf"));
    ossl::Pkcs7Ptr env(PKCS7_encrypt(recipients.get(), in.get(), cipher, PKCS7_BINARY));
    if (!env) ossl::throw_error("encrypting the pkcsPKIEnvelope (the recipient needs an RSA key)");
    return der_of(env.get());
}

// Verifies the SignedData's signature with the certificate it carries, without judging that
// certificate (a self-signed one is the norm); the caller judges it. Returns the content.
std::optional<Bytes> verified_content(PKCS7* p7) {
    ossl::ErrorMark mark;
    ossl::BioPtr out(BIO_new(BIO_s_mem()));
    if (!out) return std::nullopt;
    if (PKCS7_verify(p7, nullptr, nullptr, nullptr, out.get(), PKCS7_NOVERIFY | PKCS7_BINARY) != 1) return std::nullopt;
    return bio_bytes(out.get());
}

X509* signer_certificate(PKCS7* p7) {
    ossl::ErrorMark mark;
    STACK_OF(X509)* signers = PKCS7_get0_signers(p7, nullptr, 0);
    if (signers == nullptr) return nullptr;
    X509* cert = sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : nullptr;
    sk_X509_free(signers);  // the certificates belong to p7
    return cert;
}

std::optional<Bytes> decrypt(ByteView der, const X509* cert, const EVP_PKEY* key, int& cipher_nid, std::string& problem) {
    ossl::Pkcs7Ptr env;
    try {
        env = parse_pkcs7(der, "pkcsPKIEnvelope");
        if (PKCS7_type_is_enveloped(env.get()) && env->d.enveloped->enc_data != nullptr &&
            env->d.enveloped->enc_data->algorithm != nullptr &&
            OBJ_obj2nid(env->d.enveloped->enc_data->algorithm->algorithm) == NID_des_cbc && legacy_context() != nullptr)
            env = parse_pkcs7(der, "pkcsPKIEnvelope", legacy_context());
    } catch (const InputError& e) {
        problem = e.what();
        return std::nullopt;
    }
    if (!PKCS7_type_is_enveloped(env.get())) {
        problem = "the signed content is not an EnvelopedData";
        return std::nullopt;
    }
    const PKCS7_ENC_CONTENT* enc = env->d.enveloped->enc_data;
    cipher_nid = enc != nullptr && enc->algorithm != nullptr ? OBJ_obj2nid(enc->algorithm->algorithm) : NID_undef;
    ossl::ErrorMark mark;
    ossl::BioPtr out(BIO_new(BIO_s_mem()));
    if (!out) ossl::throw_error("BIO_new");
    if (PKCS7_decrypt(env.get(), const_cast<EVP_PKEY*>(key), const_cast<X509*>(cert), out.get(), 0) != 1) {
        const unsigned long err = ERR_peek_last_error();
        const char* reason = err != 0 ? ERR_reason_error_string(err) : nullptr;
        const char* name = cipher_nid != NID_undef ? OBJ_nid2sn(cipher_nid) : "unknown cipher";
        problem = std::string("cannot decrypt the pkcsPKIEnvelope (") + name +
                  "; it must be encrypted to the RA certificate of GetCACert, with AES or 3DES): " +
                  (reason != nullptr ? reason : "error");
        return std::nullopt;
    }
    return bio_bytes(out.get());
}

}  // namespace

const char* to_string(MessageType t) {
    switch (t) {
        case MessageType::CertRep: return "CertRep";
        case MessageType::RenewalReq: return "RenewalReq";
        case MessageType::PkcsReq: return "PKCSReq";
        case MessageType::CertPoll: return "CertPoll";
        case MessageType::GetCert: return "GetCert";
        case MessageType::GetCrl: return "GetCRL";
    }
    return "?";
}

const char* to_string(FailInfo f) {
    switch (f) {
        case FailInfo::BadAlg: return "badAlg";
        case FailInfo::BadMessageCheck: return "badMessageCheck";
        case FailInfo::BadRequest: return "badRequest";
        case FailInfo::BadTime: return "badTime";
        case FailInfo::BadCertId: return "badCertId";
    }
    return "?";
}

const Nids& nids() {
    static const Nids registered = make_nids();  // OpenSSL's object table is process-wide anyway
    return registered;
}

Bytes random_nonce() {
    Bytes nonce(kNonceBytes);
    ossl::check(RAND_bytes(nonce.data(), static_cast<int>(nonce.size())), "RAND_bytes");
    return nonce;
}

const EVP_CIPHER* reply_cipher(int request_cipher_nid) {
    switch (request_cipher_nid) {
        case NID_aes_128_cbc: return EVP_aes_128_cbc();
        case NID_aes_192_cbc: return EVP_aes_192_cbc();
        case NID_aes_256_cbc: return EVP_aes_256_cbc();
        case NID_des_ede3_cbc: return EVP_des_ede3_cbc();
        default: return EVP_aes_256_cbc();
    }
}

PkiMessage read_pki_message(ByteView der, const X509* ra_cert, const EVP_PKEY* ra_key) {
    const Nids& n = nids();
    ossl::Pkcs7Ptr p7 = parse_pkcs7(der, "message");
    SignerInfo* si = only_signer(p7.get(), "message");
    PkiMessage m;
    const auto type = string_attribute(si, n.message_type, V_ASN1_PRINTABLESTRING, "messageType");
    if (!type) refuse("messageType", "missing");
    const auto [end, ec] = std::from_chars(type->data(), type->data() + type->size(), m.message_type);
    if (ec != std::errc{} || end != type->data() + type->size() || type->empty() || m.message_type < 0 || m.message_type > 99)
        refuse("messageType", "not a number");
    const auto id = string_attribute(si, n.transaction_id, V_ASN1_PRINTABLESTRING, "transactionID");
    if (!id || id->empty()) refuse("transactionID", "missing");
    if (id->size() > kMaxTransactionIdBytes) refuse("transactionID", "longer than " + std::to_string(kMaxTransactionIdBytes) + " characters");
    // Printable ASCII (a PrintableString, or the base64 and hex that clients use): it goes into
    // the audit trail and the store's settings.
    for (const char c : *id)
        if (c < 0x20 || c > 0x7e) refuse("transactionID", "holds a character that is not printable ASCII");
    m.transaction_id = *id;
    const auto nonce = string_attribute(si, n.sender_nonce, V_ASN1_OCTET_STRING, "senderNonce");
    if (!nonce || nonce->empty() || nonce->size() > 64) refuse("senderNonce", "missing or not 1 to 64 bytes");
    m.sender_nonce = to_bytes(*nonce);
    X509* signer = signer_certificate(p7.get());
    if (signer == nullptr) refuse("certificates", "the signer's certificate is not in the message");
    m.signer = ossl::up_ref(signer);

    const std::optional<Bytes> content = verified_content(p7.get());
    if (!content) {
        m.problem = FailInfo::BadMessageCheck;
        m.problem_text = "the signature on the pkiMessage does not verify with the signer's certificate";
        return m;
    }
    if (content->empty()) {
        m.problem = FailInfo::BadRequest;
        m.problem_text = "the pkiMessage has no pkcsPKIEnvelope";
        return m;
    }
    std::string problem;
    std::optional<Bytes> inner = decrypt(*content, ra_cert, ra_key, m.cipher_nid, problem);
    if (!inner) {
        m.problem = problem.find("cannot decrypt") != std::string::npos ? FailInfo::BadAlg : FailInfo::BadRequest;
        m.problem_text = problem;
        return m;
    }
    m.content = std::move(*inner);
    return m;
}

Bytes write_cert_rep(const CertRep& rep, const X509* ra_cert, const EVP_PKEY* ra_key, Time signed_at) {
    const Nids& n = nids();
    Bytes content;
    if (rep.status == PkiStatus::Success) {
        if (rep.recipient == nullptr || rep.cipher == nullptr) throw InternalError("a SUCCESS CertRep needs a recipient and a cipher");
        content = envelope(rep.certs_only, rep.recipient, rep.cipher);
    }
    return signed_data(content, ra_cert, ra_key, signed_at, [&](SignerInfo* si) {
        add_string_attribute(si, n.message_type, V_ASN1_PRINTABLESTRING, std::to_string(static_cast<int>(MessageType::CertRep)));
        add_string_attribute(si, n.pki_status, V_ASN1_PRINTABLESTRING, std::to_string(static_cast<int>(rep.status)));
        if (rep.status == PkiStatus::Failure) {
            add_string_attribute(si, n.fail_info, V_ASN1_PRINTABLESTRING, std::to_string(static_cast<int>(rep.fail_info)));
            if (!rep.fail_text.empty()) add_string_attribute(si, n.fail_info_text, V_ASN1_UTF8STRING, rep.fail_text);
        }
        add_string_attribute(si, n.transaction_id, V_ASN1_PRINTABLESTRING, rep.transaction_id);
        add_string_attribute(si, n.sender_nonce, V_ASN1_OCTET_STRING, as_chars(rep.sender_nonce));
        add_string_attribute(si, n.recipient_nonce, V_ASN1_OCTET_STRING, as_chars(rep.recipient_nonce));
    });
}

Bytes write_pki_message(MessageType type, ByteView content, const std::string& transaction_id, ByteView sender_nonce,
                        const X509* signer, const EVP_PKEY* signer_key, const X509* recipient,
                        const EVP_CIPHER* cipher, Time signed_at) {
    const Nids& n = nids();
    const Bytes env = envelope(content, recipient, cipher);
    return signed_data(env, signer, signer_key, signed_at, [&](SignerInfo* si) {
        add_string_attribute(si, n.message_type, V_ASN1_PRINTABLESTRING, std::to_string(static_cast<int>(type)));
        add_string_attribute(si, n.transaction_id, V_ASN1_PRINTABLESTRING, transaction_id);
        add_string_attribute(si, n.sender_nonce, V_ASN1_OCTET_STRING, as_chars(sender_nonce));
    });
}

ReadCertRep read_cert_rep(ByteView der, const X509* ra_cert, const X509* my_cert, const EVP_PKEY* my_key) {
    const Nids& n = nids();
    ossl::Pkcs7Ptr p7 = parse_pkcs7(der, "CertRep");
    SignerInfo* si = only_signer(p7.get(), "CertRep");
    X509* signer = signer_certificate(p7.get());
    if (signer == nullptr || X509_cmp(signer, ra_cert) != 0) refuse("CertRep", "not signed by the RA certificate");
    const std::optional<Bytes> content = verified_content(p7.get());
    if (!content) refuse("CertRep", "the signature does not verify");
    ReadCertRep r;
    auto number = [&](int nid, const char* field) -> std::optional<int> {
        const auto s = string_attribute(si, nid, V_ASN1_PRINTABLESTRING, field);
        if (!s) return std::nullopt;
        int v = 0;
        const auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
        if (ec != std::errc{} || end != s->data() + s->size()) refuse(field, "not a number");
        return v;
    };
    if (number(n.message_type, "messageType") != static_cast<int>(MessageType::CertRep)) refuse("messageType", "not CertRep");
    r.status = number(n.pki_status, "pkiStatus").value_or(-1);
    r.fail_info = number(n.fail_info, "failInfo");
    r.fail_text = string_attribute(si, n.fail_info_text, V_ASN1_UTF8STRING, "failInfoText").value_or("");
    r.transaction_id = string_attribute(si, n.transaction_id, V_ASN1_PRINTABLESTRING, "transactionID").value_or("");
    r.recipient_nonce = to_bytes(string_attribute(si, n.recipient_nonce, V_ASN1_OCTET_STRING, "recipientNonce").value_or(""));
    r.sender_nonce = to_bytes(string_attribute(si, n.sender_nonce, V_ASN1_OCTET_STRING, "senderNonce").value_or(""));
    if (r.status == static_cast<int>(PkiStatus::Success)) {
        int nid = 0;
        std::string problem;
        std::optional<Bytes> inner = decrypt(*content, my_cert, my_key, nid, problem);
        if (!inner) refuse("pkcsPKIEnvelope", problem);
        r.certs_only = std::move(*inner);
    }
    return r;
}

}  // namespace pkilab::scep
