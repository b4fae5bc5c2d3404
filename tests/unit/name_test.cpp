#include "ca/x509/name.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "ca/errors.hpp"

namespace pkilab {
namespace {

std::optional<InputError> dn_error(std::string_view text, std::string_view field = "") {
    try {
        parse_dn(text, "subject", field);
    } catch (const InputError& e) {
        return e;
    }
    return std::nullopt;
}

int string_type(const X509_NAME* name, int nid) {
    int i = X509_NAME_get_index_by_NID(name, nid, -1);
    if (i < 0) return -1;
    return ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
}

TEST(DnParse, Rfc4514IsMostSpecificFirstAndStoredInDerOrder) {
    auto name = parse_dn("CN=Lab Issuing CA, O=Example Lab, C=US");
    ASSERT_EQ(X509_NAME_entry_count(name.get()), 3);
    EXPECT_EQ(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(name.get(), 0))), NID_countryName);
    EXPECT_EQ(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(name.get(), 2))), NID_commonName);
    EXPECT_EQ(format_dn(name.get()), "CN=Lab Issuing CA, O=Example Lab, C=US");
}

TEST(DnParse, OpenSslSlashSyntaxIsDerOrder) {
    auto name = parse_dn("/C=US/O=Example Lab/CN=Lab Issuing CA");
    EXPECT_EQ(format_dn(name.get()), "CN=Lab Issuing CA, O=Example Lab, C=US");
    EXPECT_EQ(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(name.get(), 0))), NID_countryName);
}

TEST(DnParse, StringTypesFollowRfc5280) {
    auto name = parse_dn("E=admin@lab.test, CN=x, DC=lab, DC=test, serialNumber=1234, C=de");
    EXPECT_EQ(string_type(name.get(), NID_countryName), V_ASN1_PRINTABLESTRING);
    EXPECT_EQ(string_type(name.get(), NID_domainComponent), V_ASN1_IA5STRING);
    EXPECT_EQ(string_type(name.get(), NID_pkcs9_emailAddress), V_ASN1_IA5STRING);
    EXPECT_EQ(string_type(name.get(), NID_commonName), V_ASN1_UTF8STRING);
    EXPECT_EQ(string_type(name.get(), NID_serialNumber), V_ASN1_PRINTABLESTRING);
    EXPECT_EQ(dn_values(name.get(), NID_countryName), std::vector<std::string>{"DE"});
    EXPECT_EQ(dn_values(name.get(), NID_domainComponent), (std::vector<std::string>{"test", "lab"}));
}

TEST(DnParse, AttributeNamesAreCaseInsensitiveAndAliasesWork) {
    auto name = parse_dn("cn=a, t=Boss, gn=Ann, sn=Lee, email=a@b.test, st=Bavaria, l=Munich, "
                         "street=Main 1, postalcode=80331, uid=ann, ou=IT");
    EXPECT_EQ(format_dn(name.get()),
              "CN=a, title=Boss, GN=Ann, SN=Lee, emailAddress=a@b.test, ST=Bavaria, L=Munich, "
              "STREET=Main 1, postalCode=80331, UID=ann, OU=IT");
}

TEST(DnParse, MultiValuedRdnKeepsItsValuesTogether) {
    auto name = parse_dn("CN=a+UID=b, O=x");
    ASSERT_EQ(X509_NAME_entry_count(name.get()), 3);
    EXPECT_EQ(X509_NAME_ENTRY_set(X509_NAME_get_entry(name.get(), 1)),
              X509_NAME_ENTRY_set(X509_NAME_get_entry(name.get(), 2)));
    EXPECT_NE(X509_NAME_ENTRY_set(X509_NAME_get_entry(name.get(), 0)),
              X509_NAME_ENTRY_set(X509_NAME_get_entry(name.get(), 1)));
    EXPECT_EQ(format_dn(name.get()), "CN=a+UID=b, O=x");
}

TEST(DnParse, EscapesAndHexPairs) {
    auto name = parse_dn(R"(CN=Smith\, John \+ Co\\\"x\", O=\41\42C, OU=caf\C3\A9)");
    EXPECT_EQ(dn_values(name.get(), NID_commonName), std::vector<std::string>{"Smith, John + Co\\\"x\""});
    EXPECT_EQ(dn_values(name.get(), NID_organizationName), std::vector<std::string>{"ABC"});
    EXPECT_EQ(dn_values(name.get(), NID_organizationalUnitName), std::vector<std::string>{"caf\xC3\xA9"});
    EXPECT_EQ(format_dn(name.get()), R"(CN=Smith\, John \+ Co\\\"x\", O=ABC, OU=caf)" "\xC3\xA9");
}

TEST(DnParse, EscapedSpacesSurviveTrimmingAndRoundTrip) {
    auto name = parse_dn(R"(CN=\ lead\, trail\ ,O=x)");
    EXPECT_EQ(dn_values(name.get(), NID_commonName), std::vector<std::string>{" lead, trail "});
    const std::string text = format_dn(name.get());
    EXPECT_EQ(text, R"(CN=\ lead\, trail\ , O=x)");
    EXPECT_EQ(format_dn(parse_dn(text).get()), text);
}

TEST(DnParse, DottedOidAttributes) {
    auto known = parse_dn("2.5.4.3=by oid");
    EXPECT_EQ(format_dn(known.get()), "CN=by oid");
    auto unknown = parse_dn("1.3.6.1.4.1.99999.1=custom, CN=x");
    EXPECT_EQ(format_dn(unknown.get()), "1.3.6.1.4.1.99999.1=custom, CN=x");
}

TEST(DnParse, EmptyTextGivesEmptyName) {
    EXPECT_EQ(X509_NAME_entry_count(parse_dn("").get()), 0);
    EXPECT_EQ(X509_NAME_entry_count(parse_dn("   ").get()), 0);
}

TEST(DnParse, UpperBoundsCountCharactersNotBytes) {
    EXPECT_NO_THROW(parse_dn("CN=" + std::string(64, 'a')));
    std::string e_acute;
    for (int i = 0; i < 64; ++i) e_acute += "\xC3\xA9";
    EXPECT_NO_THROW(parse_dn("CN=" + e_acute));
    EXPECT_NO_THROW(parse_dn("L=" + std::string(128, 'a')));
}

struct BadDn {
    const char* label;
    std::string text;
    std::string field;
    std::string problem;
};

class DnRejects : public ::testing::TestWithParam<BadDn> {};

TEST_P(DnRejects, WithPreciseError) {
    const BadDn& c = GetParam();
    auto e = dn_error(c.text);
    ASSERT_TRUE(e.has_value()) << c.text;
    EXPECT_EQ(e->where(), "subject");
    EXPECT_EQ(e->field(), c.field);
    EXPECT_NE(e->problem().find(c.problem), std::string::npos) << e->problem();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DnRejects,
    ::testing::Values(
        BadDn{"unknown_attribute", "FOO=bar, CN=x", "", "unknown attribute type 'FOO'"},
        BadDn{"nul_byte", std::string("CN=a\0b", 6), "CN", "NUL byte"},
        BadDn{"escaped_nul", R"(CN=a\00b)", "CN", "NUL byte"},
        BadDn{"empty_value", "CN=, O=x", "CN", "empty value"},
        BadDn{"three_letter_country", "CN=x, C=USA", "C", "exactly two letters"},
        BadDn{"digit_country", "C=U1", "C", "exactly two letters"},
        BadDn{"cn_over_64", "CN=" + std::string(65, 'a'), "CN", "65 characters; at most 64"},
        BadDn{"ou_over_64", "OU=" + std::string(65, 'a'), "OU", "at most 64"},
        BadDn{"email_over_255", "E=" + std::string(250, 'a') + "@b.test", "E", "at most 255"},
        BadDn{"bad_escape", R"(CN=a\qb)", "", "bad escape '\\q'"},
        BadDn{"lone_backslash", "CN=a\\", "", "lone backslash"},
        BadDn{"invalid_utf8", "CN=\xff", "CN", "not valid UTF-8"},
        BadDn{"truncated_utf8_escape", R"(CN=caf\C3)", "CN", "not valid UTF-8"},
        BadDn{"overlong_utf8", "CN=\xC0\xAF", "CN", "not valid UTF-8"},
        BadDn{"control_char", "CN=a\x01z", "CN", "control character (U+0001)"},
        BadDn{"tab", "CN=a\tb", "CN", "control character (U+0009)"},
        BadDn{"trailing_comma", "CN=a,", "", "nothing after the last separator"},
        BadDn{"double_comma", "CN=a,,O=b", "", "empty relative distinguished name"},
        BadDn{"missing_equals", "CN", "", "expected '='"},
        BadDn{"missing_type", "=x", "", "missing attribute type"},
        BadDn{"unescaped_quote", "CN=a\"b", "", "unescaped '\"'"},
        BadDn{"unescaped_semicolon", "CN=a;b", "", "unescaped ';'"},
        BadDn{"hex_value", "CN=#0403616263", "", "hex-encoded"},
        BadDn{"not_printable_serial", "serialNumber=ab_c", "serialNumber", "PrintableString"},
        BadDn{"non_ascii_email", "E=\xC3\xA9@lab.test", "E", "non-ASCII"},
        BadDn{"bad_oid", "1.2.=x", "", "not a valid dotted OID"},
        BadDn{"openssl_empty_rdn", "/C=US//CN=x", "", "empty relative distinguished name"},
        BadDn{"openssl_missing_equals", "/C=US/CN", "", "expected '='"},
        BadDn{"too_long", "CN=" + std::string(9000, 'a'), "", "at most 8192"}),
    [](const ::testing::TestParamInfo<BadDn>& p) { return std::string(p.param.label); });

TEST(DnParse, CallerFieldPrefixesTheAttribute) {
    auto e = dn_error("CN=", "cas[1].subject");
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->field(), "cas[1].subject.CN");
    auto u = dn_error("XX=1", "cas[1].subject");
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(u->field(), "cas[1].subject");
}

TEST(DnParse, ErrorMessageDoesNotCarryRawControlBytes) {
    auto e = dn_error(std::string("X\0Y=1", 5));
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(std::string(e->what()).find('\0'), std::string::npos);
    EXPECT_NE(e->problem().find("X\\x00Y"), std::string::npos) << e->problem();
}

TEST(DnFormat, NonAsciiComesOutAsUtf8) {
    auto name = parse_dn("CN=M\xC3\xBC" "ller \xE6\x97\xA5\xE6\x9C\xAC, O=Lab");
    EXPECT_EQ(format_dn(name.get()), "CN=M\xC3\xBCller \xE6\x97\xA5\xE6\x9C\xAC, O=Lab");
}

TEST(DnFormat, BmpStringIsConvertedToUtf8) {
    ossl::X509NamePtr name(X509_NAME_new());
    const unsigned char bmp[] = {0x00, 'A', 0x00, 0xFC};  // "Aü"
    ASSERT_EQ(X509_NAME_add_entry_by_NID(name.get(), NID_commonName, V_ASN1_BMPSTRING, bmp, 4, -1, 0), 1);
    EXPECT_EQ(format_dn(name.get()), "CN=A\xC3\xBC");
}

TEST(DnFormat, BrokenEncodingIsShownAsHexAndDnValuesRefusesIt) {
    ossl::X509NamePtr name(X509_NAME_new());
    const unsigned char bad[] = {0xFF};
    ASSERT_EQ(X509_NAME_add_entry_by_NID(name.get(), NID_commonName, V_ASN1_UTF8STRING, bad, 1, -1, 0), 1);
    EXPECT_EQ(format_dn(name.get()), "CN=#0c01ff");
    EXPECT_THROW(dn_values(name.get(), NID_commonName), InputError);
}

TEST(DnFormat, EscapesSpecialCharactersAndControls) {
    ossl::X509NamePtr name(X509_NAME_new());
    const std::string v = std::string("#a,b+c\nd", 8);
    ASSERT_EQ(X509_NAME_add_entry_by_NID(name.get(), NID_commonName, V_ASN1_UTF8STRING,
                                         reinterpret_cast<const unsigned char*>(v.data()),
                                         static_cast<int>(v.size()), -1, 0), 1);
    EXPECT_EQ(format_dn(name.get()), R"(CN=\#a\,b\+c\0Ad)");
}

TEST(DnValues, ReturnsAllValuesInDerOrder) {
    auto name = parse_dn("CN=second, CN=first, O=x");
    EXPECT_EQ(dn_values(name.get(), NID_commonName), (std::vector<std::string>{"first", "second"}));
    EXPECT_TRUE(dn_values(name.get(), NID_localityName).empty());
}

}  // namespace
}  // namespace pkilab
