#include "ca/keys/key.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <openssl/core_names.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"

namespace pkilab {

namespace {

constexpr std::array<int, 4> kRsaSizes{1024, 2048, 3072, 4096};

struct CurveName {
    const char* nist;     // "P-256"
    const char* openssl;  // "prime256v1"
    const char* spec;     // "ecdsa-p256"
};
constexpr std::array<CurveName, 3> kCurves{{
    {"P-256", "prime256v1", "ecdsa-p256"},
    {"P-384", "secp384r1", "ecdsa-p384"},
    {"P-521", "secp521r1", "ecdsa-p521"},
}};

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

const CurveName* find_curve(std::string_view name) {
    for (const auto& c : kCurves)
        if (name == c.nist || name == c.openssl) return &c;
    return nullptr;
}

bool rsa_size_supported(int bits) {
    return std::find(kRsaSizes.begin(), kRsaSizes.end(), bits) != kRsaSizes.end();
}

constexpr const char* kSpecHint =
    "use rsa2048, rsa3072, rsa4096, rsa1024, ecdsa-p256, ecdsa-p384, ecdsa-p521 or ed25519";

// Parses the digits of "2048"; anything else gives 0.
int parse_bits(std::string_view digits) {
    if (digits.empty() || digits.size() > 5) return 0;
    int v = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return 0;
        v = v * 10 + (c - '0');
    }
    return v;
}

// The public exponent, or 0 when it does not fit 64 bits. Read through the byte form so that
// the result does not depend on the width of BN_ULONG.
unsigned long long exponent_of(const EVP_PKEY* key) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &raw) <= 0) {
        ossl::BignumPtr guard(raw);
        ossl::throw_error("reading the RSA public exponent");
    }
    ossl::BignumPtr e(raw);
    if (BN_num_bits(e.get()) > 64) return 0;
    std::array<unsigned char, 8> buf{};
    if (BN_bn2binpad(e.get(), buf.data(), static_cast<int>(buf.size())) < 0)
        ossl::throw_error("encoding the RSA public exponent");
    unsigned long long v = 0;
    for (unsigned char b : buf) v = (v << 8) | b;
    return v;
}

}  // namespace

const char* to_string(KeyAlgorithm a) {
    switch (a) {
        case KeyAlgorithm::Rsa: return "rsa";
        case KeyAlgorithm::Ec: return "ec";
        case KeyAlgorithm::Ed25519: return "ed25519";
    }
    return "unknown";
}

KeySpec parse_key_spec(std::string_view text, std::string_view field) {
    const std::string t = lower(text);
    std::string shown;
    for (char c : text.substr(0, 40)) shown.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    const std::string quoted = "'" + shown + "'";
    if (t == "ed25519") return KeySpec{KeyAlgorithm::Ed25519, 0, ""};

    std::string_view rest = t;
    if (rest.starts_with("rsa")) {
        rest.remove_prefix(3);
        if (rest.starts_with(":") || rest.starts_with("-")) rest.remove_prefix(1);
        int bits = parse_bits(rest);
        if (bits == 0)
            throw InputError(std::string(field), "", quoted + " is not a key type", kSpecHint);
        if (!rsa_size_supported(bits))
            throw InputError(std::string(field), "",
                             "RSA key size " + std::to_string(bits) + " is not supported",
                             "use 1024, 2048, 3072 or 4096 bits");
        return KeySpec{KeyAlgorithm::Rsa, bits, ""};
    }

    // "ecdsa-p256", "ecdsa-p-256", "ec-p256", "p256", "p-256", "ec256", "ecdsa256"
    bool named_ec = false;
    for (std::string_view prefix : {"ecdsa-", "ecdsa", "ec-", "ec"}) {
        if (rest.starts_with(prefix)) {
            rest.remove_prefix(prefix.size());
            named_ec = true;
            break;
        }
    }
    if (rest.starts_with("p")) {
        rest.remove_prefix(rest.starts_with("p-") ? 2 : 1);
        named_ec = true;
    }
    if (named_ec && (rest == "256" || rest == "384" || rest == "521")) {
        return KeySpec{KeyAlgorithm::Ec, 0, "P-" + std::string(rest)};
    }
    throw InputError(std::string(field), "", quoted + " is not a key type the CA supports",
                     kSpecHint);
}

std::string to_string(const KeySpec& s) {
    switch (s.algorithm) {
        case KeyAlgorithm::Rsa: return "rsa" + std::to_string(s.bits);
        case KeyAlgorithm::Ec: {
            const CurveName* c = find_curve(s.curve);
            return c != nullptr ? c->spec : "ecdsa-" + lower(s.curve);
        }
        case KeyAlgorithm::Ed25519: return "ed25519";
    }
    return "unknown";
}

KeyInfo describe_key(const EVP_PKEY* key) {
    if (key == nullptr) throw InternalError("describe_key: no key");
    KeyInfo info;
    if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")) {
        info.algorithm = KeyAlgorithm::Rsa;
        info.bits = EVP_PKEY_get_bits(key);
        info.rsa_exponent = exponent_of(key);
        info.rsa_pss = EVP_PKEY_is_a(key, "RSA-PSS");
        info.description = (EVP_PKEY_is_a(key, "RSA-PSS") ? "RSA-PSS " : "RSA ") +
                           std::to_string(info.bits);
        return info;
    }
    if (EVP_PKEY_is_a(key, "EC")) {
        char group[80] = {};
        size_t len = 0;
        {
            ossl::ErrorMark mark;
            if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                               sizeof group, &len) <= 0)
                throw InputError("key", "curve",
                                 "EC key with explicit curve parameters (no named curve)",
                                 "use a named curve: P-256, P-384 or P-521");
        }
        const CurveName* c = find_curve(std::string_view(group, len));
        if (c == nullptr)
            throw InputError("key", "curve",
                             "EC curve " + std::string(group, len) + " is not supported",
                             "use P-256, P-384 or P-521");
        info.algorithm = KeyAlgorithm::Ec;
        info.bits = EVP_PKEY_get_bits(key);
        info.curve = c->nist;
        info.description = std::string("ECDSA ") + c->nist;
        return info;
    }
    if (EVP_PKEY_is_a(key, "ED25519")) {
        info.algorithm = KeyAlgorithm::Ed25519;
        info.bits = 256;
        info.description = "Ed25519";
        return info;
    }
    const char* name = "unknown";
    if (EVP_PKEY_is_a(key, "ED448")) name = "Ed448";
    else if (EVP_PKEY_is_a(key, "X25519")) name = "X25519";
    else if (EVP_PKEY_is_a(key, "X448")) name = "X448";
    else if (EVP_PKEY_is_a(key, "DSA")) name = "DSA";
    else if (EVP_PKEY_is_a(key, "DH") || EVP_PKEY_is_a(key, "DHX")) name = "DH";
    else if (EVP_PKEY_is_a(key, "SM2")) name = "SM2";
    else if (const char* tn = EVP_PKEY_get0_type_name(key); tn != nullptr) name = tn;
    throw InputError("key", "algorithm", std::string(name) + " keys are not supported",
                     "use an RSA, ECDSA (P-256, P-384, P-521) or Ed25519 key");
}

ossl::PkeyPtr generate_key(const KeySpec& spec) {
    switch (spec.algorithm) {
        case KeyAlgorithm::Rsa: {
            if (!rsa_size_supported(spec.bits))
                throw InputError("key", "bits",
                                 "RSA key size " + std::to_string(spec.bits) + " is not supported",
                                 "use 1024, 2048, 3072 or 4096 bits");
            // OpenSSL's default public exponent is 65537.
            ossl::PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA",
                                                static_cast<size_t>(spec.bits)));
            ossl::check(key.get(), "generating an RSA key");
            return key;
        }
        case KeyAlgorithm::Ec: {
            const CurveName* c = find_curve(spec.curve);
            if (c == nullptr)
                throw InputError("key", "curve", "EC curve '" + spec.curve + "' is not supported",
                                 "use P-256, P-384 or P-521");
            ossl::PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", c->nist));
            ossl::check(key.get(), "generating an EC key");
            return key;
        }
        case KeyAlgorithm::Ed25519: {
            ossl::PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
            ossl::check(key.get(), "generating an Ed25519 key");
            return key;
        }
    }
    throw InternalError("generate_key: unknown key algorithm");
}

}  // namespace pkilab
