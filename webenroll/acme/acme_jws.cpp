#include "webenroll/acme/acme_jws.hpp"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>

#include "ca/ossl/ptr.hpp"
#include "webenroll/acme/acme_base64url.hpp"
#include "webenroll/acme/acme_problem.hpp"

namespace pkilab::acme {

namespace {

using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)>;

std::string string_member(const nlohmann::json& j, const char* name, bool required) {
    const auto it = j.find(name);
    if (it == j.end()) {
        if (required) malformed(std::string("the JWS has no \"") + name + "\"");
        return {};
    }
    if (!it->is_string()) malformed(std::string("the JWS's \"") + name + "\" is not a string");
    return it->get<std::string>();
}

Bytes decode(const std::string& text, const char* what) {
    auto b = b64url_decode(text);
    if (!b) malformed(std::string("the JWS's ") + what + " is not base64url without padding");
    return *b;
}

std::string ec_group(const EVP_PKEY* key) {
    char group[64] = {};
    std::size_t len = 0;
    if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len)) return {};
    return std::string(group, len);
}

// RFC 7518 §3.4: r and s, each the curve's size, big-endian; OpenSSL verifies DER.
std::optional<Bytes> ecdsa_der(const Bytes& raw, std::size_t half) {
    if (raw.size() != 2 * half) return std::nullopt;
    BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(half), nullptr);
    BIGNUM* s = BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr);
    EcdsaSigPtr sig(ECDSA_SIG_new(), ECDSA_SIG_free);
    if (!r || !s || !sig || !ECDSA_SIG_set0(sig.get(), r, s)) {
        BN_free(r);
        BN_free(s);
        return std::nullopt;
    }
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0) return std::nullopt;
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

}  // namespace

bool payload_flag(const nlohmann::json& payload, const char* name, bool fallback) {
    const auto it = payload.find(name);
    if (it == payload.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) malformed(std::string("\"") + name + "\" is not true or false");
    return it->get<bool>();
}

std::string payload_text(const nlohmann::json& payload, const char* name, const std::string& fallback) {
    const auto it = payload.find(name);
    if (it == payload.end() || it->is_null()) return fallback;
    if (!it->is_string()) malformed(std::string("\"") + name + "\" is not a string");
    return it->get<std::string>();
}

nlohmann::json Jws::payload_json() const {
    const nlohmann::json j = nlohmann::json::parse(payload, nullptr, false);
    if (j.is_discarded() || !j.is_object()) malformed("the JWS payload is not a JSON object");
    return j;
}

Jws parse_jws(std::string_view body) {
    if (body.size() > kMaxJwsBytes) malformed("the request body is larger than " + std::to_string(kMaxJwsBytes) + " bytes");
    const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded()) malformed("the request body is not JSON");
    return parse_jws(j);
}

Jws parse_jws(const nlohmann::json& body) {
    if (!body.is_object()) malformed("the request body is not a flattened JWS (a JSON object)");
    for (const auto& [key, value] : body.items())
        if (key != "protected" && key != "payload" && key != "signature")
            malformed("the JWS has a member \"" + key.substr(0, 32) + "\" ACME does not allow (only protected, payload, signature)");
    Jws jws;
    jws.protected_b64 = string_member(body, "protected", true);
    jws.payload_b64 = string_member(body, "payload", true);
    jws.signature = decode(string_member(body, "signature", true), "signature");
    const Bytes header = decode(jws.protected_b64, "protected header");
    jws.header = nlohmann::json::parse(as_chars(header), nullptr, false);
    if (jws.header.is_discarded() || !jws.header.is_object()) malformed("the JWS protected header is not a JSON object");
    const Bytes payload = decode(jws.payload_b64, "payload");
    jws.payload.assign(as_chars(payload));

    jws.alg = string_member(jws.header, "alg", true);
    if (jws.alg != "ES256" && jws.alg != "ES384" && jws.alg != "RS256" && jws.alg != "EdDSA")
        throw AcmeError(400, "badSignatureAlgorithm", "JWS algorithm '" + jws.alg.substr(0, 16) + "' is not supported (ES256, ES384, RS256, EdDSA)",
                        nullptr);
    jws.kid = string_member(jws.header, "kid", false);
    if (auto it = jws.header.find("jwk"); it != jws.header.end()) {
        if (!it->is_object()) malformed("the JWS's \"jwk\" is not an object");
        jws.jwk = *it;
    }
    if (jws.jwk.is_null() == jws.kid.empty()) malformed("the JWS protected header needs exactly one of \"jwk\" and \"kid\"");
    jws.nonce = string_member(jws.header, "nonce", false);
    jws.url = string_member(jws.header, "url", true);
    if (jws.header.contains("crit")) malformed("the JWS has a \"crit\" header this server does not understand");
    return jws;
}

bool verify_jws(const Jws& jws, const EVP_PKEY* key) {
    const int id = EVP_PKEY_get_base_id(key);
    const EVP_MD* md = nullptr;
    Bytes sig = jws.signature;
    if (jws.alg == "ES256" || jws.alg == "ES384") {
        const bool p256 = jws.alg == "ES256";
        if (id != EVP_PKEY_EC || ec_group(key) != (p256 ? "prime256v1" : "secp384r1")) return false;
        auto der = ecdsa_der(sig, p256 ? 32 : 48);
        if (!der) return false;
        sig = std::move(*der);
        md = p256 ? EVP_sha256() : EVP_sha384();
    } else if (jws.alg == "RS256") {
        if (id != EVP_PKEY_RSA) return false;
        md = EVP_sha256();
    } else if (jws.alg == "EdDSA") {
        if (id != EVP_PKEY_ED25519) return false;
    } else {
        return false;
    }
    const std::string input = jws.protected_b64 + "." + jws.payload_b64;
    ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, const_cast<EVP_PKEY*>(key)) != 1) return false;
    return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

}  // namespace pkilab::acme
