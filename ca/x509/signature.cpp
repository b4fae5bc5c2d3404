#include "ca/x509/signature.hpp"

#include <algorithm>
#include <cctype>

#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"

namespace pkilab {

namespace {

const char* digest_name(HashAlgorithm h) {
    switch (h) {
        case HashAlgorithm::Sha1: return "SHA1";
        case HashAlgorithm::Sha256: return "SHA256";
        case HashAlgorithm::Sha384: return "SHA384";
        case HashAlgorithm::Sha512: return "SHA512";
    }
    return "SHA256";
}

// A digest-sign (or -verify) context set up for `spec`; the caller hands it to X509_sign_ctx and friends.
ossl::MdCtxPtr make_sign_context(EVP_PKEY* key, const SignatureSpec& spec, bool verify = false) {
    if (key == nullptr) throw InternalError("signing: no key");
    const KeyInfo info = describe_key(key);  // refuses key types the CA does not support
    if (spec.rsa_pss && info.algorithm != KeyAlgorithm::Rsa)
        throw InputError("signature", "rsa_pss",
                         "RSASSA-PSS needs an RSA key; this key is " + info.description,
                         "turn rsa_pss off or use an RSA key");

    // Ed25519 signs the message itself: no separate digest.
    const char* md = info.algorithm == KeyAlgorithm::Ed25519 ? nullptr : digest_name(spec.hash);
    ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
    ossl::check(ctx.get(), "EVP_MD_CTX_new");
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    if (verify)
        ossl::check(EVP_DigestVerifyInit_ex(ctx.get(), &pctx, md, nullptr, nullptr, key, nullptr),
                    "EVP_DigestVerifyInit_ex");
    else
        ossl::check(EVP_DigestSignInit_ex(ctx.get(), &pctx, md, nullptr, nullptr, key, nullptr),
                    "EVP_DigestSignInit_ex");
    if (spec.rsa_pss) {
        ossl::check(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), "setting PSS padding");
        ossl::check(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), "setting PSS salt length");
        ossl::check(EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, nullptr), "setting the MGF1 hash");
    }
    return ctx;
}

}  // namespace

const char* to_string(HashAlgorithm h) {
    switch (h) {
        case HashAlgorithm::Sha1: return "sha1";
        case HashAlgorithm::Sha256: return "sha256";
        case HashAlgorithm::Sha384: return "sha384";
        case HashAlgorithm::Sha512: return "sha512";
    }
    return "unknown";
}

HashAlgorithm parse_hash(std::string_view text, std::string_view where) {
    std::string t;
    for (char c : text)
        if (c != '-' && c != '_') t.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (t == "sha1") return HashAlgorithm::Sha1;
    if (t == "sha256") return HashAlgorithm::Sha256;
    if (t == "sha384") return HashAlgorithm::Sha384;
    if (t == "sha512") return HashAlgorithm::Sha512;
    std::string shown;
    for (char c : text.substr(0, 40)) shown.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    throw InputError(std::string(where), "", "unknown hash '" + shown + "'",
                     "use sha256, sha384, sha512 or sha1");
}

void sign_certificate(X509* cert, EVP_PKEY* key, const SignatureSpec& spec) {
    if (cert == nullptr) throw InternalError("sign_certificate: no certificate");
    ossl::MdCtxPtr ctx = make_sign_context(key, spec);
    ossl::check(X509_sign_ctx(cert, ctx.get()), "signing the certificate");
}

void sign_crl(X509_CRL* crl, EVP_PKEY* key, const SignatureSpec& spec) {
    if (crl == nullptr) throw InternalError("sign_crl: no CRL");
    ossl::MdCtxPtr ctx = make_sign_context(key, spec);
    ossl::check(X509_CRL_sign_ctx(crl, ctx.get()), "signing the CRL");
}

Bytes sign_message(ByteView message, EVP_PKEY* key, const SignatureSpec& spec) {
    ossl::MdCtxPtr ctx = make_sign_context(key, spec);
    size_t len = 0;
    ossl::check(EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()), "sizing a signature");
    Bytes sig(len);
    ossl::check(EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()), "signing");
    sig.resize(len);
    return sig;
}

bool verify_message(ByteView message, ByteView signature, EVP_PKEY* public_key, const SignatureSpec& spec) {
    ossl::MdCtxPtr ctx = make_sign_context(public_key, spec, true);
    const int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size());
    ossl::drain_errors();
    return rc == 1;
}

void sign_ocsp_response(OCSP_BASICRESP* response, X509* signer, EVP_PKEY* key, const SignatureSpec& spec,
                        STACK_OF(X509)* extra_certs, unsigned long flags) {
    if (response == nullptr || signer == nullptr) throw InternalError("sign_ocsp_response: no response or signer");
    ossl::MdCtxPtr ctx = make_sign_context(key, spec);
    ossl::check(OCSP_basic_sign_ctx(response, signer, ctx.get(), extra_certs, flags), "signing the OCSP response");
}

std::string signature_algorithm_name(const X509* cert) {
    if (cert == nullptr) return {};
    const X509_ALGOR* alg = nullptr;
    X509_get0_signature(nullptr, &alg, cert);
    // A draft not signed yet has only the TBS copy of the algorithm (filled in by the CA).
    const ASN1_OBJECT* outer = nullptr;
    if (alg != nullptr) X509_ALGOR_get0(&outer, nullptr, nullptr, alg);
    if (outer == nullptr || OBJ_obj2nid(outer) == NID_undef) alg = X509_get0_tbs_sigalg(cert);
    if (alg == nullptr) return {};
    const ASN1_OBJECT* oid = nullptr;
    int ptype = 0;
    const void* pval = nullptr;
    X509_ALGOR_get0(&oid, &ptype, &pval, alg);
    const int nid = OBJ_obj2nid(oid);
    if (nid == NID_rsassaPss) {
        // The hash lives in the parameters; absent means SHA-1 (RFC 4055).
        std::string hash = "SHA1";
        if (ptype == V_ASN1_SEQUENCE) {
            ossl::ErrorMark mark;
            auto* params = static_cast<RSA_PSS_PARAMS*>(
                ASN1_item_unpack(static_cast<const ASN1_STRING*>(pval), ASN1_ITEM_rptr(RSA_PSS_PARAMS)));
            ossl::Ptr<RSA_PSS_PARAMS, RSA_PSS_PARAMS_free> guard(params);
            if (params == nullptr) return "RSASSA-PSS (unreadable parameters)";
            if (params->hashAlgorithm != nullptr) {
                const ASN1_OBJECT* h = nullptr;
                X509_ALGOR_get0(&h, nullptr, nullptr, params->hashAlgorithm);
                const char* sn = OBJ_nid2sn(OBJ_obj2nid(h));
                hash = sn != nullptr ? sn : "unknown hash";
            }
        }
        return "RSASSA-PSS (" + hash + ")";
    }
    if (nid != NID_undef) {
        const char* ln = OBJ_nid2ln(nid);
        if (ln != nullptr) return ln;
    }
    char buf[128];
    int n = OBJ_obj2txt(buf, sizeof buf, oid, 1);
    return n > 0 && static_cast<size_t>(n) < sizeof buf ? std::string(buf, static_cast<size_t>(n)) : "unknown";
}

}  // namespace pkilab
