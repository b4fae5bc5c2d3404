// product_profile: would this certificate work in product X? Rules per consumer, as data
// (profiles.cpp), applied to the certificate the CA is about to sign or to an existing one.
//
// config:
//   profile: lync2013 | lync2010 | skype2015 | cabf-tls | windows-kdc     (required)
//   pool_fqdn: pool01.lab.test      Lync: the pool's FQDN, which must be the CN and a SAN
//   sip_domains: [lab.test]         Lync: each needs sip.<domain> among the SANs
//   lyncdiscover: true              Lync: also lyncdiscover.<domain> (mobility, default false)
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "pkilab_plugin.hpp"
#include "profiles.hpp"

namespace {

using pkilab::product_profile::Profile;
using pkilab::sdk::Config;
using pkilab::sdk::ConfigError;
using pkilab::sdk::Reporter;
using pkilab::sdk::view;

using pkilab::sdk::common_names;
using pkilab::sdk::lower;

bool contains_ci(std::string_view hay, std::string_view needle) { return lower(hay).find(lower(needle)) != std::string::npos; }

bool looks_like_ip(std::string_view s) {
    return !s.empty() && (s.find(':') != std::string_view::npos || s.find_first_not_of("0123456789.") == std::string_view::npos);
}

class ProductProfile {
public:
    explicit ProductProfile(const Config& c) {
        c.only({"profile", "pool_fqdn", "sip_domains", "lyncdiscover"});
        const auto name = c.get("profile");
        std::string known;
        for (const auto& p : pkilab::product_profile::profiles()) known += (known.empty() ? "" : ", ") + std::string(p.name);
        if (!name) throw ConfigError("profile", "no profile is named (known: " + known + ")");
        profile_ = pkilab::product_profile::find_profile(*name);
        if (profile_ == nullptr) throw ConfigError("profile", "unknown profile '" + std::string(*name) + "' (known: " + known + ")");
        if (auto pool = c.get("pool_fqdn")) pool_ = lower(*pool);
        for (auto d : c.all("sip_domains")) sip_domains_.push_back(lower(d));
        lyncdiscover_ = c.boolean("lyncdiscover", false);
        if (!profile_->uses_pool_settings && (!pool_.empty() || !sip_domains_.empty()))
            throw ConfigError("pool_fqdn", "pool_fqdn and sip_domains apply to the Lync and Skype for Business profiles only");
    }

    std::uint32_t evaluate(const pkilab_request& r, Reporter& out) const {
        if (r.cert == nullptr) return PKILAB_VERDICT_ABSTAIN;  // nothing built to judge yet
        const pkilab_cert& c = *r.cert;
        const std::string who = std::string(profile_->title);
        check_ekus(c, out, who);
        check_locations(c, out, who);
        check_signature(c, out, who);
        check_key(c.key, out, who);
        check_names(c, out, who);
        if (profile_->max_validity_days > 0) {
            const long long days = (c.not_after - c.not_before) / 86400;
            if (days > profile_->max_validity_days)
                out.error("profile.validity.too_long", "validity",
                          "the certificate is valid for " + std::to_string(days) + " days; " + who + " accepts at most " +
                              std::to_string(profile_->max_validity_days),
                          "issue it with a template whose validity is at most " + std::to_string(profile_->max_validity_days) + " days");
        }
        return out.verdict();
    }

private:
    void check_ekus(const pkilab_cert& c, Reporter& out, const std::string& who) const {
        auto has = [&](std::string_view oid) {
            for (const auto& e : pkilab::sdk::ekus(c))
                if (view(e) == oid) return true;
            return false;
        };
        for (const auto& e : profile_->required_ekus)
            if (!has(e.oid))
                out.error("profile.eku.missing", "extensions.extendedKeyUsage",
                          who + " needs the " + std::string(e.name) + " EKU (" + std::string(e.oid) + ")",
                          "use a template that adds " + std::string(e.name) + " to the extended key usage");
        for (const auto& e : profile_->recommended_ekus)
            if (!has(e.oid))
                out.warning("profile.eku.recommended", "extensions.extendedKeyUsage",
                            "no " + std::string(e.name) + " EKU: " + who + " uses it for some roles",
                            "add " + std::string(e.name) + " if this server authenticates to others");
    }

    void check_locations(const pkilab_cert& c, Reporter& out, const std::string& who) const {
        if (profile_->require_cdp) {
            bool http = false;
            for (const auto& u : pkilab::sdk::crl_urls(c)) http = http || lower(view(u)).rfind("http://", 0) == 0;
            if (!http)
                out.error("profile.cdp.missing", "extensions.cRLDistributionPoints",
                          who + " checks revocation and needs an HTTP CRL distribution point; the certificate has " +
                              (c.crl_url_count == 0 ? std::string("none") : std::string("no http:// one")),
                          "issue it from a CA with an http:// CDP URL and a template that includes it");
        }
        if (profile_->require_aia && c.ca_issuer_url_count == 0 && c.ocsp_url_count == 0)
            out.error("profile.aia.missing", "extensions.authorityInfoAccess",
                      who + " needs an Authority Information Access extension (caIssuers or OCSP)",
                      "issue it from a CA with aia/ocsp URLs and a template that includes them");
    }

    void check_signature(const pkilab_cert& c, Reporter& out, const std::string& who) const {
        const std::string_view sig = view(c.signature_algorithm);
        if (profile_->forbid_pss && contains_ci(sig, "pss"))
            out.error("profile.signature.pss", "signatureAlgorithm",
                      "the certificate is signed with RSASSA-PSS, which " + who + " does not accept",
                      "issue it from a CA that signs with PKCS#1 v1.5 (rsa_pss: false) or ECDSA");
        if (profile_->forbid_sha1 && (contains_ci(sig, "sha1") || lower(sig) == "rsassa-pss (sha1)"))
            out.error("profile.signature.sha1", "signatureAlgorithm", who + " refuses SHA-1 signatures (" + std::string(sig) + ")",
                      "issue it from a CA that signs with SHA-256 or stronger");
    }

    void check_key(const pkilab_key& k, Reporter& out, const std::string& who) const {
        if (k.algorithm == PKILAB_KEY_RSA) {
            if (static_cast<int>(k.bits) < profile_->rsa_min_bits)
                out.error("profile.key.rsa_too_small", "key",
                          "RSA " + std::to_string(k.bits) + " is below the " + std::to_string(profile_->rsa_min_bits) +
                              " bits " + who + " accepts",
                          "use an RSA key of at least 2048 bits");
            else if (static_cast<int>(k.bits) < profile_->rsa_warn_below)
                out.warning("profile.key.rsa_small", "key",
                            "RSA " + std::to_string(k.bits) + " works but is below the recommended " +
                                std::to_string(profile_->rsa_warn_below),
                            "use RSA 2048 or larger");
        } else if (k.algorithm == PKILAB_KEY_EC) {
            const std::string curve(view(k.curve));
            if (std::find(profile_->curves.begin(), profile_->curves.end(), curve) == profile_->curves.end())
                out.error("profile.key.ec_not_supported", "key",
                          profile_->curves.empty() ? who + " does not support ECDSA certificates"
                                                   : "EC curve " + curve + " is not supported by " + who,
                          profile_->curves.empty() ? "use an RSA key" : "use P-256 or P-384");
        } else if (!profile_->allow_ed25519) {
            out.error("profile.key.ed25519_not_supported", "key", who + " does not support Ed25519 certificates",
                      "use an RSA or ECDSA key");
        }
    }

    void check_names(const pkilab_cert& c, Reporter& out, const std::string& who) const {
        std::vector<std::string> dns;
        for (const auto& n : pkilab::sdk::sans(c))
            if (n.type == PKILAB_NAME_DNS) dns.push_back(lower(view(n.value)));
        auto has_dns = [&](const std::string& name) { return std::find(dns.begin(), dns.end(), name) != dns.end(); };
        if (profile_->require_dns_san && dns.empty())
            out.error("profile.san.missing", "extensions.subjectAltName",
                      who + " matches names in the Subject Alternative Name, and the certificate has no DNS name there",
                      "request the server's DNS names as SANs");
        const auto cns = common_names(view(c.subject));
        for (const auto& cn : cns) {
            if (profile_->no_ip_in_cn && looks_like_ip(cn))
                out.error("profile.cn.ip", "subject.CN", "the CN is an IP address", "put IP addresses in the SAN only");
            if (profile_->cn_in_san && !dns.empty() && !has_dns(lower(cn)))
                out.error("profile.cn.not_in_san", "subject.CN", "the CN '" + cn + "' is not among the DNS SANs",
                          "add " + cn + " to the Subject Alternative Name");
        }
        if (!profile_->uses_pool_settings) return;
        if (!pool_.empty()) {
            if (cns.empty() || lower(cns.front()) != pool_)
                out.error("profile.lync.pool_cn", "subject.CN", "the CN must be the pool FQDN " + pool_,
                          "request CN=" + pool_);
            if (!has_dns(pool_))
                out.error("profile.lync.pool_san", "extensions.subjectAltName", "the pool FQDN " + pool_ + " is not a SAN",
                          "add dns:" + pool_);
        }
        for (const auto& d : sip_domains_) {
            if (!has_dns("sip." + d))
                out.error("profile.lync.sip_san", "extensions.subjectAltName", "sip." + d + " is not a SAN: clients of SIP domain " +
                              d + " look up the pool by it",
                          "add dns:sip." + d);
            if (lyncdiscover_ && !has_dns("lyncdiscover." + d))
                out.error("profile.lync.lyncdiscover_san", "extensions.subjectAltName",
                          "lyncdiscover." + d + " is not a SAN: mobile clients of " + d + " discover the service by it",
                          "add dns:lyncdiscover." + d);
        }
    }

    const Profile* profile_ = nullptr;
    std::string pool_;
    std::vector<std::string> sip_domains_;
    bool lyncdiscover_ = false;
};

}  // namespace

PKILAB_DEFINE_PLUGIN(ProductProfile, "product-profile", "1.0.0",
                     "would this certificate work in a product: Lync/Skype for Business, CA/B Forum TLS, Windows KDC",
                     PKILAB_PLUGIN_THREAD_SAFE)
