// The name policy's matching rules, name by name: every DNS pattern kind against bare,
// single-label, deeper and wildcard names; IP ranges; email domains; URI globs.
#include "plugins/name_policy/name_rules.hpp"

#include <gtest/gtest.h>

namespace pkilab::name_policy {
namespace {

TEST(NameRules, DnsPatternsNameByName) {
    struct Case {
        const char* pattern;
        const char* name;
        bool match;
    };
    const Case cases[] = {
        // the bare domain
        {"lab.test", "lab.test", true},
        {"lab.test", "LAB.test.", true},
        {"lab.test", "www.lab.test", false},
        {"lab.test", "*.lab.test", false},
        // subdomains, any depth, not the domain itself
        {".lab.test", "lab.test", false},
        {".lab.test", "www.lab.test", true},
        {".lab.test", "a.b.lab.test", true},
        {".lab.test", "*.lab.test", true},
        {".lab.test", "evillab.test", false},
        {".lab.test", "www.lab.test.evil", false},
        // one label below, and the wildcard itself
        {"*.lab.test", "lab.test", false},
        {"*.lab.test", "www.lab.test", true},
        {"*.lab.test", "a.b.lab.test", false},
        {"*.lab.test", "*.lab.test", true},
        {"*.lab.test", "*.b.lab.test", false},
        {"*.lab.test", "xlab.test", false},
    };
    for (const auto& c : cases) EXPECT_EQ(dns_matches(c.pattern, c.name), c.match) << c.pattern << " vs " << c.name;
    for (const char* ok : {"lab.test", ".lab.test", "*.lab.test", "a-b.c_d.test"}) EXPECT_TRUE(valid_dns_pattern(ok)) << ok;
    for (const char* bad : {"", ".", "*.", "a..b", "a b.test", "*.*.lab.test", "x.*.lab.test"})
        EXPECT_FALSE(valid_dns_pattern(bad)) << bad;
}

TEST(NameRules, IpRanges) {
    auto r8 = parse_ip_range("10.0.0.0/8");
    ASSERT_TRUE(r8);
    EXPECT_TRUE(ip_in(*r8, "10.255.1.2"));
    EXPECT_FALSE(ip_in(*r8, "11.0.0.1"));
    EXPECT_FALSE(ip_in(*r8, "::ffff:10.0.0.1"));  // another family
    auto one = parse_ip_range("192.168.1.7");
    ASSERT_TRUE(one);
    EXPECT_TRUE(ip_in(*one, "192.168.1.7"));
    EXPECT_FALSE(ip_in(*one, "192.168.1.8"));
    auto v6 = parse_ip_range("2001:db8::/32");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(ip_in(*v6, "2001:db8:1::1"));
    EXPECT_FALSE(ip_in(*v6, "2001:db9::1"));
    auto odd = parse_ip_range("10.0.0.0/12");
    ASSERT_TRUE(odd);
    EXPECT_TRUE(ip_in(*odd, "10.15.0.1"));
    EXPECT_FALSE(ip_in(*odd, "10.16.0.1"));
    for (const char* bad : {"10.0.0.0/33", "10.0.0/8", "fe80::/129", "10.0.0.0/", "x"}) EXPECT_FALSE(parse_ip_range(bad)) << bad;
}

TEST(NameRules, EmailDomainsAndUris) {
    EXPECT_TRUE(email_domain_matches("lab.test", "alice@lab.test"));
    EXPECT_FALSE(email_domain_matches("lab.test", "alice@sub.lab.test"));
    EXPECT_TRUE(email_domain_matches(".lab.test", "alice@sub.lab.test"));
    EXPECT_FALSE(email_domain_matches(".lab.test", "alice@lab.test"));
    EXPECT_FALSE(email_domain_matches("lab.test", "alice@evil.test@lab.test.evil"));
    EXPECT_TRUE(uri_matches("https://*.lab.test/*", "https://a.lab.test/x/y"));
    EXPECT_FALSE(uri_matches("https://*.lab.test/*", "http://a.lab.test/x"));
    EXPECT_TRUE(uri_matches("spiffe://lab.test/*", "spiffe://lab.test/ns/web"));
    // No exponential backtracking on a hostile URI.
    EXPECT_FALSE(uri_matches("*a*a*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
}

}  // namespace
}  // namespace pkilab::name_policy
