#include "ca/auth/password_hash.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ca/bytes.hpp"
#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"

namespace pkilab {

namespace {

constexpr std::string_view kPrefix = "$pbkdf2-sha256$";
constexpr size_t kSaltBytes = 16;
constexpr size_t kMinSaltBytes = 8;
constexpr size_t kMaxSaltBytes = 64;
constexpr size_t kHashBytes = 32;  // SHA-256's output: a longer key would only cost the checker more
// i=10000000 with a 64-byte salt and a 32-byte hash is about 150 characters; anything much
// longer is not a hash, and a bound keeps the checks below cheap on hostile input.
constexpr size_t kMaxPhcChars = 256;

struct Phc {
    std::uint32_t iterations = 0;
    Bytes salt;
    Bytes hash;
};

std::string unpadded_base64(ByteView bytes) {
    std::string s = base64_encode(bytes);
    while (!s.empty() && s.back() == '=') s.pop_back();
    return s;
}

// PHC strings carry standard base64 without '=' padding, and one encoding per value: trailing
// bits that are not zero would let two strings stand for one hash.
std::string decode_unpadded(std::string_view text, std::string_view what, Bytes& out) {
    if (text.empty()) return "the " + std::string(what) + " is empty";
    if (text.find('=') != std::string_view::npos)
        return "the " + std::string(what) + " has base64 padding ('='); PHC strings leave it out";
    const bool alphabet = std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    });
    if (!alphabet) return "the " + std::string(what) + " is not base64 (A-Z a-z 0-9 + /)";
    if (text.size() % 4 == 1) return "the " + std::string(what) + " is not base64 (its length cannot be)";
    std::string padded(text);
    padded.append((4 - padded.size() % 4) % 4, '=');
    try {
        out = base64_decode(padded, what);
    } catch (const Error&) {
        return "the " + std::string(what) + " is not base64";
    }
    if (unpadded_base64(out) != text) return "the " + std::string(what) + " is not canonical base64 (stray low bits)";
    return {};
}

// Empty and `out` filled when `phc` is well formed; otherwise what is wrong. Never throws
// InputError: a lab file's error message is made from the answer.
std::string parse(std::string_view phc, Phc& out) {
    if (phc.empty()) return "the password hash is empty";
    if (phc.size() > kMaxPhcChars)
        return "the password hash is longer than " + std::to_string(kMaxPhcChars) + " characters";
    if (!phc.starts_with(kPrefix)) return "not $pbkdf2-sha256$...: the only scheme understood is PBKDF2-HMAC-SHA256";
    std::string_view rest = phc.substr(kPrefix.size());
    std::array<std::string_view, 3> fields;
    for (size_t i = 0; i < fields.size(); ++i) {
        const size_t dollar = rest.find('$');
        if ((dollar == std::string_view::npos) != (i + 1 == fields.size()))
            return "expected $pbkdf2-sha256$i=ITERATIONS$SALT$HASH (" +
                   std::string(i + 1 == fields.size() ? "too many" : "too few") + " '$'-separated fields)";
        fields[i] = rest.substr(0, dollar);
        rest = dollar == std::string_view::npos ? std::string_view{} : rest.substr(dollar + 1);
    }
    const std::string_view params = fields[0];
    if (!params.starts_with("i="))
        return "the parameters are '" + std::string(params) + "', not i=ITERATIONS";
    const std::string_view digits = params.substr(2);
    // Decimal with no sign, no leading zero and nothing after it: one spelling per count.
    const bool decimal = !digits.empty() && digits.size() <= 10 &&
                         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!decimal) return "i= is not a whole number";
    if (digits.size() > 1 && digits[0] == '0') return "i= has a leading zero";
    std::uint64_t iterations = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), iterations);
    if (iterations < kMinPbkdf2Iterations) return "i= is below " + std::to_string(kMinPbkdf2Iterations);
    if (iterations > kMaxPbkdf2Iterations) return "i= is above " + std::to_string(kMaxPbkdf2Iterations);
    out.iterations = static_cast<std::uint32_t>(iterations);

    if (std::string p = decode_unpadded(fields[1], "salt", out.salt); !p.empty()) return p;
    if (out.salt.size() < kMinSaltBytes || out.salt.size() > kMaxSaltBytes)
        return "the salt is " + std::to_string(out.salt.size()) + " bytes; " + std::to_string(kMinSaltBytes) + " to " +
               std::to_string(kMaxSaltBytes) + " are allowed";
    if (std::string p = decode_unpadded(fields[2], "hash", out.hash); !p.empty()) return p;
    if (out.hash.size() != kHashBytes)
        return "the hash is " + std::to_string(out.hash.size()) + " bytes, not " + std::to_string(kHashBytes);
    return {};
}

Bytes derive(std::string_view password, ByteView salt, std::uint32_t iterations) {
    Bytes key(kHashBytes);
    ossl::check(PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                                  static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                                  static_cast<int>(key.size()), key.data()),
                "PKCS5_PBKDF2_HMAC");
    return key;
}

// OpenSSL takes the password's length as an int.
constexpr size_t kMaxPasswordBytes = INT_MAX;

}  // namespace

std::string hash_password(std::string_view password, std::uint32_t iterations) {
    if (iterations < kMinPbkdf2Iterations || iterations > kMaxPbkdf2Iterations)
        throw InputError("password hash", "iterations", std::to_string(iterations) + " is out of range",
                         "use " + std::to_string(kMinPbkdf2Iterations) + " to " + std::to_string(kMaxPbkdf2Iterations) +
                             " (the default is " + std::to_string(kDefaultPbkdf2Iterations) + ")");
    if (password.size() > kMaxPasswordBytes) throw InputError("password hash", "password", "the password is too long");
    Bytes salt(kSaltBytes);
    ossl::check(RAND_bytes(salt.data(), static_cast<int>(salt.size())), "RAND_bytes for a password salt");
    Bytes key = derive(password, salt, iterations);
    std::string phc = std::string(kPrefix) + "i=" + std::to_string(iterations) + "$" + unpadded_base64(salt) + "$" +
                      unpadded_base64(key);
    OPENSSL_cleanse(key.data(), key.size());
    return phc;
}

std::string password_hash_problem(std::string_view phc) {
    Phc parsed;
    try {
        return parse(phc, parsed);
    } catch (const std::exception&) {
        // Only allocation can fail in there; the caller still needs a sentence, not an exception.
        return "the password hash cannot be read";
    }
}

bool verify_password(std::string_view password, std::string_view phc) {
    Phc parsed;
    try {
        if (!parse(phc, parsed).empty()) return false;
    } catch (const std::exception&) {
        return false;
    }
    if (password.size() > kMaxPasswordBytes) return false;
    Bytes key = derive(password, parsed.salt, parsed.iterations);
    const bool same = CRYPTO_memcmp(key.data(), parsed.hash.data(), kHashBytes) == 0;
    OPENSSL_cleanse(key.data(), key.size());
    return same;
}

}  // namespace pkilab
