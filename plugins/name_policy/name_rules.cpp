#include "name_rules.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <string>

namespace pkilab::name_policy {

namespace {

std::string norm(std::string_view s) {
    std::string out(s);
    while (!out.empty() && out.back() == '.') out.pop_back();
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool valid_dns_pattern(std::string_view pattern) {
    std::string p = norm(pattern);
    if (p.starts_with("*.")) p = p.substr(2);
    else if (p.starts_with(".")) p = p.substr(1);
    if (p.empty() || p.size() > 253) return false;
    size_t label = 0;
    for (char c : p) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
        } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
            if (++label > 63) return false;
        } else {
            return false;
        }
    }
    return label > 0;
}

bool dns_matches(std::string_view pattern_in, std::string_view name_in) {
    const std::string pattern = norm(pattern_in);
    const std::string name = norm(name_in);
    if (pattern.starts_with("*.")) {
        const std::string_view base = std::string_view(pattern).substr(1);  // ".lab.test"
        if (name == pattern) return true;                                  // the wildcard itself
        if (!ends_with(name, base)) return false;
        const std::string_view label = std::string_view(name).substr(0, name.size() - base.size());
        return !label.empty() && label.find('.') == std::string_view::npos && label != "*";
    }
    if (pattern.starts_with(".")) return name.size() > pattern.size() && ends_with(name, pattern);
    return name == pattern;
}

std::optional<IpRange> parse_ip_range(std::string_view text) {
    IpRange r;
    std::string addr(text);
    std::optional<int> prefix;
    if (auto slash = addr.find('/'); slash != std::string::npos) {
        const std::string bits = addr.substr(slash + 1);
        addr.resize(slash);
        if (bits.empty() || bits.size() > 3 || bits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
        prefix = std::stoi(bits);
    }
    if (inet_pton(AF_INET, addr.c_str(), r.base.data()) == 1) {
        r.family = 4;
        r.prefix = prefix.value_or(32);
        if (r.prefix > 32) return std::nullopt;
    } else if (inet_pton(AF_INET6, addr.c_str(), r.base.data()) == 1) {
        r.family = 6;
        r.prefix = prefix.value_or(128);
        if (r.prefix > 128) return std::nullopt;
    } else {
        return std::nullopt;
    }
    return r;
}

bool ip_in(const IpRange& range, std::string_view address) {
    std::array<std::uint8_t, 16> a{};
    const std::string text(address);
    const int family = text.find(':') != std::string::npos ? 6 : 4;
    if (family != range.family || inet_pton(family == 4 ? AF_INET : AF_INET6, text.c_str(), a.data()) != 1) return false;
    int bits = range.prefix;
    for (size_t i = 0; bits > 0; ++i, bits -= 8) {
        const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
        if ((a[i] & mask) != (range.base[i] & mask)) return false;
    }
    return true;
}

bool email_domain_matches(std::string_view rule, std::string_view email) {
    const auto at = email.rfind('@');
    if (at == std::string_view::npos) return false;
    const std::string domain = norm(email.substr(at + 1));
    const std::string r = norm(rule);
    if (r.starts_with(".")) return domain.size() > r.size() && ends_with(domain, r);
    return domain == r;
}

// Greedy with one backtrack point (the last star): linear in practice, never exponential,
// whatever the request's URI is.
bool uri_matches(std::string_view pattern, std::string_view uri) {
    size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < uri.size()) {
        if (p < pattern.size() && pattern[p] != '*' && pattern[p] == uri[t]) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

}  // namespace pkilab::name_policy
