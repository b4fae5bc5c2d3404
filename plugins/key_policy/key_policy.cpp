// key_policy: which public keys a request (or a certificate under check) may carry.
//
// config:
//   algorithms:   [rsa, ec, ed25519]   allowed key algorithms (default: all three)
//   rsa_min_bits: 2048                 smallest RSA modulus (default 2048)
//   rsa_sizes:    [2048, 3072, 4096]   if given, the only RSA sizes allowed
//   curves:       [P-256, P-384, P-521] allowed EC curves (default: these three)
//   rsa_exponent_65537: true           only e = 65537 (default true)
//   fermat_rounds: 100                 Fermat steps to try on RSA moduli; 0 turns it off
//   reject_roca: true                  refuse RSA moduli with the ROCA (CVE-2017-15361) fingerprint
#include <algorithm>
#include <string>
#include <vector>

#include "fermat.hpp"
#include "roca.hpp"
#include "pkilab_plugin.hpp"

namespace {

using pkilab::sdk::Config;
using pkilab::sdk::ConfigError;
using pkilab::sdk::Reporter;
using pkilab::sdk::view;

const char* algorithm_name(std::uint32_t a) {
    switch (a) {
        case PKILAB_KEY_RSA: return "rsa";
        case PKILAB_KEY_EC: return "ec";
        case PKILAB_KEY_ED25519: return "ed25519";
    }
    return "unknown";
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
    return out;
}

class KeyPolicy {
public:
    explicit KeyPolicy(const Config& c) {
        c.only({"algorithms", "rsa_min_bits", "rsa_sizes", "curves", "rsa_exponent_65537", "fermat_rounds", "reject_roca"});
        for (auto a : c.all("algorithms")) {
            if (a != "rsa" && a != "ec" && a != "ed25519")
                throw ConfigError("algorithms", "unknown algorithm '" + std::string(a) + "' (use rsa, ec, ed25519)");
            algorithms_.emplace_back(a);
        }
        if (algorithms_.empty()) algorithms_ = {"rsa", "ec", "ed25519"};
        rsa_min_bits_ = c.integer("rsa_min_bits", 2048);
        if (rsa_min_bits_ < 512 || rsa_min_bits_ > 16384) throw ConfigError("rsa_min_bits", "must be between 512 and 16384");
        for (auto s : c.all("rsa_sizes")) {
            try {
                rsa_sizes_.push_back(std::stoi(std::string(s)));
            } catch (const std::exception&) {
                throw ConfigError("rsa_sizes", "'" + std::string(s) + "' is not a key size");
            }
        }
        for (auto k : c.all("curves")) {
            if (k != "P-256" && k != "P-384" && k != "P-521")
                throw ConfigError("curves", "unknown curve '" + std::string(k) + "' (use P-256, P-384, P-521)");
            curves_.emplace_back(k);
        }
        if (curves_.empty()) curves_ = {"P-256", "P-384", "P-521"};
        exponent_65537_ = c.boolean("rsa_exponent_65537", true);
        fermat_rounds_ = static_cast<int>(c.integer("fermat_rounds", 100));
        reject_roca_ = c.boolean("reject_roca", true);
        if (fermat_rounds_ < 0 || fermat_rounds_ > 100000) throw ConfigError("fermat_rounds", "must be between 0 and 100000");
    }

    std::uint32_t evaluate(const pkilab_request& r, Reporter& out) const {
        const pkilab_key* key = r.csr != nullptr ? &r.csr->key : (r.cert != nullptr ? &r.cert->key : nullptr);
        if (key == nullptr) return PKILAB_VERDICT_ABSTAIN;
        const std::string alg = algorithm_name(key->algorithm);
        if (std::find(algorithms_.begin(), algorithms_.end(), alg) == algorithms_.end()) {
            out.error("key.algorithm.not_allowed", "key", alg + " keys are not allowed (allowed: " + joined(algorithms_) + ")",
                      "make a key of an allowed algorithm");
            return out.verdict();
        }
        if (key->algorithm == PKILAB_KEY_RSA) check_rsa(*key, out);
        if (key->algorithm == PKILAB_KEY_EC) {
            const std::string curve(view(key->curve));
            if (std::find(curves_.begin(), curves_.end(), curve) == curves_.end())
                out.error("key.ec.curve_not_allowed", "key", "EC curve " + curve + " is not allowed (allowed: " + joined(curves_) + ")",
                          "make a key on an allowed curve");
        }
        return out.verdict();
    }

private:
    void check_rsa(const pkilab_key& key, Reporter& out) const {
        const long long bits = key.bits;
        if (bits < rsa_min_bits_)
            out.error("key.rsa.too_small", "key",
                      "RSA " + std::to_string(bits) + " is smaller than the " + std::to_string(rsa_min_bits_) + " bits required",
                      "make an RSA key of at least " + std::to_string(rsa_min_bits_) + " bits, or an ECDSA key");
        if (!rsa_sizes_.empty() && std::find(rsa_sizes_.begin(), rsa_sizes_.end(), bits) == rsa_sizes_.end()) {
            std::string sizes;
            for (int s : rsa_sizes_) sizes += (sizes.empty() ? "" : ", ") + std::to_string(s);
            out.error("key.rsa.size_not_allowed", "key", "RSA " + std::to_string(bits) + " is not an allowed size (" + sizes + ")",
                      "make a key of one of the allowed sizes");
        }
        if (exponent_65537_) {
            const bool is_65537 = key.rsa_exponent.len == 3 && key.rsa_exponent.ptr[0] == 0x01 &&
                                  key.rsa_exponent.ptr[1] == 0x00 && key.rsa_exponent.ptr[2] == 0x01;
            if (!is_65537)
                out.error("key.rsa.exponent", "key", "the RSA public exponent is not 65537",
                          "generate the key with the standard exponent 65537 (small exponents such as 3 invite attacks)");
        }
        if (fermat_rounds_ > 0 && key.rsa_modulus.len > 0 &&
            pkilab::key_policy::fermat_factorable(key.rsa_modulus.ptr, key.rsa_modulus.len, fermat_rounds_))
            out.error("key.rsa.fermat", "key",
                      "the RSA modulus factors by Fermat's method: its two primes are too close together",
                      "the key generator is broken (as in CVE-2022-26320): replace the key, and the device or library that made it");
        if (reject_roca_ && key.rsa_modulus.len > 0 &&
            pkilab::key_policy::roca_fingerprint(key.rsa_modulus.ptr, key.rsa_modulus.len))
            out.error("key.rsa.roca", "key",
                      "the RSA modulus has the ROCA fingerprint (CVE-2017-15361): it was made by a vulnerable Infineon "
                      "library and can be factored",
                      "update the device's firmware (TPM, smart card, token) and generate a new key");
    }

    bool reject_roca_ = true;
    std::vector<std::string> algorithms_;
    long long rsa_min_bits_ = 2048;
    std::vector<int> rsa_sizes_;
    std::vector<std::string> curves_;
    bool exponent_65537_ = true;
    int fermat_rounds_ = 100;
};

}  // namespace

PKILAB_DEFINE_PLUGIN(KeyPolicy, "key-policy", "1.1.0",
                     "key algorithms, RSA sizes and exponent, EC curves, Fermat-factorable and ROCA RSA moduli",
                     PKILAB_PLUGIN_THREAD_SAFE)
