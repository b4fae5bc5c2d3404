#include "webenroll/acme/acme_jwk.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include "webenroll/acme/acme_base64url.hpp"
#include "webenroll/acme/acme_problem.hpp"

namespace pkilab::acme {

namespace {

using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)>;

[[noreturn]] void bad_key(const std::string& detail) { throw AcmeError(400, "badPublicKey", detail); }

Bytes member(const nlohmann::json& jwk, const char* name, std::size_t max) {
    const auto it = jwk.find(name);
    if (it == jwk.end() || !it->is_string()) malformed(std::string("the JWK has no string member \"") + name + "\"");
    const std::string& s = it->get_ref<const std::string&>();
    if (s.size() > max * 2) bad_key(std::string("the JWK's \"") + name + "\" is too long");
    auto b = b64url_decode(s);
    if (!b || b->empty()) malformed(std::string("the JWK's \"") + name + "\" is not base64url");
    return *b;
}

std::string text_member(const nlohmann::json& jwk, const char* name) {
    const auto it = jwk.find(name);
    if (it == jwk.end() || !it->is_string()) malformed(std::string("the JWK has no string member \"") + name + "\"");
    return it->get<std::string>();
}

ossl::PkeyPtr from_params(const char* type, OSSL_PARAM_BLD* bld) {
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld), OSSL_PARAM_free);
    ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0 || !key)
        bad_key(std::string("the JWK is not a usable ") + type + " public key");
    ossl::PkeyPtr out(key);
    // fromdata does not check that an EC point lies on the curve; the public check does.
    ossl::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, out.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) bad_key(std::string("the JWK is not a valid ") + type + " public key");
    return out;
}

ossl::PkeyPtr ec_key(const nlohmann::json& jwk) {
    const std::string crv = text_member(jwk, "crv");
    std::size_t size = 0;
    const char* group = nullptr;
    if (crv == "P-256") { size = 32; group = "prime256v1"; }
    else if (crv == "P-384") { size = 48; group = "secp384r1"; }
    else bad_key("EC curve '" + crv.substr(0, 16) + "' is not supported (P-256, P-384)");
    const Bytes x = member(jwk, "x", size), y = member(jwk, "y", size);
    if (x.size() != size || y.size() != size) bad_key("the JWK's x and y must be " + std::to_string(size) + " bytes for " + crv);
    Bytes point{0x04};
    point.insert(point.end(), x.begin(), x.end());
    point.insert(point.end(), y.begin(), y.end());
    ParamBldPtr bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
    if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()))
        throw std::runtime_error("OSSL_PARAM_BLD failed");
    return from_params("EC", bld.get());
}

ossl::PkeyPtr rsa_key(const nlohmann::json& jwk) {
    const Bytes n = member(jwk, "n", 1024), e = member(jwk, "e", 16);
    ossl::BignumPtr bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
    ossl::BignumPtr bn_e(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
    if (!bn_n || !bn_e) throw std::runtime_error("BN_bin2bn failed");
    if (BN_num_bits(bn_n.get()) < 2048) bad_key("RSA keys must have at least 2048 bits");
    ParamBldPtr bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
    if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()))
        throw std::runtime_error("OSSL_PARAM_BLD failed");
    return from_params("RSA", bld.get());
}

ossl::PkeyPtr okp_key(const nlohmann::json& jwk) {
    if (text_member(jwk, "crv") != "Ed25519") bad_key("OKP keys must be Ed25519");
    const Bytes x = member(jwk, "x", 32);
    if (x.size() != 32) bad_key("an Ed25519 key is 32 bytes");
    ossl::PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, x.data(), x.size()));
    if (!key) bad_key("the JWK is not a usable Ed25519 key");
    return key;
}

Bytes bn_param(const EVP_PKEY* key, const char* name) {
    BIGNUM* bn = nullptr;
    if (!EVP_PKEY_get_bn_param(key, name, &bn)) throw std::runtime_error("EVP_PKEY_get_bn_param failed");
    ossl::BignumPtr owned(bn);
    Bytes out(static_cast<std::size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, out.data());
    return out;
}

}  // namespace

ossl::PkeyPtr jwk_to_key(const nlohmann::json& jwk) {
    if (!jwk.is_object()) malformed("the JWK is not a JSON object");
    if (jwk.contains("d") || jwk.contains("p") || jwk.contains("k")) bad_key("the JWK carries private key material");
    const std::string kty = text_member(jwk, "kty");
    if (kty == "EC") return ec_key(jwk);
    if (kty == "RSA") return rsa_key(jwk);
    if (kty == "OKP") return okp_key(jwk);
    bad_key("key type '" + kty.substr(0, 16) + "' is not supported (EC, RSA, OKP)");
}

nlohmann::json key_to_jwk(const EVP_PKEY* key) {
    switch (EVP_PKEY_get_base_id(key)) {
        case EVP_PKEY_RSA:
            return {{"kty", "RSA"}, {"n", b64url_encode(bn_param(key, OSSL_PKEY_PARAM_RSA_N))},
                    {"e", b64url_encode(bn_param(key, OSSL_PKEY_PARAM_RSA_E))}};
        case EVP_PKEY_EC: {
            char group[64] = {};
            std::size_t len = 0;
            if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len))
                throw std::runtime_error("EC key without a group");
            const std::string g(group, len);
            const std::size_t size = g == "prime256v1" ? 32 : g == "secp384r1" ? 48 : 0;
            if (size == 0) throw std::runtime_error("EC curve " + g + " has no JWK here");
            Bytes x = bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X), y = bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y);
            x.insert(x.begin(), size - x.size(), 0);
            y.insert(y.begin(), size - y.size(), 0);
            return {{"kty", "EC"}, {"crv", size == 32 ? "P-256" : "P-384"}, {"x", b64url_encode(x)}, {"y", b64url_encode(y)}};
        }
        case EVP_PKEY_ED25519: {
            Bytes raw(32);
            std::size_t len = raw.size();
            if (!EVP_PKEY_get_raw_public_key(key, raw.data(), &len)) throw std::runtime_error("Ed25519 key without raw bytes");
            return {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", b64url_encode(raw)}};
        }
        default:
            throw std::runtime_error("no JWK for this key type");
    }
}

nlohmann::json jwk_required_members(const nlohmann::json& jwk) {
    nlohmann::json required;  // an object sorts its members, and dump() writes no whitespace
    if (!jwk.is_object()) malformed("the JWK is not a JSON object");
    const std::string kty = text_member(jwk, "kty");
    const char* const* names = nullptr;
    static constexpr const char* ec[] = {"crv", "kty", "x", "y", nullptr};
    static constexpr const char* rsa[] = {"e", "kty", "n", nullptr};
    static constexpr const char* okp[] = {"crv", "kty", "x", nullptr};
    if (kty == "EC") names = ec;
    else if (kty == "RSA") names = rsa;
    else if (kty == "OKP") names = okp;
    else bad_key("no thumbprint for key type '" + kty.substr(0, 16) + "'");
    for (; *names; ++names) {
        const auto it = jwk.find(*names);
        if (it == jwk.end() || !it->is_string()) malformed(std::string("the JWK has no string member \"") + *names + "\"");
        required[*names] = *it;
    }
    return required;
}

std::string jwk_thumbprint(const nlohmann::json& jwk) {
    const std::string text = jwk_required_members(jwk).dump();
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    return b64url_encode(ByteView(digest, sizeof digest));
}

}  // namespace pkilab::acme
