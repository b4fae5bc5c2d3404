#pragma once
// External account binding (RFC 8555 §7.3.4): a JWS, MACed with HS256 under a key the lab gave
// out, over the new account's JWK. The keys live in STATE/acme/eab-keys (mode 0600), one
// "KID KEY" line each, KEY base64url as certbot's --eab-hmac-key and lego's --hmac take it.
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace pkilab::acme {

// The key of `kid` in the file, read now (an admin may add lines while the server runs).
std::optional<std::string> find_eab_key(const std::filesystem::path& file, const std::string& kid);
// Writes the file with one generated key when it does not exist; returns the first kid in it.
std::string ensure_eab_keys(const std::filesystem::path& file);
// The binding's kid once it checks: HS256 under the kid's key, "url" the newAccount URL, no
// nonce, the payload the account's JWK. AcmeError (malformed, unauthorized) otherwise.
std::string verify_eab(const nlohmann::json& binding, const nlohmann::json& account_jwk, const std::string& url,
                       const std::filesystem::path& keys);

}  // namespace pkilab::acme
