#include "ca/x509/spki_key.hpp"

#include <openssl/core_names.h>
#include <openssl/provider.h>

#include <array>
#include <memory>

#include "ca/ossl/error.hpp"

namespace pkilab {

// Why this file exists: d2i_X509_REQ decodes the request's public key eagerly through
// OSSL_DECODER_CTX_new_for_pkey, which in OpenSSL 3.0 builds a decoder chain from every
// provider's decoders on every call. bench/issue measured that set-up at about a third of
// the issuing thread's time for a P-256 request (more than the CA's signature). Decoding
// the request in a context without decoders leaves the key undecoded; this file then imports
// the key from its parameters, which is the narrow piece we own. Tested key by key against
// d2i_PUBKEY (EVP_PKEY_eq, and i2d_PUBKEY giving back the exact SPKI bytes), see
// tests/unit/spki_key_test.cpp.

namespace {

struct ContextDeleter {
    void operator()(OSSL_LIB_CTX* ctx) const { OSSL_LIB_CTX_free(ctx); }
};
struct ProviderDeleter {
    void operator()(OSSL_PROVIDER* p) const { OSSL_PROVIDER_unload(p); }
};

struct UndecodedKeyContext {
    std::unique_ptr<OSSL_LIB_CTX, ContextDeleter> ctx;
    std::unique_ptr<OSSL_PROVIDER, ProviderDeleter> null_provider;  // destroyed first, as it must be

    UndecodedKeyContext() : ctx(ossl::check(OSSL_LIB_CTX_new(), "OSSL_LIB_CTX_new")) {
        // Loading a provider explicitly stops OpenSSL from loading the default one into this
        // context on first use, which would bring the decoders back.
        null_provider.reset(ossl::check(OSSL_PROVIDER_load(ctx.get(), "null"), "OSSL_PROVIDER_load(null)"));
    }
};

struct Curve {
    int nid;
    const char* group;  // OpenSSL's group name
};
constexpr std::array<Curve, 3> kCurves{{{NID_X9_62_prime256v1, "prime256v1"},
                                        {NID_secp384r1, "secp384r1"},
                                        {NID_secp521r1, "secp521r1"}}};

const char* named_curve(int param_type, const void* param) {
    if (param_type != V_ASN1_OBJECT) return nullptr;  // explicit parameters: the decoder path says why
    const int nid = OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(param));
    for (const auto& c : kCurves)
        if (c.nid == nid) return c.group;
    return nullptr;
}

ossl::PkeyPtr import_ec(const char* group, const unsigned char* point, int point_len) {
    ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return {};
    std::array<OSSL_PARAM, 3> params{
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<unsigned char*>(point),
                                          static_cast<size_t>(point_len)),
        OSSL_PARAM_construct_end()};
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.data()) != 1) return {};
    return ossl::PkeyPtr(raw);
}

}  // namespace

Bytes spki_der(const X509_PUBKEY* spki) {
    unsigned char* der = nullptr;
    const int len = i2d_X509_PUBKEY(spki, &der);
    if (len <= 0) return {};
    ossl::OsslBytesPtr owned(der);
    return Bytes(der, der + len);
}

OSSL_LIB_CTX* undecoded_key_context() {
    static const UndecodedKeyContext context;  // thread-safe initialisation; immutable after it
    return context.ctx.get();
}

ossl::PkeyPtr public_key_by_decoder(ByteView spki_der) {
    ossl::ErrorMark mark;
    const unsigned char* p = spki_der.data();
    ossl::PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())));
    if (key && p != spki_der.data() + spki_der.size()) key.reset();
    return key;
}

ossl::PkeyPtr public_key_of(const X509_PUBKEY* spki) {
    ossl::ErrorMark mark;
    ASN1_OBJECT* alg = nullptr;
    const unsigned char* key_bytes = nullptr;
    int key_len = 0;
    X509_ALGOR* algor = nullptr;
    if (X509_PUBKEY_get0_param(&alg, &key_bytes, &key_len, &algor, spki) != 1) return {};
    const int nid = OBJ_obj2nid(alg);
    if (nid == NID_X9_62_id_ecPublicKey) {
        int param_type = V_ASN1_UNDEF;
        const void* param = nullptr;
        X509_ALGOR_get0(nullptr, &param_type, &param, algor);
        if (const char* group = named_curve(param_type, param)) return import_ec(group, key_bytes, key_len);
    } else if (nid == NID_ED25519) {
        int param_type = V_ASN1_UNDEF;
        X509_ALGOR_get0(nullptr, &param_type, nullptr, algor);
        // RFC 8410 3: the parameters MUST be absent; a 32-byte key.
        if (param_type != V_ASN1_UNDEF || key_len != 32) return {};
        return ossl::PkeyPtr(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, key_bytes, 32));
    }
    return public_key_by_decoder(spki_der(spki));
}

}  // namespace pkilab
