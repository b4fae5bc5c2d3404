// name_policy: which names the certificate may carry, each judged on its own, so a request
// with one bad name among ten gets one finding naming it.
//
// config:
//   dns_allow: [".lab.test", "lab.test"]   patterns (see name_rules.hpp); empty: any name
//   dns_deny:  [".prod.lab.test"]          wins over dns_allow
//   allow_wildcards: false                 names such as *.lab.test
//   ip_allow:  ["10.0.0.0/8"]              ranges; empty: any address
//   ip_deny:   ["10.0.0.1"]
//   email_domains: ["lab.test", ".lab.test"]  empty: any
//   uri_patterns: ["https://*.lab.test/*"]    empty: any
//   max_sans: 0                            at most this many SANs (0: no limit)
//   cn_in_sans: false                      every CN must also be a DNS or IP SAN
//   check_cn: true                         a CN that is a host name is judged as a DNS name too
#include <string>
#include <vector>

#include "name_rules.hpp"
#include "pkilab_plugin.hpp"

namespace {

namespace np = pkilab::name_policy;
using pkilab::sdk::Config;
using pkilab::sdk::ConfigError;
using pkilab::sdk::Reporter;
using pkilab::sdk::view;

std::vector<std::string> dns_patterns(const Config& c, std::string_view key) {
    std::vector<std::string> out;
    for (auto v : c.all(key)) {
        if (!np::valid_dns_pattern(v))
            throw ConfigError(std::string(key), "'" + std::string(v) + "' is not a DNS pattern (lab.test, .lab.test or *.lab.test)");
        out.emplace_back(v);
    }
    return out;
}

std::vector<np::IpRange> ip_ranges(const Config& c, std::string_view key) {
    std::vector<np::IpRange> out;
    for (auto v : c.all(key)) {
        auto r = np::parse_ip_range(v);
        if (!r) throw ConfigError(std::string(key), "'" + std::string(v) + "' is not an address or a range such as 10.0.0.0/8");
        out.push_back(*r);
    }
    return out;
}

std::vector<std::string> strings(const Config& c, std::string_view key) {
    std::vector<std::string> out;
    for (auto v : c.all(key)) out.emplace_back(v);
    return out;
}

bool looks_like_host(std::string_view s) {
    return s.find('.') != std::string_view::npos && s.find(' ') == std::string_view::npos && s.find('@') == std::string_view::npos;
}

using pkilab::sdk::common_names;

class NamePolicy {
public:
    explicit NamePolicy(const Config& c)
        : dns_allow_(dns_patterns(c, "dns_allow")), dns_deny_(dns_patterns(c, "dns_deny")),
          ip_allow_(ip_ranges(c, "ip_allow")), ip_deny_(ip_ranges(c, "ip_deny")),
          email_domains_(strings(c, "email_domains")), uri_patterns_(strings(c, "uri_patterns")) {
        c.only({"dns_allow", "dns_deny", "allow_wildcards", "ip_allow", "ip_deny", "email_domains", "uri_patterns", "max_sans",
                "cn_in_sans", "check_cn"});
        allow_wildcards_ = c.boolean("allow_wildcards", false);
        max_sans_ = c.integer("max_sans", 0);
        if (max_sans_ < 0) throw ConfigError("max_sans", "must be 0 (no limit) or more");
        cn_in_sans_ = c.boolean("cn_in_sans", false);
        check_cn_ = c.boolean("check_cn", true);
    }

    std::uint32_t evaluate(const pkilab_request& r, Reporter& out) const {
        // The names the certificate will carry: the draft's when there is one, else the request's.
        const pkilab_name* names = nullptr;
        size_t count = 0;
        std::string_view subject;
        if (r.cert != nullptr) {
            names = r.cert->sans;
            count = r.cert->san_count;
            subject = view(r.cert->subject);
        } else if (r.csr != nullptr) {
            names = r.csr->sans;
            count = r.csr->san_count;
            subject = view(r.csr->subject);
        } else {
            return PKILAB_VERDICT_ABSTAIN;
        }
        if (max_sans_ > 0 && static_cast<long long>(count) > max_sans_)
            out.error("name.too_many", "extensions.subjectAltName",
                      std::to_string(count) + " names, over the " + std::to_string(max_sans_) + " allowed",
                      "split the names over several certificates");
        std::vector<std::string> host_sans;
        for (size_t i = 0; i < count; ++i) {
            const std::string field = "san[" + std::to_string(i) + "]";
            const std::string value(view(names[i].value));
            switch (names[i].type) {
                case PKILAB_NAME_DNS:
                    host_sans.push_back(value);
                    check_dns(value, field, out);
                    break;
                case PKILAB_NAME_IP:
                    host_sans.push_back(value);
                    check_ip(value, field, out);
                    break;
                case PKILAB_NAME_EMAIL: check_email(value, field, out); break;
                case PKILAB_NAME_URI: check_uri(value, field, out); break;
                default: break;
            }
        }
        for (const auto& cn : common_names(subject)) {
            if (check_cn_ && looks_like_host(cn) && !np::parse_ip_range(cn)) check_dns(cn, "subject.CN", out);
            if (cn_in_sans_) {
                bool found = false;
                for (const auto& h : host_sans) found = found || np::dns_matches(h, cn) || h == cn;
                if (!found)
                    out.error("name.cn_not_in_san", "subject.CN", "the CN '" + cn + "' is not among the subjectAltNames",
                              "add it as a DNS (or IP) SAN: clients match names in the SAN, not the CN");
            }
        }
        return out.verdict();
    }

private:
    void check_dns(const std::string& name, const std::string& field, Reporter& out) const {
        if (name.starts_with("*.") && !allow_wildcards_) {
            out.error("name.dns.wildcard", field, "wildcard name " + name + " is not allowed", "request each host name instead");
            return;
        }
        for (const auto& p : dns_deny_)
            if (np::dns_matches(p, name)) {
                out.error("name.dns.denied", field, name + " is denied (rule " + p + ")", "request a name outside " + p);
                return;
            }
        if (dns_allow_.empty()) return;
        for (const auto& p : dns_allow_)
            if (np::dns_matches(p, name)) return;
        out.error("name.dns.not_allowed", field, name + " is not among the allowed names (" + joined(dns_allow_) + ")",
                  "request a name the CA may certify");
    }

    void check_ip(const std::string& ip, const std::string& field, Reporter& out) const {
        for (const auto& r : ip_deny_)
            if (np::ip_in(r, ip)) {
                out.error("name.ip.denied", field, "IP address " + ip + " is denied", "request another address");
                return;
            }
        if (ip_allow_.empty()) return;
        for (const auto& r : ip_allow_)
            if (np::ip_in(r, ip)) return;
        out.error("name.ip.not_allowed", field, "IP address " + ip + " is outside the allowed ranges", "request an address in them");
    }

    void check_email(const std::string& email, const std::string& field, Reporter& out) const {
        if (email_domains_.empty()) return;
        for (const auto& d : email_domains_)
            if (np::email_domain_matches(d, email)) return;
        out.error("name.email.not_allowed", field, email + " is not in an allowed domain (" + joined(email_domains_) + ")",
                  "request an address in an allowed domain");
    }

    void check_uri(const std::string& uri, const std::string& field, Reporter& out) const {
        if (uri_patterns_.empty()) return;
        for (const auto& p : uri_patterns_)
            if (np::uri_matches(p, uri)) return;
        out.error("name.uri.not_allowed", field, uri + " matches none of the allowed URI patterns (" + joined(uri_patterns_) + ")",
                  "request a URI that matches one");
    }

    static std::string joined(const std::vector<std::string>& v) {
        std::string out;
        for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
        return out;
    }

    std::vector<std::string> dns_allow_, dns_deny_;
    std::vector<np::IpRange> ip_allow_, ip_deny_;
    std::vector<std::string> email_domains_, uri_patterns_;
    bool allow_wildcards_ = false;
    long long max_sans_ = 0;
    bool cn_in_sans_ = false;
    bool check_cn_ = true;
};

}  // namespace

PKILAB_DEFINE_PLUGIN(NamePolicy, "name-policy", "1.0.0",
                     "DNS allow/deny with wildcard and subdomain rules, IP ranges, email domains, URI patterns, SAN count",
                     PKILAB_PLUGIN_THREAD_SAFE)
