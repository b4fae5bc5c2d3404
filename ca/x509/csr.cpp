#include "ca/x509/csr.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include <openssl/pem.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/crmf_request.hpp"
#include "ca/x509/extension_tables.hpp"
#include "ca/x509/extensions.hpp"
#include "ca/x509/name.hpp"
#include "ca/x509/spki_key.hpp"

namespace pkilab {

namespace {

constexpr std::string_view kWhere = "CSR";

[[noreturn]] void fail(std::string field, std::string problem, std::string hint = {}) {
    throw InputError(std::string(kWhere), std::move(field), std::move(problem), std::move(hint));
}

bool is_space(std::uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool only_whitespace(ByteView b) { return std::all_of(b.begin(), b.end(), is_space); }

bool contains(ByteView haystack, std::string_view needle) {
    auto text = as_chars(haystack);
    return text.find(needle) != std::string_view::npos;
}

constexpr std::string_view kPemBegin = "-----BEGIN ";

ByteView skip_whitespace(ByteView input) {
    auto first = std::find_if_not(input.begin(), input.end(), is_space);
    return input.subspan(static_cast<size_t>(first - input.begin()));
}

bool looks_like_pem(ByteView input) { return as_chars(skip_whitespace(input)).starts_with(kPemBegin); }

// Exactly one "CERTIFICATE REQUEST" block with nothing but whitespace around it.
Bytes pem_body(ByteView input) {
    input = skip_whitespace(input);  // PEM_read_bio wants the BEGIN line at the start of a line
    const std::string hint = "send exactly one -----BEGIN CERTIFICATE REQUEST----- block";
    ossl::BioPtr bio(ossl::check(BIO_new_mem_buf(input.data(), static_cast<int>(input.size())), "BIO_new_mem_buf"));
    char* raw_name = nullptr;
    char* raw_header = nullptr;
    unsigned char* raw_data = nullptr;
    long len = 0;
    int rc = 0;
    {
        ossl::ErrorMark mark;
        rc = PEM_read_bio(bio.get(), &raw_name, &raw_header, &raw_data, &len);
    }
    ossl::OsslStringPtr name(raw_name), header(raw_header);
    ossl::OsslBytesPtr data(raw_data);
    if (rc != 1 || !name || !data) fail("encoding", "the PEM block does not decode (bad base64 or no END line)", hint);
    std::string_view type(name.get());
    if (type != "CERTIFICATE REQUEST" && type != "NEW CERTIFICATE REQUEST")
        fail("encoding", "the PEM block is a '" + std::string(type) + "', not a CERTIFICATE REQUEST", hint);
    if (header && header.get()[0] != '\0') fail("encoding", "PEM headers (Proc-Type, DEK-Info) are not allowed", hint);
    char* rest_ptr = nullptr;
    long rest_len = BIO_get_mem_data(bio.get(), &rest_ptr);
    ByteView rest(reinterpret_cast<const std::uint8_t*>(rest_ptr), rest_len > 0 ? static_cast<size_t>(rest_len) : 0);
    if (!only_whitespace(rest)) {
        if (contains(rest, kPemBegin)) fail("encoding", "more than one PEM block", hint);
        fail("encoding", std::to_string(rest.size()) + " bytes of data after the PEM END line", hint);
    }
    return Bytes(data.get(), data.get() + len);
}

ossl::X509ReqPtr decode_der(ByteView der) {
    const std::string hint = "send a PKCS#10 request in PEM or DER";
    const unsigned char* p = der.data();
    ossl::X509ReqPtr req;
    {
        ossl::ErrorMark mark;
        // In a context without decoders, so the key is not decoded here (spki_key.cpp says why).
        req.reset(reinterpret_cast<X509_REQ*>(ASN1_item_d2i_ex(nullptr, &p, static_cast<long>(der.size()),
                                                               ASN1_ITEM_rptr(X509_REQ), undecoded_key_context(),
                                                               nullptr)));
    }
    if (!req) fail("encoding", "not a PKCS#10 certificate request (the DER does not parse)", hint);
    if (p != der.data() + der.size())
        fail("encoding", std::to_string(der.data() + der.size() - p) + " bytes after the end of the request", hint);
    return req;
}

std::string signature_name(const X509_REQ* req) {
    const ASN1_BIT_STRING* sig = nullptr;
    const X509_ALGOR* alg = nullptr;
    X509_REQ_get0_signature(req, &sig, &alg);
    return signature_algorithm_name(alg);
}

std::optional<std::string> to_utf8(const ASN1_STRING* s) {
    unsigned char* raw = nullptr;
    int len = 0;
    {
        ossl::ErrorMark mark;
        len = ASN1_STRING_to_UTF8(&raw, s);
    }
    ossl::OsslBytesPtr owned(raw);
    if (len < 0) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(raw), static_cast<size_t>(len));
}

void check_subject(const X509_NAME* subject) {
    for (int i = 0; i < X509_NAME_entry_count(subject); ++i) {
        const X509_NAME_ENTRY* entry = X509_NAME_get_entry(subject, i);
        const ASN1_OBJECT* obj = X509_NAME_ENTRY_get_object(entry);
        int nid = OBJ_obj2nid(obj);
        std::string attr = nid == NID_undef ? oid_to_string(obj) : OBJ_nid2sn(nid);
        auto value = to_utf8(X509_NAME_ENTRY_get_data(entry));
        if (!value)
            fail("subject", "the " + attr + " value is not a valid string of its type (bad UTF-8, BMP or universal string)",
                 "encode subject values as UTF8String or PrintableString");
        if (value->find('\0') != std::string::npos)
            fail("subject", "the " + attr + " value contains a NUL byte",
                 "a NUL byte can hide the rest of a name from some software: remove it");
    }
}

// Values must parse with the extension's own syntax and nothing may follow them.
bool decodes_completely(const X509V3_EXT_METHOD* method, const ASN1_OCTET_STRING* data) {
    const unsigned char* p = ASN1_STRING_get0_data(data);
    const long len = ASN1_STRING_length(data);
    ossl::ErrorMark mark;
    if (method->it != nullptr) {
        const ASN1_ITEM* item = ASN1_ITEM_ptr(method->it);
        ASN1_VALUE* value = ASN1_item_d2i(nullptr, &p, len, item);
        if (value == nullptr) return false;
        ASN1_item_free(value, item);
    } else {
        if (method->d2i == nullptr || method->ext_free == nullptr) return false;
        void* value = method->d2i(nullptr, &p, len);
        if (value == nullptr) return false;
        method->ext_free(value);
    }
    return p == ASN1_STRING_get0_data(data) + len;
}

bool microsoft_value_decodes(std::string_view oid, ByteView value) {
    if (oid == x509_detail::kMsTemplateNameOid) return x509_detail::decode_ms_template_name(value).has_value();
    if (oid == x509_detail::kMsTemplateV2Oid) return x509_detail::decode_ms_template_v2(value).has_value();
    // Application policies share certificatePolicies' syntax.
    ossl::ErrorMark mark;
    const unsigned char* p = value.data();
    CERTIFICATEPOLICIES* raw = d2i_CERTIFICATEPOLICIES(nullptr, &p, static_cast<long>(value.size()));
    if (raw == nullptr) return false;
    sk_POLICYINFO_pop_free(raw, POLICYINFO_free);
    return p == value.data() + value.size();
}

std::vector<GeneralName> requested_sans(ByteView value, const std::string& field) {
    const unsigned char* p = value.data();
    ossl::GeneralNamesPtr names;
    {
        ossl::ErrorMark mark;
        names.reset(d2i_GENERAL_NAMES(nullptr, &p, static_cast<long>(value.size())));
    }
    if (!names || p != value.data() + value.size()) fail(field, "the subjectAltName extension does not parse");
    if (sk_GENERAL_NAME_num(names.get()) == 0)
        fail(field, "the subjectAltName extension is empty", "RFC 5280 4.2.1.6: list at least one name or leave it out");
    try {
        return from_openssl(names.get(), kWhere);
    } catch (const InputError& e) {
        fail(field, e.problem(), e.hint());
    }
}

bool requested_ca(ByteView value, const std::string& field) {
    const unsigned char* p = value.data();
    ossl::BasicConstraintsPtr bc;
    {
        ossl::ErrorMark mark;
        bc.reset(d2i_BASIC_CONSTRAINTS(nullptr, &p, static_cast<long>(value.size())));
    }
    if (!bc || p != value.data() + value.size()) fail(field, "the basicConstraints extension does not parse");
    return bc->ca != 0;
}

int count_attributes(const X509_REQ* req, int nid) {
    int n = 0;
    for (int idx = X509_REQ_get_attr_by_NID(req, nid, -1); idx >= 0; idx = X509_REQ_get_attr_by_NID(req, nid, idx)) ++n;
    return n;
}

void read_extensions(X509_REQ* req, ParsedCsr& out) {
    const int attributes = count_attributes(req, NID_ext_req) + count_attributes(req, NID_ms_ext_req);
    if (attributes == 0) return;
    if (attributes > 1) fail("extensions", "more than one extension request attribute");
    for (int nid : {NID_ext_req, NID_ms_ext_req}) {
        int idx = X509_REQ_get_attr_by_NID(req, nid, -1);
        if (idx >= 0 && X509_ATTRIBUTE_count(X509_REQ_get_attr(req, idx)) != 1)
            fail("extensions", "the extension request attribute must hold exactly one value");
    }
    ossl::ExtensionStackPtr exts;
    {
        ossl::ErrorMark mark;
        exts.reset(X509_REQ_get_extensions(req));
    }
    if (!exts) fail("extensions", "the extension request attribute does not parse");

    std::set<std::string> seen;
    for (int i = 0; i < sk_X509_EXTENSION_num(exts.get()); ++i) {
        X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts.get(), i);
        const ASN1_OBJECT* obj = X509_EXTENSION_get_object(ext);
        const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
        RequestedExtension r;
        r.oid = oid_to_string(obj);
        const int nid = OBJ_obj2nid(obj);
        r.name = nid == NID_undef ? r.oid : OBJ_nid2sn(nid);
        r.critical = X509_EXTENSION_get_critical(ext) != 0;
        r.value.assign(ASN1_STRING_get0_data(data), ASN1_STRING_get0_data(data) + ASN1_STRING_length(data));
        if (!seen.insert(r.oid).second)
            fail("extensions", "extension " + r.name + " (" + r.oid + ") is requested more than once",
                 "RFC 5280 4.2: each extension at most once");

        const std::string field = "extensions." + r.name;
        const X509V3_EXT_METHOD* method = X509V3_EXT_get(ext);
        const bool microsoft = x509_detail::is_known_microsoft_extension(r.oid);
        if (method == nullptr && !microsoft) {
            if (r.critical)
                fail("extensions." + r.oid, "critical extension " + r.oid + " is not understood by the CA",
                     "mark it non-critical or leave it out");
        } else if (method != nullptr ? !decodes_completely(method, data) : !microsoft_value_decodes(r.oid, r.value)) {
            fail(field, "the " + r.name + " extension does not parse");
        }

        if (nid == NID_subject_alt_name) out.sans = requested_sans(r.value, field);
        if (nid == NID_basic_constraints) out.requests_ca = requested_ca(r.value, field);
        out.extensions.push_back(std::move(r));
    }
}

std::string challenge_password(const X509_REQ* req) {
    const std::string field = "attributes.challengePassword";
    int idx = X509_REQ_get_attr_by_NID(req, NID_pkcs9_challengePassword, -1);
    if (idx < 0) return {};
    if (X509_REQ_get_attr_by_NID(req, NID_pkcs9_challengePassword, idx) >= 0)
        fail(field, "more than one challengePassword attribute");
    X509_ATTRIBUTE* attr = X509_REQ_get_attr(req, idx);
    if (X509_ATTRIBUTE_count(attr) != 1) fail(field, "the challengePassword attribute must hold exactly one value");
    const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attr, 0);
    const int type = value == nullptr ? -1 : ASN1_TYPE_get(value);
    if (type != V_ASN1_UTF8STRING && type != V_ASN1_PRINTABLESTRING && type != V_ASN1_IA5STRING &&
        type != V_ASN1_T61STRING && type != V_ASN1_BMPSTRING && type != V_ASN1_UNIVERSALSTRING)
        fail(field, "the challengePassword is not a string");
    auto password = to_utf8(value->value.asn1_string);
    if (!password) fail(field, "the challengePassword is not a valid string of its type");
    if (password->find('\0') != std::string::npos) fail(field, "the challengePassword contains a NUL byte");
    return *password;
}

}  // namespace

ParsedCsr parse_csr(ByteView input) {
    if (input.size() > kMaxCsrBytes)
        fail("size", "the request is " + std::to_string(input.size()) + " bytes, over the limit of " +
                         std::to_string(kMaxCsrBytes),
             "a PKCS#10 request is a few kilobytes: check that the right file was sent");
    if (only_whitespace(input)) fail("encoding", "the request is empty", "send a PKCS#10 request in PEM or DER");

    ParsedCsr out;
    if (looks_like_pem(input)) {
        out.der = pem_body(input);
    } else if (contains(input, kPemBegin)) {
        fail("encoding", "data before the PEM BEGIN line", "send exactly one -----BEGIN CERTIFICATE REQUEST----- block");
    } else {
        out.der.assign(input.begin(), input.end());
    }
    out.req = decode_der(out.der);
    X509_REQ* req = out.req.get();

    if (long version = X509_REQ_get_version(req); version != 0)
        fail("version", "version value is " + std::to_string(version) + "; PKCS#10 defines only v1 (0)",
             "regenerate the request with a standard tool");

    out.public_key = public_key_of(X509_REQ_get_X509_PUBKEY(req));
    EVP_PKEY* key = out.public_key.get();
    if (key == nullptr)
        fail("key", "the public key does not decode (not a valid key of its algorithm, or an algorithm OpenSSL does not know)",
             "generate the key and request again with a standard tool (openssl req, certreq, certutil)");
    try {
        out.key = describe_key(key);
    } catch (const InputError& e) {
        fail("key", e.problem(), e.hint());
    }

    {
        ossl::ErrorMark mark;
        // The default context, named: the request was decoded in one that cannot verify.
        if (X509_REQ_verify_ex(req, key, nullptr, nullptr) != 1)
            fail("signature", "the request's self-signature does not verify with its own public key (no proof of possession)",
                 "the request was altered or signed with another key: generate it again");
    }
    out.signature_algorithm = signature_name(req);
    read_csr_contents(out);
    return out;
}

std::string signature_algorithm_name(const X509_ALGOR* alg) {
    const ASN1_OBJECT* obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
    int nid = OBJ_obj2nid(obj);
    if (nid == NID_undef) return oid_to_string(obj);
    if (nid == NID_rsassaPss) return "RSASSA-PSS";  // its long name "rsassaPss" is not what people read
    return OBJ_nid2ln(nid);
}

void read_csr_contents(ParsedCsr& out) {
    X509_REQ* req = out.req.get();
    check_subject(X509_REQ_get_subject_name(req));
    out.subject = format_dn(X509_REQ_get_subject_name(req));
    read_extensions(req, out);
    out.challenge_password = challenge_password(req);
}

ParsedCsr parse_certificate_request(ByteView input) {
    if (is_crmf_request(input)) return parse_crmf_request(input);
    return parse_csr(input);
}

ossl::X509ReqPtr make_csr(const EVP_PKEY* key, std::string_view subject, const std::vector<GeneralName>& sans) {
    if (key == nullptr) throw InternalError("make_csr: null key");
    // OpenSSL's setter and signer take a non-const key but neither modifies it.
    EVP_PKEY* pkey = const_cast<EVP_PKEY*>(key);
    describe_key(key);  // refuses key types the CA does not support
    ossl::X509ReqPtr req(ossl::check(X509_REQ_new(), "X509_REQ_new"));
    ossl::check(X509_REQ_set_version(req.get(), 0), "X509_REQ_set_version");
    auto name = parse_dn(subject, "subject");
    ossl::check(X509_REQ_set_subject_name(req.get(), name.get()), "X509_REQ_set_subject_name");
    ossl::check(X509_REQ_set_pubkey(req.get(), pkey), "X509_REQ_set_pubkey");
    if (!sans.empty()) {
        ossl::ExtensionStackPtr exts(ossl::check(sk_X509_EXTENSION_new_null(), "sk_X509_EXTENSION_new_null"));
        // RFC 5280 4.2.1.6: with an empty subject the names live only here, so mark them critical.
        auto san = make_subject_alt_name(sans, X509_NAME_entry_count(name.get()) == 0);
        ossl::check(sk_X509_EXTENSION_push(exts.get(), san.get()), "sk_X509_EXTENSION_push");
        san.release();
        ossl::check(X509_REQ_add_extensions(req.get(), exts.get()), "X509_REQ_add_extensions");
    }
    const EVP_MD* md = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
    ossl::check(X509_REQ_sign(req.get(), pkey, md), "X509_REQ_sign");
    return req;
}

std::string csr_to_pem(const X509_REQ* req) {
    ossl::BioPtr bio(ossl::check(BIO_new(BIO_s_mem()), "BIO_new"));
    ossl::check(PEM_write_bio_X509_REQ(bio.get(), req), "PEM_write_bio_X509_REQ");
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

Bytes csr_to_der(const X509_REQ* req) {
    unsigned char* raw = nullptr;
    int len = i2d_X509_REQ(req, &raw);
    ossl::OsslBytesPtr owned(raw);
    if (len <= 0) ossl::throw_error("i2d_X509_REQ");
    return Bytes(raw, raw + len);
}

}  // namespace pkilab
