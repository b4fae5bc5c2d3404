#include "ca/x509/general_name.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>

#include "ca/errors.hpp"

namespace pkilab {
namespace {

std::optional<InputError> name_error(std::string_view text) {
    try {
        parse_general_name(text, "san");
    } catch (const InputError& e) {
        return e;
    }
    return std::nullopt;
}

GeneralName round_trip(const GeneralName& n) { return from_openssl(to_openssl(n).get(), "test"); }

TEST(GeneralNameParse, AcceptsEachType) {
    EXPECT_EQ(parse_general_name("dns:www.lab.test", "san"), (GeneralName{NameType::Dns, "www.lab.test"}));
    EXPECT_EQ(parse_general_name("DNS:*.lab.test", "san"), (GeneralName{NameType::Dns, "*.lab.test"}));
    EXPECT_EQ(parse_general_name("ip:10.0.0.1", "san"), (GeneralName{NameType::Ip, "10.0.0.1"}));
    EXPECT_EQ(parse_general_name("email:admin@lab.test", "san"), (GeneralName{NameType::Email, "admin@lab.test"}));
    EXPECT_EQ(parse_general_name("uri:https://pki.lab.test/x", "san"),
              (GeneralName{NameType::Uri, "https://pki.lab.test/x"}));
    EXPECT_EQ(parse_general_name("upn:user@corp.lab", "san"), (GeneralName{NameType::Upn, "user@corp.lab"}));
    EXPECT_EQ(to_string(parse_general_name("dns:www.lab.test", "san")), "dns:www.lab.test");
}

TEST(GeneralNameParse, Ipv6IsCanonicalisedToRfc5952) {
    EXPECT_EQ(parse_general_name("ip:2001:0DB8:0000:0000:0000:0000:0000:0001", "san").value, "2001:db8::1");
    EXPECT_EQ(parse_general_name("ip:::FFFF:10.0.0.1", "san").value, "::ffff:10.0.0.1");
}

TEST(GeneralNameParse, CidrRangesForNameConstraints) {
    auto n = parse_general_name("ip:10.0.0.0/8", "permitted");
    EXPECT_EQ(n.value, "10.0.0.0/8");
    auto gn = to_openssl(n);
    int type = 0;
    auto* octets = static_cast<ASN1_OCTET_STRING*>(GENERAL_NAME_get0_value(gn.get(), &type));
    ASSERT_EQ(type, GEN_IPADD);
    ASSERT_EQ(ASN1_STRING_length(octets), 8);
    const unsigned char expect[] = {10, 0, 0, 0, 255, 0, 0, 0};
    EXPECT_EQ(std::memcmp(ASN1_STRING_get0_data(octets), expect, 8), 0);
    EXPECT_EQ(parse_general_name("ip:2001:db8::/32", "permitted").value, "2001:db8::/32");
}

TEST(GeneralNameParse, DirNameIsNormalisedToRfc4514) {
    EXPECT_EQ(parse_general_name("dirname:/C=US/O=Lab/CN=x", "san").value, "CN=x, O=Lab, C=US");
}

TEST(GeneralNameParse, OtherNameIsOidAndHexDer) {
    auto n = parse_general_name("other:1.2.3.4:0C03616263", "san");
    EXPECT_EQ(n.value, "1.2.3.4:0c03616263");
    EXPECT_EQ(round_trip(n), n);
}

struct BadName {
    const char* label;
    std::string text;
    std::string field;
    std::string problem;
};

class GeneralNameRejects : public ::testing::TestWithParam<BadName> {};

TEST_P(GeneralNameRejects, WithPreciseError) {
    const BadName& c = GetParam();
    auto e = name_error(c.text);
    ASSERT_TRUE(e.has_value()) << c.text;
    EXPECT_EQ(e->where(), "san");
    EXPECT_EQ(e->field(), c.field);
    EXPECT_NE(e->problem().find(c.problem), std::string::npos) << e->problem();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GeneralNameRejects,
    ::testing::Values(
        BadName{"no_type", "www.lab.test", "", "has no name type"},
        BadName{"unknown_type", "x400:foo", "", "unknown name type 'x400'"},
        BadName{"dns_nul", std::string("dns:www\0.lab.test", 17), "dns", "NUL byte"},
        BadName{"dns_space", "dns:www lab.test", "dns", "contains a space"},
        BadName{"dns_empty_label", "dns:a..b", "dns", "empty label"},
        BadName{"dns_leading_dot", "dns:.lab.test", "dns", "empty label"},
        BadName{"dns_double_wildcard", "dns:*.*.x", "dns", "only allowed as the whole leftmost label"},
        BadName{"dns_partial_wildcard", "dns:w*.lab.test", "dns", "only allowed as the whole leftmost label"},
        BadName{"dns_bare_wildcard", "dns:*", "dns", "needs a domain"},
        BadName{"dns_long_label", "dns:" + std::string(64, 'a') + ".test", "dns", "label of 64 characters"},
        BadName{"dns_too_long", "dns:" + std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                                    std::string(63, 'c') + "." + std::string(63, 'd') + ".test",
                "dns", "at most 253"},
        BadName{"dns_hyphen_edge", "dns:-www.lab.test", "dns", "starts or ends with '-'"},
        BadName{"dns_underscore", "dns:_acme.lab.test", "dns", "character '_' is not allowed"},
        BadName{"dns_non_ascii", "dns:b\xC3\xBC" "cher.test", "dns", "non-ASCII"},
        BadName{"dns_trailing_dot", "dns:www.lab.test.", "dns", "ends with a dot"},
        BadName{"dns_empty", "dns:", "dns", "empty DNS name"},
        BadName{"ip_octet_too_big", "ip:999.1.1.1", "ip", "not an IPv4 or IPv6 address"},
        BadName{"ip_short", "ip:10.1.1", "ip", "not an IPv4 or IPv6 address"},
        BadName{"ip_host_bits", "ip:10.1.0.0/8", "ip", "host bits set"},
        BadName{"ip_bad_prefix", "ip:10.0.0.0/33", "ip", "not a prefix length"},
        BadName{"email_two_at", "email:a@b@lab.test", "email", "exactly one '@'"},
        BadName{"email_no_at", "email:lab.test", "email", "exactly one '@'"},
        BadName{"email_empty_local", "email:@lab.test", "email", "empty local part"},
        BadName{"email_bad_domain", "email:a@lab..test", "email", "email domain"},
        BadName{"uri_no_scheme", "uri://pki.lab.test", "uri", "has no scheme"},
        BadName{"uri_space", "uri:http://a b", "uri", "contains a space"},
        BadName{"uri_empty_rest", "uri:http:", "uri", "nothing after the scheme"},
        BadName{"upn_no_at", "upn:user", "upn", "exactly one '@'"},
        BadName{"upn_control", "upn:us\ter@corp", "upn", "control character"},
        BadName{"other_not_der", "other:1.2.3:0c05ab", "other", "not one complete DER element"},
        BadName{"other_trailing", "other:1.2.3:0500ff", "other", "not one complete DER element"},
        BadName{"other_bad_oid", "other:1.x:0500", "other", "not a dotted OID"},
        BadName{"dirname_bad", "dirname:FOO=x", "dirname", "unknown attribute type"}),
    [](const ::testing::TestParamInfo<BadName>& p) { return std::string(p.param.label); });

TEST(GeneralNameValidate, ChecksAnAlreadyBuiltName) {
    EXPECT_NO_THROW(validate_general_name({NameType::Dns, "a.b"}, "x"));
    try {
        validate_general_name({NameType::Ip, "1.2.3.256"}, "cas[0].permitted_names[2]");
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "cas[0].permitted_names[2]");
        EXPECT_EQ(e.field(), "ip");
    }
}

TEST(GeneralNameType, ParsesWordsAndRefusesOthers) {
    EXPECT_EQ(parse_name_type("DirName", "w"), NameType::DirName);
    EXPECT_EQ(parse_name_type("rfc822", "w"), NameType::Email);
    EXPECT_STREQ(to_string(NameType::Upn), "upn");
    EXPECT_THROW(parse_name_type("rid", "w"), InputError);
}

TEST(GeneralNameOpenSsl, RoundTripsEveryType) {
    for (const char* text : {"dns:www.lab.test", "dns:*.lab.test", "ip:192.168.1.7", "ip:2001:db8::7",
                             "email:a@lab.test", "uri:ldap://dc1.lab.test/CN=x", "upn:u\xC3\xBC@corp.lab",
                             "dirname:CN=x, O=Lab"}) {
        GeneralName n = parse_general_name(text, "t");
        EXPECT_EQ(round_trip(n), n) << text;
    }
}

TEST(GeneralNameOpenSsl, UpnIsMicrosoftOtherNameWithUtf8String) {
    auto gn = to_openssl(GeneralName{NameType::Upn, "user@corp.lab"});
    ASN1_OBJECT* oid = nullptr;
    ASN1_TYPE* value = nullptr;
    ASSERT_EQ(GENERAL_NAME_get0_otherName(gn.get(), &oid, &value), 1);
    char buf[64];
    OBJ_obj2txt(buf, sizeof buf, oid, 1);
    EXPECT_STREQ(buf, "1.3.6.1.4.1.311.20.2.3");
    EXPECT_EQ(ASN1_TYPE_get(value), V_ASN1_UTF8STRING);
}

TEST(GeneralNameOpenSsl, ToOpensslRefusesInvalidValues) {
    EXPECT_THROW(to_openssl(GeneralName{NameType::Dns, "a..b"}), InputError);
}

ossl::GeneralNamePtr raw_name(int type, const void* data, int len) {
    ossl::GeneralNamePtr gn(GENERAL_NAME_new());
    ASN1_STRING* s = ASN1_STRING_type_new(type == GEN_IPADD ? V_ASN1_OCTET_STRING : V_ASN1_IA5STRING);
    ASN1_STRING_set(s, data, len);
    GENERAL_NAME_set0_value(gn.get(), type, s);
    return gn;
}

TEST(GeneralNameOpenSsl, FromOpensslRefusesEmbeddedNul) {
    auto gn = raw_name(GEN_DNS, "evil.test\0.good.test", 20);
    try {
        from_openssl(gn.get(), "CSR");
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "CSR");
        EXPECT_EQ(e.field(), "dns");
        EXPECT_NE(e.problem().find("embedded NUL"), std::string::npos) << e.problem();
    }
}

TEST(GeneralNameOpenSsl, FromOpensslRefusesBadIpLength) {
    const unsigned char five[] = {1, 2, 3, 4, 5};
    auto gn = raw_name(GEN_IPADD, five, 5);
    try {
        from_openssl(gn.get(), "CSR");
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.field(), "ip");
        EXPECT_NE(e.problem().find("5 bytes (expected 4 or 16)"), std::string::npos) << e.problem();
    }
}

TEST(GeneralNameOpenSsl, FromOpensslRefusesNonAsciiInIa5) {
    auto gn = raw_name(GEN_EMAIL, "a\xFF@b.test", 9);
    EXPECT_THROW(from_openssl(gn.get(), "CSR"), InputError);
}

TEST(GeneralNameOpenSsl, StackConversionKeepsOrder) {
    ossl::GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
    sk_GENERAL_NAME_push(names.get(), to_openssl({NameType::Dns, "b.test"}).release());
    sk_GENERAL_NAME_push(names.get(), to_openssl({NameType::Ip, "10.0.0.2"}).release());
    auto out = from_openssl(names.get(), "t");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(to_string(out[0]), "dns:b.test");
    EXPECT_EQ(to_string(out[1]), "ip:10.0.0.2");
}

}  // namespace
}  // namespace pkilab
