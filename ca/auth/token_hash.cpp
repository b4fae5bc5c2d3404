#include "ca/auth/token_hash.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ca/bytes.hpp"
#include "ca/ossl/error.hpp"

namespace pkilab {

namespace {

Bytes sha256(std::string_view text) {
    Bytes md(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    ossl::check(EVP_Digest(text.data(), text.size(), md.data(), &len, EVP_sha256(), nullptr), "SHA-256 of a token");
    md.resize(len);
    return md;
}

}  // namespace

std::string new_token() {
    Bytes random(kTokenBytes);
    ossl::check(RAND_bytes(random.data(), static_cast<int>(random.size())), "RAND_bytes for a token");
    // base64url (RFC 4648 section 5): the token goes into HTTP headers and shell commands as it is.
    std::string token = base64_encode(random);
    OPENSSL_cleanse(random.data(), random.size());
    while (!token.empty() && token.back() == '=') token.pop_back();
    for (char& c : token) {
        if (c == '+') c = '-';
        else if (c == '/') c = '_';
    }
    return token;
}

std::string token_sha256(std::string_view token) { return to_hex(sha256(token)); }

bool token_matches(std::string_view token, std::string_view expected_sha256_hex) {
    if (expected_sha256_hex.size() != 64) return false;
    Bytes expected(32);
    for (size_t i = 0; i < expected.size(); ++i) {
        const int hi = hex_digit_value(expected_sha256_hex[2 * i]);
        const int lo = hex_digit_value(expected_sha256_hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        expected[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    const Bytes actual = sha256(token);
    return CRYPTO_memcmp(actual.data(), expected.data(), expected.size()) == 0;
}

}  // namespace pkilab
