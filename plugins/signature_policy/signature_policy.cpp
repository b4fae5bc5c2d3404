// signature_policy: the signature the CA is about to make (and, optionally, the request's own).
//
// config:
//   hashes: [sha256, sha384, sha512]   allowed hashes (default these three; sha1 needs allow_sha1)
//   allow_sha1: false                  allow SHA-1 (legacy simulation)
//   forbid_pss: false                  refuse RSASSA-PSS (products such as Lync/Skype for Business reject it)
//   check_request: false               apply the same rules to the CSR's self-signature
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "pkilab_plugin.hpp"

namespace {

using pkilab::sdk::Config;
using pkilab::sdk::ConfigError;
using pkilab::sdk::Reporter;
using pkilab::sdk::view;

using pkilab::sdk::lower;

// The hash of an algorithm as OpenSSL names it: "sha256WithRSAEncryption", "ecdsa-with-SHA384",
// "RSASSA-PSS (SHA256)", "ED25519" (no separate hash: "eddsa").
std::string hash_of(std::string_view algorithm) {
    const std::string a = lower(algorithm);
    if (a.find("ed25519") != std::string::npos || a.find("ed448") != std::string::npos) return "eddsa";
    for (const char* h : {"sha512", "sha384", "sha256", "sha224", "sha1", "md5"})
        if (a.find(h) != std::string::npos) return h;
    if (a.find("sha-") != std::string::npos) {  // "ecdsa-with-SHA256" is matched above; other spellings
        for (const char* h : {"512", "384", "256", "224", "1"})
            if (a.find(std::string("sha-") + h) != std::string::npos) return std::string("sha") + h;
    }
    return "unknown";
}

class SignaturePolicy {
public:
    explicit SignaturePolicy(const Config& c) {
        c.only({"hashes", "allow_sha1", "forbid_pss", "check_request"});
        for (auto h : c.all("hashes")) {
            const std::string hash = lower(h);
            if (hash != "sha256" && hash != "sha384" && hash != "sha512" && hash != "sha1" && hash != "sha224")
                throw ConfigError("hashes", "unknown hash '" + std::string(h) + "' (use sha256, sha384, sha512, sha1)");
            hashes_.push_back(hash);
        }
        if (hashes_.empty()) hashes_ = {"sha256", "sha384", "sha512"};
        allow_sha1_ = c.boolean("allow_sha1", false);
        if (std::find(hashes_.begin(), hashes_.end(), "sha1") != hashes_.end() && !allow_sha1_)
            throw ConfigError("hashes", "sha1 is listed but allow_sha1 is not true");
        forbid_pss_ = c.boolean("forbid_pss", false);
        check_request_ = c.boolean("check_request", false);
    }

    std::uint32_t evaluate(const pkilab_request& r, Reporter& out) const {
        if (r.cert != nullptr) check("signatureAlgorithm", "the CA's signature", view(r.cert->signature_algorithm), out,
                                     "sign with an allowed hash (the CA's hash: in the lab file)");
        if (check_request_ && r.csr != nullptr)
            check("csr.signature", "the request's signature", view(r.csr->signature_algorithm), out,
                  "sign the request with an allowed hash (e.g. openssl req -sha256)");
        return r.cert == nullptr && !(check_request_ && r.csr != nullptr) ? PKILAB_VERDICT_ABSTAIN : out.verdict();
    }

private:
    void check(std::string_view field, const std::string& what, std::string_view algorithm, Reporter& out,
               const std::string& hint) const {
        if (forbid_pss_ && lower(algorithm).find("pss") != std::string::npos)
            out.error("signature.pss", field, what + " would be RSASSA-PSS, which this policy forbids",
                      "use PKCS#1 v1.5 (rsa_pss: false on the CA) or ECDSA");
        const std::string hash = hash_of(algorithm);
        if (hash == "eddsa") return;  // Ed25519 has its hash built in
        if (hash == "sha1" && !allow_sha1_) {
            out.error("signature.sha1", field, what + " uses SHA-1, which is broken for signatures", hint);
            return;
        }
        if (std::find(hashes_.begin(), hashes_.end(), hash) == hashes_.end())
            out.error("signature.hash_not_allowed", field,
                      what + " uses " + (hash == "unknown" ? "an unknown hash (" + std::string(algorithm) + ")" : hash) +
                          ", which is not allowed",
                      hint);
    }

    std::vector<std::string> hashes_;
    bool allow_sha1_ = false;
    bool forbid_pss_ = false;
    bool check_request_ = false;
};

}  // namespace

PKILAB_DEFINE_PLUGIN(SignaturePolicy, "signature-policy", "1.0.0", "allowed signature hashes, SHA-1 and RSASSA-PSS",
                     PKILAB_PLUGIN_THREAD_SAFE)
