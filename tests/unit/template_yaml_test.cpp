#include "ca/template/template_yaml.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "ca/config/lab_config.hpp"
#include "ca/errors.hpp"

namespace pkilab {
namespace {

const CertificateTemplate* builtin(std::string_view name) {
    const auto& all = builtin_templates();
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& t) { return t.name == name; });
    return it == all.end() ? nullptr : &*it;
}

CertificateTemplate parse(const std::string& text) { return parse_template_text(text, "t.yaml", builtin); }

const SanRule* rule(const CertificateTemplate& t, NameType type) {
    auto it = std::find_if(t.san_rules.begin(), t.san_rules.end(), [&](const auto& r) { return r.type == type; });
    return it == t.san_rules.end() ? nullptr : &*it;
}

using Names = std::vector<std::string>;

TEST(BuiltinTemplates, AllSixArePresentInOrder) {
    Names names;
    for (const auto& t : builtin_templates()) names.push_back(t.name);
    EXPECT_EQ(names, (Names{"WebServer", "Computer", "User", "SubCA", "LyncServer", "OCSPResponseSigning", "ScepRA"}));
}

TEST(BuiltinTemplates, WebServerMirrorsAdcs) {
    const auto& t = *builtin("WebServer");
    EXPECT_EQ(t.display_name, "Web Server");
    EXPECT_EQ(t.version_string(), "4.1");
    EXPECT_EQ(t.subject_source, SubjectSource::Request);
    ASSERT_EQ(t.san_rules.size(), 2u);
    EXPECT_NE(rule(t, NameType::Dns), nullptr);
    EXPECT_NE(rule(t, NameType::Ip), nullptr);
    EXPECT_FALSE(rule(t, NameType::Dns)->required);
    EXPECT_EQ(t.key_usage, (Names{"digitalSignature", "keyEncipherment"}));
    EXPECT_TRUE(t.key_usage_critical);
    EXPECT_EQ(t.extended_key_usage, Names{"serverAuth"});
    EXPECT_FALSE(t.extended_key_usage_critical);
    EXPECT_EQ(t.validity, std::chrono::days{730});
    EXPECT_EQ(t.ms_template_name, "WebServer");
    EXPECT_FALSE(t.ms_template_v2.has_value());
    EXPECT_FALSE(t.is_ca);
}

TEST(BuiltinTemplates, ComputerRequiresDnsSan) {
    const auto& t = *builtin("Computer");
    EXPECT_EQ(t.version_string(), "5.1");
    ASSERT_NE(rule(t, NameType::Dns), nullptr);
    EXPECT_TRUE(rule(t, NameType::Dns)->required);
    EXPECT_EQ(t.san_rules.size(), 1u);
    EXPECT_EQ(t.extended_key_usage, (Names{"clientAuth", "serverAuth"}));
    EXPECT_EQ(t.validity, std::chrono::days{365});
    EXPECT_EQ(t.ms_template_name, "Machine");
}

TEST(BuiltinTemplates, UserAllowsEmailAndUpn) {
    const auto& t = *builtin("User");
    EXPECT_EQ(t.version_string(), "3.1");
    EXPECT_NE(rule(t, NameType::Email), nullptr);
    EXPECT_NE(rule(t, NameType::Upn), nullptr);
    EXPECT_EQ(rule(t, NameType::Dns), nullptr);
    EXPECT_EQ(t.extended_key_usage, (Names{"clientAuth", "emailProtection", "efs"}));
    EXPECT_EQ(t.ms_template_name, "User");
}

TEST(BuiltinTemplates, SubCaIsACaWithoutEku) {
    const auto& t = *builtin("SubCA");
    EXPECT_TRUE(t.is_ca);
    EXPECT_FALSE(t.path_length.has_value());
    EXPECT_EQ(t.key_usage, (Names{"digitalSignature", "keyCertSign", "cRLSign"}));
    EXPECT_TRUE(t.key_usage_critical);
    EXPECT_TRUE(t.extended_key_usage.empty());
    EXPECT_TRUE(t.san_rules.empty());
    EXPECT_EQ(t.validity, std::chrono::days{365 * 5});
    EXPECT_FALSE(t.pend_all_requests);
    EXPECT_EQ(t.keys.rsa_min_bits, 2048);
    EXPECT_FALSE(t.keys.ec_curves.empty());
    EXPECT_EQ(t.ms_template_name, "SubCA");
}

TEST(BuiltinTemplates, LyncServerIsAVersion2Template) {
    const auto& t = *builtin("LyncServer");
    EXPECT_EQ(t.required_subject_attributes, Names{"CN"});
    ASSERT_NE(rule(t, NameType::Dns), nullptr);
    EXPECT_TRUE(rule(t, NameType::Dns)->required);
    EXPECT_EQ(t.extended_key_usage, (Names{"serverAuth", "clientAuth"}));
    EXPECT_TRUE(t.include_cdp);
    EXPECT_EQ(t.keys.rsa_min_bits, 2048);
    EXPECT_EQ(t.keys.ec_curves, (Names{"P-256", "P-384", "P-521"}));
    EXPECT_EQ(t.validity, std::chrono::days{730});
    EXPECT_TRUE(t.allow_server_keygen);
    EXPECT_EQ(t.server_keygen_key, (KeySpec{KeyAlgorithm::Rsa, 2048, ""}));
    ASSERT_TRUE(t.ms_template_v2.has_value());
    EXPECT_TRUE(t.ms_template_v2->oid.starts_with("1.3.6.1.4.1.311.21.8."));
    EXPECT_EQ(t.ms_template_v2->major, 100);
    EXPECT_EQ(t.ms_template_v2->minor, 1);
}

TEST(BuiltinTemplates, OcspResponseSigning) {
    const auto& t = *builtin("OCSPResponseSigning");
    EXPECT_EQ(t.extended_key_usage, Names{"OCSPSigning"});
    EXPECT_TRUE(t.ocsp_no_check);
    EXPECT_EQ(t.key_usage, Names{"digitalSignature"});
    EXPECT_EQ(t.validity, std::chrono::days{14});
    EXPECT_FALSE(t.include_ocsp);
}

TEST(TemplateYaml, DefaultsWithoutBase) {
    const auto t = parse("name: Plain\n");
    EXPECT_EQ(t.name, "Plain");
    EXPECT_EQ(t.display_name, "Plain");
    EXPECT_EQ(t.version_string(), "1.0");
    EXPECT_TRUE(t.san_rules.empty());
    EXPECT_TRUE(t.key_usage.empty());
    EXPECT_EQ(t.validity, std::chrono::days{365});
    EXPECT_EQ(t.backdate, std::chrono::hours{1});
}

TEST(TemplateYaml, ReadsEveryKey) {
    const auto t = parse(R"(
name: Full
display_name: Full Template
description: every key
version: "2.7"
subject: {source: template, dn: "CN=Fixed, O=Lab", require: [cn, o]}
san:
  dns: {required: true, patterns: ["*.lab.test", "lab.test"], max: 3}
  ip: {patterns: ["10.0.0.*"]}
  uri: {}
  max_total: 5
  from_request: false
keys: {rsa_min_bits: 1024, allow_rsa_1024: true, ec_curves: [p256, secp384r1], ed25519: true}
key_usage: {usages: [digitalSignature], critical: false}
extended_key_usage: {usages: [clientAuth, 1.3.6.1.4.1.99999.1], critical: true}
application_policies: [clientAuth]
basic_constraints: {ca: false, on_end_entity: true}
certificate_policies:
  - {oid: 1.3.6.1.4.1.99999.2.1, cps: "http://lab.test/cps", notice: "Lab use only"}
  - {oid: anyPolicy}
validity: 90d
backdate: 5m
include: {cdp: false, aia: false, ocsp: false, freshest_crl: true}
ocsp_no_check: false
custom_extensions:
  - {oid: 1.3.6.1.4.1.99999.3, der_hex: "0500", critical: true}
microsoft: {template_name: Full, template_oid: 1.3.6.1.4.1.311.21.8.1.2.3, major: 101, minor: 4}
issuance: {pend_all_requests: true, allow_csr_extensions: true}
server_keygen: {allowed: true, key: ed25519}
)");
    EXPECT_EQ(t.display_name, "Full Template");
    EXPECT_EQ(t.description, "every key");
    EXPECT_EQ(t.major_version, 2);
    EXPECT_EQ(t.minor_version, 7);
    EXPECT_EQ(t.subject_source, SubjectSource::Template);
    EXPECT_EQ(t.subject, "CN=Fixed, O=Lab");
    EXPECT_EQ(t.required_subject_attributes, (Names{"CN", "O"}));
    ASSERT_EQ(t.san_rules.size(), 3u);
    EXPECT_EQ(rule(t, NameType::Dns)->patterns, (Names{"*.lab.test", "lab.test"}));
    EXPECT_EQ(rule(t, NameType::Dns)->max, 3u);
    EXPECT_TRUE(rule(t, NameType::Dns)->required);
    EXPECT_EQ(rule(t, NameType::Ip)->patterns, Names{"10.0.0.*"});
    EXPECT_EQ(t.max_sans, 5u);
    EXPECT_FALSE(t.san_from_request_extension);
    EXPECT_EQ(t.keys.rsa_min_bits, 1024);
    EXPECT_TRUE(t.keys.allow_rsa_1024);
    EXPECT_EQ(t.keys.ec_curves, (Names{"P-256", "P-384"}));
    EXPECT_TRUE(t.keys.allow_ed25519);
    EXPECT_FALSE(t.key_usage_critical);
    EXPECT_EQ(t.extended_key_usage, (Names{"clientAuth", "1.3.6.1.4.1.99999.1"}));
    EXPECT_TRUE(t.extended_key_usage_critical);
    EXPECT_EQ(t.application_policies, Names{"clientAuth"});
    EXPECT_TRUE(t.basic_constraints_on_end_entity);
    ASSERT_EQ(t.certificate_policies.size(), 2u);
    EXPECT_EQ(t.certificate_policies[0].cps_uri, "http://lab.test/cps");
    EXPECT_EQ(t.certificate_policies[0].user_notice, "Lab use only");
    EXPECT_EQ(t.certificate_policies[1].oid, "2.5.29.32.0");
    EXPECT_EQ(t.validity, std::chrono::days{90});
    EXPECT_EQ(t.backdate, std::chrono::minutes{5});
    EXPECT_FALSE(t.include_cdp);
    EXPECT_FALSE(t.include_aia);
    EXPECT_FALSE(t.include_ocsp);
    EXPECT_TRUE(t.include_freshest_crl);
    ASSERT_EQ(t.custom_extensions.size(), 1u);
    EXPECT_EQ(t.custom_extensions[0].value, (Bytes{0x05, 0x00}));
    EXPECT_TRUE(t.custom_extensions[0].critical);
    EXPECT_EQ(t.ms_template_name, "Full");
    ASSERT_TRUE(t.ms_template_v2.has_value());
    EXPECT_EQ(t.ms_template_v2->major, 101);
    EXPECT_EQ(t.ms_template_v2->minor, 4);
    EXPECT_TRUE(t.pend_all_requests);
    EXPECT_TRUE(t.allow_csr_extensions);
    EXPECT_TRUE(t.allow_server_keygen);
    EXPECT_EQ(t.server_keygen_key.algorithm, KeyAlgorithm::Ed25519);
}

TEST(TemplateYaml, BaseKeepsPolicyButNotIdentity) {
    const auto t = parse("name: MyWeb\nbase: WebServer\nkeys: {rsa_min_bits: 3072}\n");
    EXPECT_EQ(t.display_name, "MyWeb");
    EXPECT_EQ(t.version_string(), "1.0");
    EXPECT_TRUE(t.ms_template_name.empty());
    EXPECT_EQ(t.extended_key_usage, Names{"serverAuth"});
    EXPECT_EQ(t.validity, std::chrono::days{730});
    EXPECT_EQ(t.keys.rsa_min_bits, 3072);
    EXPECT_EQ(t.keys.ec_curves, builtin("WebServer")->keys.ec_curves);  // mappings merge key by key
}

TEST(TemplateYaml, SanReplacesTheBaseSanPolicyWhole) {
    const auto t = parse("name: DnsOnly\nbase: WebServer\nsan:\n  dns: {required: true}\n");
    ASSERT_EQ(t.san_rules.size(), 1u);
    EXPECT_EQ(rule(t, NameType::Ip), nullptr);
}

TEST(TemplateYaml, EmptyKeyUsageListRemovesTheBaseKeyUsage) {
    const auto t = parse("name: NoKu\nbase: WebServer\nkey_usage: {usages: []}\n");
    EXPECT_TRUE(t.key_usage.empty());
}

TEST(TemplateYaml, SourceRequestDropsTheBaseDn) {
    const CertificateTemplate fixed = parse("name: Fixed\nsubject: {source: template, dn: \"CN=X\"}\n");
    const TemplateLookup lookup = [&](std::string_view n) { return n == "Fixed" ? &fixed : nullptr; };
    const auto t = parse_template_text("name: Free\nbase: Fixed\nsubject: {source: request}\n", "t.yaml", lookup);
    EXPECT_EQ(t.subject_source, SubjectSource::Request);
    EXPECT_TRUE(t.subject.empty());
}

TEST(TemplateYaml, BaseCaFalseClearsPathLength) {
    const auto t = parse("name: X\nbase: SubCA\nbasic_constraints: {ca: true, path_length: 1}\n");
    EXPECT_EQ(t.path_length, 1);
}

struct BadTemplate {
    const char* name;
    const char* yaml;
    const char* where;
    const char* field;
    const char* problem_part;
};

class TemplateYamlBad : public ::testing::TestWithParam<BadTemplate> {};

TEST_P(TemplateYamlBad, IsRefusedAtThePlace) {
    const auto& c = GetParam();
    try {
        parse(c.yaml);
        FAIL() << "accepted:\n" << c.yaml;
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), c.where) << e.what();
        EXPECT_EQ(e.field(), c.field) << e.what();
        EXPECT_NE(e.problem().find(c.problem_part), std::string::npos) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TemplateYamlBad,
    ::testing::Values(
        BadTemplate{"Empty", "", "t.yaml:1:1", "", "the template is empty"},
        BadTemplate{"MissingName", "validity: 1y\n", "t.yaml:1:1", "name", "missing required key 'name'"},
        BadTemplate{"BadName", "name: \"Web Server\"\n", "t.yaml:1:7", "name", "not a valid template name"},
        BadTemplate{"UnknownKeyDidYouMean", "name: T\nvalidty: 1y\n", "t.yaml:2:1", "validty", "unknown key 'validty'"},
        BadTemplate{"UnknownSanType", "name: T\nsan:\n  dirname: {}\n", "t.yaml:3:3", "san.dirname",
                    "unknown key 'dirname'"},
        BadTemplate{"SanRuleNotAMapping", "name: T\nsan:\n  dns: true\n", "t.yaml:3:8", "san.dns",
                    "expected a mapping"},
        BadTemplate{"BadDnsPattern", "name: T\nsan:\n  dns: {patterns: [\"*.lab..test\"]}\n", "t.yaml:3:20",
                    "san.dns.patterns[0]", ""},
        BadTemplate{"BadIpPattern", "name: T\nsan:\n  ip: {patterns: [\"10.0.*.300\"]}\n", "t.yaml:3:19",
                    "san.ip.patterns[0]", ""},
        BadTemplate{"BadSubjectSource", "name: T\nsubject: {source: csr}\n", "t.yaml:2:19", "subject.source",
                    "unknown subject source 'csr'"},
        BadTemplate{"TemplateSourceWithoutDn", "name: T\nsubject: {source: template}\n", "t.yaml:2:10", "subject",
                    "source: template needs a dn"},
        BadTemplate{"DnWithRequestSource", "name: T\nsubject: {dn: \"CN=x\"}\n", "t.yaml:2:15", "subject.dn",
                    "dn is only used with source: template"},
        BadTemplate{"BadRequiredAttribute", "name: T\nsubject: {require: [CN, XYZ]}\n", "t.yaml:2:25",
                    "subject.require[1]", "XYZ"},
        BadTemplate{"UnknownCurve", "name: T\nkeys: {ec_curves: [P-256, brainpoolP256r1]}\n", "t.yaml:2:27",
                    "keys.ec_curves[1]", "unknown EC curve 'brainpoolP256r1'"},
        BadTemplate{"NoKeyTypeAllowed", "name: T\nkeys: {rsa_min_bits: 0, ec_curves: []}\n", "t.yaml:2:7", "keys",
                    "no key type is allowed"},
        BadTemplate{"UnknownKeyUsage", "name: T\nkey_usage: {usages: [digitalSignature, signing]}\n", "t.yaml:2:21",
                    "key_usage.usages", "unknown key usage 'signing'"},
        BadTemplate{"KeyUsageNotAMapping", "name: T\nkey_usage: [digitalSignature]\n", "t.yaml:2:12", "key_usage",
                    "expected a mapping"},
        BadTemplate{"DuplicateEku", "name: T\nextended_key_usage: {usages: [serverAuth, 1.3.6.1.5.5.7.3.1]}\n",
                    "t.yaml:2:43", "extended_key_usage.usages[1]", "'1.3.6.1.5.5.7.3.1' is serverAuth again"},
        BadTemplate{"BadApplicationPolicy", "name: T\napplication_policies: [clientAuth, nope]\n", "t.yaml:2:36",
                    "application_policies[1]", "unknown extended key usage 'nope'"},
        BadTemplate{"KeyCertSignWithoutCa", "name: T\nkey_usage: {usages: [keyCertSign]}\n", "t.yaml:2:12",
                    "key_usage", "keyCertSign needs basic_constraints.ca: true"},
        BadTemplate{"CaWithoutKeyCertSign", "name: T\nkey_usage: {usages: [digitalSignature]}\nbasic_constraints: {ca: true}\n",
                    "t.yaml:3:20", "basic_constraints", "needs keyCertSign"},
        BadTemplate{"PathLengthWithoutCa", "name: T\nbasic_constraints: {path_length: 0}\n", "t.yaml:2:34",
                    "basic_constraints.path_length", "only meaningful with ca: true"},
        BadTemplate{"BadPolicyOid", "name: T\ncertificate_policies: [{oid: 3.1}]\n", "t.yaml:2:30",
                    "certificate_policies[0].oid", "first arc"},
        BadTemplate{"PolicyWithoutOid", "name: T\ncertificate_policies: [{cps: \"http://x\"}]\n", "t.yaml:2:24",
                    "certificate_policies[0].oid", "missing required key 'oid'"},
        BadTemplate{"BadCpsUri", "name: T\ncertificate_policies: [{oid: 1.2.3, cps: \"no scheme\"}]\n",
                    "t.yaml:2:42", "certificate_policies[0].cps", ""},
        BadTemplate{"NoticeTooLong",
                    "name: T\ncertificate_policies: [{oid: 1.2.3, notice: "
                    "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}]\n",
                    "t.yaml:2:45", "certificate_policies[0].notice", "1 to 200 characters"},
        BadTemplate{"ZeroValidity", "name: T\nvalidity: 0s\n", "t.yaml:2:11", "validity", "longer than zero"},
        BadTemplate{"BackdateNotShorter", "name: T\nvalidity: 1h\nbackdate: 2h\n", "t.yaml:3:11", "backdate",
                    "not shorter than validity"},
        BadTemplate{"VersionLetters", "name: T\nversion: a.b\n", "t.yaml:2:10", "version", "'a.b' is not a version"},
        BadTemplate{"VersionThreeParts", "name: T\nversion: 1.2.3\n", "t.yaml:2:10", "version", "is not a version"},
        BadTemplate{"CustomExtensionBadHex", "name: T\ncustom_extensions: [{oid: 1.2.3, der_hex: \"zz\"}]\n",
                    "t.yaml:2:43", "custom_extensions[0].der_hex", ""},
        BadTemplate{"CustomExtensionNotDer", "name: T\ncustom_extensions: [{oid: 1.2.3, der_hex: \"0505\"}]\n",
                    "t.yaml:2:43", "custom_extensions[0].der_hex", "not valid DER"},
        BadTemplate{"CustomExtensionManagedOid", "name: T\ncustom_extensions: [{oid: 2.5.29.17, der_hex: \"0500\"}]\n",
                    "t.yaml:2:27", "custom_extensions[0].oid", "written by the CA itself"},
        BadTemplate{"CustomExtensionTwice",
                    "name: T\ncustom_extensions:\n  - {oid: 1.2.3, der_hex: \"0500\"}\n  - {oid: 1.2.3, der_hex: \"0500\"}\n",
                    "t.yaml:4:11", "custom_extensions[1].oid", "listed twice"},
        BadTemplate{"MsMajorWithoutOid", "name: T\nmicrosoft: {major: 100}\n", "t.yaml:2:20", "microsoft.major",
                    "need a template_oid"},
        BadTemplate{"MsBadTemplateOid", "name: T\nmicrosoft: {template_oid: 1..2}\n", "t.yaml:2:27",
                    "microsoft.template_oid", "is not an OID"},
        BadTemplate{"ServerKeygenKeyNotAllowed",
                    "name: T\nkeys: {rsa_min_bits: 2048, ec_curves: []}\nserver_keygen: {allowed: true}\n",
                    "t.yaml:3:16", "server_keygen", "not allowed by this template's keys policy"},
        BadTemplate{"ServerKeygenBadKey", "name: T\nserver_keygen: {allowed: true, key: dsa1024}\n", "t.yaml:2:37",
                    "server_keygen.key", "dsa1024"},
        BadTemplate{"QuotedBool", "name: T\nocsp_no_check: \"true\"\n", "t.yaml:2:16", "ocsp_no_check",
                    "expected true or false"},
        BadTemplate{"Yaml11Bool", "name: T\ninclude: {cdp: on}\n", "t.yaml:2:16", "include.cdp",
                    "expected true or false"},
        BadTemplate{"MaxTooLarge", "name: T\nsan: {dns: {max: 100000}}\n", "t.yaml:2:18", "san.dns.max",
                    "out of range"}),
    [](const auto& tpi) { return std::string(tpi.param.name); });

TEST(TemplateYaml, UnknownKeyHintSuggestsTheClosestKey) {
    try {
        parse("name: T\nextended_key_usages: {usages: [serverAuth]}\n");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(e.hint().find("did you mean 'extended_key_usage'?"), std::string::npos) << e.hint();
    }
}

TEST(TemplateYaml, EmptyListItemIsReportedAtTheList) {
    // yaml-cpp gives an empty item the position of the next token; the list's own is clearer.
    try {
        parse("name: T\napplication_policies:\n  - clientAuth\n  -\n");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "t.yaml:3:3");
        EXPECT_EQ(e.field(), "application_policies[1]");
        EXPECT_NE(e.problem().find("found nothing"), std::string::npos) << e.problem();
    }
}

}  // namespace
}  // namespace pkilab
