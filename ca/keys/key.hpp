#pragma once
// Key algorithms the CA knows, generating keys, and describing a public key.
#include <optional>
#include <string>
#include <string_view>

#include "ca/ossl/ptr.hpp"

namespace pkilab {

enum class KeyAlgorithm { Rsa, Ec, Ed25519 };

const char* to_string(KeyAlgorithm a);  // "rsa", "ec", "ed25519"

// What to generate, or what a rule allows. `bits` is meaningful for RSA only, `curve` for EC
// only ("P-256", "P-384", "P-521").
struct KeySpec {
    KeyAlgorithm algorithm = KeyAlgorithm::Ec;
    int bits = 0;
    std::string curve;

    bool operator==(const KeySpec&) const = default;
};

// "rsa2048", "rsa3072", "rsa4096", "rsa1024", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521",
// "ed25519" (also accepted: "p256", "ec256", "rsa:2048"). Throws InputError naming `field`.
KeySpec parse_key_spec(std::string_view text, std::string_view field = "key");
std::string to_string(const KeySpec& s);  // canonical form: "rsa2048", "ecdsa-p256", "ed25519"

// What a public key is. For RSA `bits` is the modulus size and `rsa_exponent` the public
// exponent (0 when it does not fit 64 bits); for EC `curve` is the NIST name when known,
// else the OpenSSL short name.
struct KeyInfo {
    KeyAlgorithm algorithm = KeyAlgorithm::Ec;
    int bits = 0;
    std::string curve;
    unsigned long long rsa_exponent = 0;
    bool rsa_pss = false;     // an RSASSA-PSS key (RFC 4055): RSA, but for signatures only
    std::string description;  // "RSA 2048", "RSA-PSS 2048", "ECDSA P-256", "Ed25519"
};

// Throws InputError("key", ...) for a key type the CA does not support (DSA, X25519, SM2,
// an EC curve other than P-256/384/521, ...).
KeyInfo describe_key(const EVP_PKEY* key);

// Generates a fresh key; RSA uses public exponent 65537. Throws InputError for an
// unsupported spec, InternalError if OpenSSL fails.
ossl::PkeyPtr generate_key(const KeySpec& spec);

}  // namespace pkilab
