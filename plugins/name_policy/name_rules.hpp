#pragma once
// The matching rules of the name policy, apart from the plugin so tests can take them name by
// name.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pkilab::name_policy {

// DNS patterns: "lab.test" is that name only; ".lab.test" is any name below it (any depth,
// wildcard names included) but not lab.test itself; "*.lab.test" is one label below it (and
// the wildcard name *.lab.test). Case-insensitive; a trailing dot is ignored.
bool dns_matches(std::string_view pattern, std::string_view name);
bool valid_dns_pattern(std::string_view pattern);

struct IpRange {
    int family = 4;  // 4 or 6
    std::array<std::uint8_t, 16> base{};
    int prefix = 32;
};
// "10.0.0.0/8", "192.168.1.7" (a /32), "2001:db8::/32".
std::optional<IpRange> parse_ip_range(std::string_view text);
bool ip_in(const IpRange& range, std::string_view address);

// An email's domain against "lab.test" (exactly) or ".lab.test" (below it).
bool email_domain_matches(std::string_view domain_rule, std::string_view email);

// URI globs: '*' matches any run of characters, '/' included.
bool uri_matches(std::string_view pattern, std::string_view uri);

}  // namespace pkilab::name_policy
