#pragma once
// Flattened JWS (RFC 7515 §7.2.2) as ACME sends it (RFC 8555 §6.2): parsing and checking the
// shape, then verifying the signature with a key the caller chose (the jwk header's, or the
// account's for a kid).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "ca/bytes.hpp"

namespace pkilab::acme {

inline constexpr std::size_t kMaxJwsBytes = 128 * 1024;

struct Jws {
    std::string protected_b64;  // as sent: the signing input is protected_b64 "." payload_b64
    std::string payload_b64;
    Bytes signature;
    nlohmann::json header;      // the decoded protected header (an object)
    std::string alg;            // ES256, ES384, RS256 or EdDSA
    nlohmann::json jwk;         // null unless the header has "jwk"
    std::string kid;            // empty unless the header has "kid" (exactly one of the two)
    std::string nonce;          // may be empty (an inner key-change JWS has none)
    std::string url;
    std::string payload;        // decoded; empty for POST-as-GET
    bool post_as_get() const { return payload_b64.empty(); }
    // The payload as a JSON object (malformed otherwise).
    nlohmann::json payload_json() const;
};

// A payload member of the type ACME gives it, or `fallback` when absent; malformed when it has
// another type (nlohmann's own value() would throw a type_error, a 500).
bool payload_flag(const nlohmann::json& payload, const char* name, bool fallback = false);
std::string payload_text(const nlohmann::json& payload, const char* name, const std::string& fallback = {});

// Throws AcmeError (malformed, badSignatureAlgorithm) for anything but a flattened JWS object
// with the members ACME requires.
Jws parse_jws(std::string_view body);
Jws parse_jws(const nlohmann::json& body);
// Whether `key` signed the JWS under its alg (the key's type must fit the alg: ES256 needs
// P-256, ES384 P-384, RS256 RSA, EdDSA Ed25519). ES* signatures are raw r||s (RFC 7518 §3.4).
bool verify_jws(const Jws& jws, const EVP_PKEY* key);

}  // namespace pkilab::acme
