#pragma once
// Password hashes for the web users of a lab file: PBKDF2-HMAC-SHA256 (OpenSSL) in the PHC
// string format, "$pbkdf2-sha256$i=600000$SALT$HASH" (SALT and HASH in unpadded
// standard base64). passlib's variant (no "i=", "." for "+") is not read.
#include <cstdint>
#include <string>
#include <string_view>

namespace pkilab {

inline constexpr std::uint32_t kDefaultPbkdf2Iterations = 600'000;  // OWASP's 2023 figure for SHA-256
inline constexpr std::uint32_t kMinPbkdf2Iterations = 10'000;       // below this a hash is refused
inline constexpr std::uint32_t kMaxPbkdf2Iterations = 10'000'000;   // above this checking it is a denial of service

// A new hash with a random 16-byte salt.
std::string hash_password(std::string_view password, std::uint32_t iterations = kDefaultPbkdf2Iterations);

// Empty when `phc` is a well-formed hash this module can check; otherwise what is wrong with it
// ("not $pbkdf2-sha256$...", "i= is below 10000", ...), for the lab file's error message.
std::string password_hash_problem(std::string_view phc);

// Constant-time comparison of the derived key. False for a malformed hash.
bool verify_password(std::string_view password, std::string_view phc);

}  // namespace pkilab
