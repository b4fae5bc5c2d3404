#include "ca/config/url_tokens.hpp"

#include <gtest/gtest.h>

#include "ca/errors.hpp"

namespace pkilab {
namespace {

UrlTokenValues values(int key_index = 0, bool delta = false) {
    return UrlTokenValues{"pki.lab.test", "lab-issuing-ca", key_index, delta};
}

struct ExpandCase {
    const char* name;
    const char* pattern;
    int key_index;
    bool delta;
    const char* expected;
};

class UrlTokenExpand : public ::testing::TestWithParam<ExpandCase> {};

TEST_P(UrlTokenExpand, ExpandsAsAdcsDoes) {
    const auto& c = GetParam();
    EXPECT_EQ(expand_url_tokens(c.pattern, values(c.key_index, c.delta), "test"), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, UrlTokenExpand,
    ::testing::Values(
        ExpandCase{"CdpNamedFirstKey", "http://<ServerDNSName>:8080/CertEnroll/<CaName><CRLNameSuffix><DeltaCRLAllowed>.crl",
                   0, false, "http://pki.lab.test:8080/CertEnroll/lab-issuing-ca.crl"},
        ExpandCase{"CdpNamedRenewedDelta", "http://<ServerDNSName>/CertEnroll/<CaName><CRLNameSuffix><DeltaCRLAllowed>.crl",
                   2, true, "http://pki.lab.test/CertEnroll/lab-issuing-ca(2)+.crl"},
        ExpandCase{"AiaNamed", "http://<ServerDNSName>/CertEnroll/<ServerDNSName>_<CaName><CertificateName>.crt", 1,
                   false, "http://pki.lab.test/CertEnroll/pki.lab.test_lab-issuing-ca(1).crt"},
        ExpandCase{"CdpNumbered", "http://%1/CertEnroll/%3%8%9.crl", 3, true,
                   "http://pki.lab.test/CertEnroll/lab-issuing-ca(3)+.crl"},
        ExpandCase{"AiaNumbered", "http://%1/CertEnroll/%1_%3%4.crt", 0, false,
                   "http://pki.lab.test/CertEnroll/pki.lab.test_lab-issuing-ca.crt"},
        ExpandCase{"ShortName", "http://<ServerShortName>/x", 0, false, "http://pki/x"},
        ExpandCase{"ShortNameNumbered", "http://%2/x", 0, false, "http://pki/x"},
        ExpandCase{"TruncatedName", "http://h/<CATruncatedName>.crl", 0, false, "http://h/lab-issuing-ca.crl"},
        ExpandCase{"DoublePercentIsLiteral", "http://h/a%%20b/%3.crl", 0, false, "http://h/a%20b/lab-issuing-ca.crl"},
        ExpandCase{"NoTokens", "http://ocsp.lab.test/ocsp", 0, false, "http://ocsp.lab.test/ocsp"},
        ExpandCase{"LoneGreaterThanIsLiteral", "http://h/a>b", 0, false, "http://h/a>b"}),
    [](const auto& tpi) { return std::string(tpi.param.name); });

TEST(UrlTokens, ShortNameOfAnIpAddressIsTheAddress) {
    UrlTokenValues v{"127.0.0.1", "ca", 0, false};
    EXPECT_EQ(expand_url_tokens("http://<ServerShortName>/", v, "t"), "http://127.0.0.1/");
}

TEST(UrlTokens, TruncatedNameIsAtMost32Characters) {
    UrlTokenValues v{"h", std::string(40, 'a'), 0, false};
    EXPECT_EQ(expand_url_tokens("http://h/<CATruncatedName>", v, "t"), "http://h/" + std::string(32, 'a'));
}

struct BadCase {
    const char* name;
    const char* pattern;
    const char* problem_part;
};

class UrlTokenBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(UrlTokenBad, IsRefusedWithWhere) {
    const auto& c = GetParam();
    try {
        check_url_pattern(c.pattern, "lab.yaml:3:7");
        FAIL() << "accepted " << c.pattern;
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "lab.yaml:3:7");
        EXPECT_NE(e.problem().find(c.problem_part), std::string::npos) << e.problem();
    }
    // expand refuses exactly what check refuses.
    EXPECT_THROW(expand_url_tokens(c.pattern, values(), "x"), InputError);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, UrlTokenBad,
    ::testing::Values(BadCase{"UnknownNamedToken", "http://<Server>/x", "unknown token <Server>"},
                      BadCase{"WrongCase", "http://<cAName>/x", "unknown token <cAName>"},
                      BadCase{"UnclosedAngle", "http://<ServerDNSName/x", "unclosed '<'"},
                      BadCase{"NestedAngle", "http://<Ca<CaName>/x", "unclosed '<'"},
                      BadCase{"LdapConfigurationContainer", "http://h/<ConfigurationContainer>", "LDAP"},
                      BadCase{"LdapCdpObjectClass", "http://h/<CDPObjectClass>", "LDAP"},
                      BadCase{"LdapCaObjectClass", "http://h/<CAObjectClass>", "LDAP"},
                      BadCase{"LdapPercent6", "http://h/%6", "LDAP"},
                      BadCase{"LdapPercent10", "http://h/%10", "LDAP"},
                      BadCase{"LdapPercent5", "http://h/%5", "LDAP"},
                      BadCase{"UnknownPercent0", "http://h/%0", "unknown token %0"},
                      BadCase{"StrayPercent", "http://h/a%", "stray '%'"},
                      BadCase{"PercentLetter", "http://h/%x", "stray '%'"},
                      BadCase{"LdapScheme", "ldap:///CN=<CaName>,CN=CDP", "LDAP URLs"},
                      BadCase{"NoScheme", "<ServerDNSName>/x.crl", "URL scheme"},
                      BadCase{"Space", "http://h/a b.crl", "space"}),
    [](const auto& tpi) { return std::string(tpi.param.name); });

TEST(UrlTokens, CaseSlipGetsDidYouMeanHint) {
    try {
        check_url_pattern("http://<caname>/", "w");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(e.hint().find("<CaName>"), std::string::npos) << e.hint();
    }
}

}  // namespace
}  // namespace pkilab
