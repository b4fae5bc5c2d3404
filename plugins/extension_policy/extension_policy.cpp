// extension_policy: what the certificate must and must not carry.
//
// config (OIDs dotted; the common EKUs may be named):
//   required_ekus:  [serverAuth]          each must be in the extended key usage
//   forbidden_ekus: [anyExtendedKeyUsage] none may be
//   require_cdp: false                    a CRL distribution point must be present
//   require_aia: false                    a caIssuers or OCSP location must be present
//   required_extensions:  [2.5.29.17]
//   forbidden_extensions: [1.3.6.1.4.1.311.21.10]
#include <algorithm>
#include <string>
#include <vector>

#include "pkilab_plugin.hpp"

namespace {

using pkilab::sdk::Config;
using pkilab::sdk::ConfigError;
using pkilab::sdk::Reporter;
using pkilab::sdk::view;

struct Named {
    const char* name;
    const char* oid;
};
constexpr Named kEkus[] = {{"serverAuth", "1.3.6.1.5.5.7.3.1"},      {"clientAuth", "1.3.6.1.5.5.7.3.2"},
                           {"codeSigning", "1.3.6.1.5.5.7.3.3"},     {"emailProtection", "1.3.6.1.5.5.7.3.4"},
                           {"timeStamping", "1.3.6.1.5.5.7.3.8"},    {"OCSPSigning", "1.3.6.1.5.5.7.3.9"},
                           {"anyExtendedKeyUsage", "2.5.29.37.0"},   {"smartcardLogon", "1.3.6.1.4.1.311.20.2.2"},
                           {"kdcAuth", "1.3.6.1.5.2.3.5"},           {"msEFS", "1.3.6.1.4.1.311.10.3.4"}};

bool dotted(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

std::vector<std::string> oids(const Config& c, std::string_view key, bool names) {
    std::vector<std::string> out;
    for (auto v : c.all(key)) {
        std::string oid;
        if (names)
            for (const auto& e : kEkus)
                if (v == e.name) oid = e.oid;
        if (oid.empty() && dotted(v)) oid = std::string(v);
        if (oid.empty()) throw ConfigError(std::string(key), "'" + std::string(v) + "' is neither a known name nor a dotted OID");
        out.push_back(oid);
    }
    return out;
}

std::string shown(const std::string& oid) {
    for (const auto& e : kEkus)
        if (oid == e.oid) return std::string(e.name) + " (" + oid + ")";
    return oid;
}

class ExtensionPolicy {
public:
    explicit ExtensionPolicy(const Config& c)
        : required_ekus_(oids(c, "required_ekus", true)),
          forbidden_ekus_(oids(c, "forbidden_ekus", true)),
          required_ext_(oids(c, "required_extensions", false)),
          forbidden_ext_(oids(c, "forbidden_extensions", false)) {
        c.only({"required_ekus", "forbidden_ekus", "require_cdp", "require_aia", "required_extensions", "forbidden_extensions"});
        require_cdp_ = c.boolean("require_cdp", false);
        require_aia_ = c.boolean("require_aia", false);
    }

    std::uint32_t evaluate(const pkilab_request& r, Reporter& out) const {
        if (r.cert == nullptr) return PKILAB_VERDICT_ABSTAIN;
        const pkilab_cert& c = *r.cert;
        auto has_eku = [&](const std::string& oid) {
            for (const auto& e : pkilab::sdk::ekus(c))
                if (view(e) == oid) return true;
            return false;
        };
        auto has_ext = [&](const std::string& oid) {
            for (const auto& e : pkilab::sdk::extensions(c))
                if (view(e.oid) == oid) return true;
            return false;
        };
        for (const auto& oid : required_ekus_)
            if (!has_eku(oid))
                out.error("extension.eku.missing", "extensions.extendedKeyUsage", "the EKU lacks " + shown(oid),
                          "use a template whose extended_key_usage includes it");
        for (const auto& oid : forbidden_ekus_)
            if (has_eku(oid))
                out.error("extension.eku.forbidden", "extensions.extendedKeyUsage", "the EKU holds " + shown(oid) + ", which is forbidden",
                          "use a template without it");
        if (require_cdp_ && c.crl_url_count == 0)
            out.error("extension.cdp.missing", "extensions.cRLDistributionPoints", "the certificate has no CRL distribution point",
                      "issue it from a CA with cdp: URLs and a template that includes them");
        if (require_aia_ && c.ca_issuer_url_count == 0 && c.ocsp_url_count == 0)
            out.error("extension.aia.missing", "extensions.authorityInfoAccess", "the certificate has no AIA (caIssuers or OCSP)",
                      "issue it from a CA with aia:/ocsp: URLs and a template that includes them");
        for (const auto& oid : required_ext_)
            if (!has_ext(oid))
                out.error("extension.missing", "extensions." + oid, "extension " + oid + " is required but absent",
                          "use a template that writes it");
        for (const auto& oid : forbidden_ext_)
            if (has_ext(oid))
                out.error("extension.forbidden", "extensions." + oid, "extension " + oid + " is forbidden",
                          "use a template that does not write it");
        return out.verdict();
    }

private:
    std::vector<std::string> required_ekus_, forbidden_ekus_, required_ext_, forbidden_ext_;
    bool require_cdp_ = false, require_aia_ = false;
};

}  // namespace

PKILAB_DEFINE_PLUGIN(ExtensionPolicy, "extension-policy", "1.0.0",
                     "required and forbidden EKUs and extensions, CDP and AIA presence", PKILAB_PLUGIN_THREAD_SAFE)
