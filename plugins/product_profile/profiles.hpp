#pragma once
// The product profiles, as data: each is what one kind of certificate consumer requires,
// with the source of every rule in `basis`.
#include <string_view>
#include <vector>

namespace pkilab::product_profile {

struct Eku {
    std::string_view oid;
    std::string_view name;
};

struct Profile {
    std::string_view name;   // what --profile and config: {profile: ...} say
    std::string_view title;  // for people
    std::string_view basis;  // where the rules come from
    std::vector<Eku> required_ekus;
    std::vector<Eku> recommended_ekus;  // a warning when absent
    bool require_cdp = false;           // at least one HTTP CRL distribution point
    bool require_aia = false;           // caIssuers or OCSP location
    bool forbid_pss = false;            // RSASSA-PSS signatures
    bool forbid_sha1 = false;
    int rsa_min_bits = 2048;            // below: error
    int rsa_warn_below = 0;             // below (and at least rsa_min_bits): warning
    std::vector<std::string_view> curves;  // allowed EC curves; empty: no EC
    bool allow_ed25519 = false;
    bool require_dns_san = false;
    bool cn_in_san = false;             // a CN must also be a DNS SAN
    bool no_ip_in_cn = false;
    int max_validity_days = 0;          // 0: no limit
    bool uses_pool_settings = false;    // Lync: pool_fqdn, sip_domains, lyncdiscover
};

const std::vector<Profile>& profiles();
const Profile* find_profile(std::string_view name);

}  // namespace pkilab::product_profile
