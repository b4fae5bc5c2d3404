#pragma once
// JSON Web Keys (RFC 7517) of the kinds ACME clients use: EC P-256/P-384, RSA, Ed25519 (OKP);
// their RFC 7638 thumbprints, which key authorizations carry.
#include <string>

#include <nlohmann/json.hpp>

#include "ca/ossl/ptr.hpp"

namespace pkilab::acme {

// The public key a JWK describes. AcmeError (malformed / badPublicKey) for anything else,
// including private members ("d") a client must never send.
ossl::PkeyPtr jwk_to_key(const nlohmann::json& jwk);
// The JWK of a public key (EC P-256/P-384, RSA, Ed25519): tests and the thumbprint's members.
nlohmann::json key_to_jwk(const EVP_PKEY* key);
// Only the members that make the key (RFC 7638 §3.2), as a server keeps it: nothing else a
// client sent (however deep) reaches the store.
nlohmann::json jwk_required_members(const nlohmann::json& jwk);
// RFC 7638: SHA-256 over the required members in lexicographic order, base64url.
std::string jwk_thumbprint(const nlohmann::json& jwk);

}  // namespace pkilab::acme
