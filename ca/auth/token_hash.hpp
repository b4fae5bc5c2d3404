#pragma once
// Bearer tokens for the web users of a lab file. The file keeps only `token_sha256`, the
// lower-case hex SHA-256 of the token's text as the client sends it (what
// `printf %s TOKEN | sha256sum` prints), so a leaked lab file does not log anyone in.
#include <string>
#include <string_view>

namespace pkilab {

inline constexpr size_t kTokenBytes = 32;  // random bytes in a token `pkilab web new-token` makes

// A new token: kTokenBytes random bytes in base64url without padding (43 characters).
std::string new_token();

// The token_sha256 of `token`.
std::string token_sha256(std::string_view token);

// Whether `token` hashes to `expected_sha256_hex` (64 hex digits, either case), compared in
// constant time. False for a malformed `expected_sha256_hex`.
bool token_matches(std::string_view token, std::string_view expected_sha256_hex);

}  // namespace pkilab
