#include "ca/config/lab_config.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ca/errors.hpp"

#ifndef PKILAB_SOURCE_DIR
#define PKILAB_SOURCE_DIR "."
#endif

namespace pkilab {
namespace {

// A minimal valid lab file; tests append to or edit it.
constexpr const char* kRoot =
    "cas:\n"
    "  - name: root\n"
    "    subject: \"CN=Root\"\n";

TEST(LabConfig, DefaultLabFileLoads) {
    const LabConfig cfg = load_lab_file(PKILAB_SOURCE_DIR "/lab/default/lab.yaml");
    EXPECT_EQ(cfg.name, "default");
    EXPECT_EQ(cfg.server_dns_name, "127.0.0.1");
    ASSERT_EQ(cfg.cas.size(), 2u);
    EXPECT_EQ(cfg.cas[0].name, "lab-root-ca");
    EXPECT_FALSE(cfg.cas[0].parent.has_value());
    EXPECT_EQ(cfg.cas[0].validity, std::chrono::days{365 * 20});
    EXPECT_EQ(cfg.cas[0].templates, std::vector<std::string>{"SubCA"});
    const CaConfig* issuing = cfg.find_ca("lab-issuing-ca");
    ASSERT_NE(issuing, nullptr);
    EXPECT_EQ(issuing->parent, "lab-root-ca");
    EXPECT_EQ(issuing->path_length, 0);
    EXPECT_EQ(issuing->key, (KeySpec{KeyAlgorithm::Ec, 0, "P-256"}));
    EXPECT_EQ(issuing->ocsp_urls, std::vector<std::string>{"http://<ServerDNSName>:8080/ocsp"});
    EXPECT_EQ(issuing->templates,
              (std::vector<std::string>{"WebServer", "Computer", "User", "LyncServer", "OCSPResponseSigning"}));
    EXPECT_EQ(cfg.source, PKILAB_SOURCE_DIR "/lab/default/lab.yaml");
    EXPECT_NE(cfg.find_template("LyncServer"), nullptr);
    EXPECT_EQ(cfg.find_ca("nope"), nullptr);
}

TEST(LabConfig, DefaultsForAMinimalFile) {
    const LabConfig cfg = parse_lab_config(kRoot, "lab.yaml");
    EXPECT_EQ(cfg.name, "lab");
    EXPECT_EQ(cfg.server_dns_name, "127.0.0.1");
    ASSERT_EQ(cfg.cas.size(), 1u);
    EXPECT_EQ(cfg.cas[0].key, (KeySpec{KeyAlgorithm::Ec, 0, "P-256"}));
    EXPECT_EQ(cfg.cas[0].signature.hash, HashAlgorithm::Sha256);
    EXPECT_FALSE(cfg.cas[0].signature.rsa_pss);
    EXPECT_EQ(cfg.cas[0].validity, std::chrono::days{3650});
    EXPECT_TRUE(cfg.cas[0].key_passphrase.empty());
    EXPECT_EQ(cfg.templates.size(), builtin_templates().size());
    EXPECT_TRUE(cfg.source.empty());
}

TEST(LabConfig, CasAreReturnedParentsFirst) {
    const LabConfig cfg = parse_lab_config(
        "cas:\n"
        "  - {name: leaf-ca, subject: \"CN=Leaf\", parent: mid-ca}\n"
        "  - {name: other-root, subject: \"CN=Other\"}\n"
        "  - {name: mid-ca, subject: \"CN=Mid\", parent: root, path_length: 1}\n"
        "  - {name: root, subject: \"CN=Root\"}\n",
        "lab.yaml");
    std::vector<std::string> order;
    for (const auto& ca : cfg.cas) order.push_back(ca.name);
    EXPECT_EQ(order, (std::vector<std::string>{"other-root", "root", "mid-ca", "leaf-ca"}));
}

TEST(LabConfig, ReadsEveryCaKey) {
    const LabConfig cfg = parse_lab_config(
        "lab: {name: corp, server_dns_name: pki.lab.test}\n"
        "cas:\n"
        "  - name: root\n"
        "    subject: \"CN=Root, O=Lab, C=US\"\n"
        "    key: rsa3072\n"
        "    hash: sha384\n"
        "    rsa_pss: true\n"
        "    validity: 15y\n"
        "    path_length: 2\n"
        "    name_constraints: {permitted: [\"dns:lab.test\", \"email:.lab.test\", \"ip:10.0.0.0/8\"],\n"
        "                       excluded: [\"dns:.bad.lab.test\"]}\n"
        "    cdp: [\"http://%1/%3%8%9.crl\"]\n"
        "    aia: [\"http://%1/%1_%3%4.crt\"]\n"
        "    templates: [SubCA]\n"
        "    key_passphrase: env:ROOT_PASS\n"
        "  - {name: legacy, subject: \"CN=Legacy\", parent: root, key: rsa2048, hash: sha1, legacy_sha1: true}\n",
        "lab.yaml");
    EXPECT_EQ(cfg.name, "corp");
    EXPECT_EQ(cfg.server_dns_name, "pki.lab.test");
    const CaConfig& root = cfg.cas[0];
    EXPECT_EQ(root.key, (KeySpec{KeyAlgorithm::Rsa, 3072, ""}));
    EXPECT_EQ(root.signature.hash, HashAlgorithm::Sha384);
    EXPECT_TRUE(root.signature.rsa_pss);
    EXPECT_EQ(root.validity, std::chrono::days{365 * 15});
    EXPECT_EQ(root.path_length, 2);
    EXPECT_EQ(root.permitted_names, (std::vector<GeneralName>{{NameType::Dns, "lab.test"},
                                                              {NameType::Email, ".lab.test"},
                                                              {NameType::Ip, "10.0.0.0/8"}}));
    EXPECT_EQ(root.excluded_names, (std::vector<GeneralName>{{NameType::Dns, ".bad.lab.test"}}));
    EXPECT_EQ(root.key_passphrase.spec, "env:ROOT_PASS");
    EXPECT_EQ(cfg.cas[1].signature.hash, HashAlgorithm::Sha1);
}

TEST(LabConfig, LabTemplateExtendsABuiltin) {
    const LabConfig cfg = parse_lab_config(std::string(kRoot) +
                                               "    templates: [IntranetWeb]\n"
                                               "templates:\n"
                                               "  - name: IntranetWeb\n"
                                               "    base: WebServer\n"
                                               "    validity: 1y\n",
                                           "lab.yaml");
    const CertificateTemplate* t = cfg.find_template("IntranetWeb");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->extended_key_usage, std::vector<std::string>{"serverAuth"});
    EXPECT_EQ(t->validity, std::chrono::days{365});
    EXPECT_EQ(cfg.templates.size(), builtin_templates().size() + 1);
    EXPECT_EQ(cfg.find_template("WebServer")->validity, std::chrono::days{730});
}

TEST(LabConfig, ReplaceTrueOverridesTheBuiltinInPlace) {
    const LabConfig cfg = parse_lab_config(std::string(kRoot) +
                                               "templates:\n"
                                               "  - {name: WebServer, base: WebServer, replace: true, validity: 90d}\n",
                                           "lab.yaml");
    EXPECT_EQ(cfg.templates.size(), builtin_templates().size());
    const CertificateTemplate* t = cfg.find_template("WebServer");
    EXPECT_EQ(t->validity, std::chrono::days{90});
    EXPECT_EQ(t->ms_template_name, "WebServer");  // same name: identity kept
    EXPECT_EQ(t->display_name, "Web Server");
}

TEST(LabConfig, MissingFileIsInputError) {
    try {
        load_lab_file("/nonexistent/lab.yaml");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "/nonexistent/lab.yaml");
        EXPECT_NE(e.problem().find("cannot open"), std::string::npos);
    }
}

TEST(LabConfig, OversizedOrEndlessFilesAreRefusedWithoutReadingThemWhole) {
    const auto path = std::filesystem::temp_directory_path() / ("pkilab-big-lab-" + std::to_string(::getpid()) + ".yaml");
    {
        std::ofstream out(path);
        out << "# " << std::string(kMaxLabFileBytes, 'x') << "\n";
    }
    for (const std::string& file : {path.string(), std::string("/dev/zero")}) {
        try {
            load_lab_file(file);
            FAIL() << file << " accepted";
        } catch (const InputError& e) {
            EXPECT_EQ(e.where(), file);
            EXPECT_NE(e.problem().find("larger than 1024 KiB"), std::string::npos) << e.what();
        }
    }
    std::filesystem::remove(path);
}

struct BadLab {
    const char* name;
    std::string yaml;
    const char* where;
    const char* field;
    const char* problem_part;
};

class LabConfigBad : public ::testing::TestWithParam<BadLab> {};

TEST_P(LabConfigBad, IsRefusedAtThePlace) {
    const BadLab& c = GetParam();
    try {
        parse_lab_config(c.yaml, "lab.yaml");
        FAIL() << "accepted:\n" << c.yaml;
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), c.where) << e.what();
        EXPECT_EQ(e.field(), c.field) << e.what();
        EXPECT_NE(e.problem().find(c.problem_part), std::string::npos) << e.what();
    }
}

const std::string kRootS = kRoot;

INSTANTIATE_TEST_SUITE_P(
    Cases, LabConfigBad,
    ::testing::Values(
        BadLab{"UnknownTopLevelKey", kRootS + "templtes: []\n", "lab.yaml:4:1", "templtes", "unknown key 'templtes'"},
        BadLab{"UnknownKeyInLab", "lab: {nmae: x}\n" + kRootS, "lab.yaml:1:7", "lab.nmae", "unknown key 'nmae'"},
        BadLab{"Rsa1024CaWithoutOptIn", kRootS + "    key: rsa1024\n", "lab.yaml:4:10", "cas[0].key",
               "needs legacy_rsa1024: true"},
        BadLab{"UnknownPluginMode", "plugins:\n  load:\n    - {name: k, file: x.so, mode: sandbox}\n" + kRootS,
               "lab.yaml:3:35", "plugins.load[0].mode", "unknown mode 'sandbox'"},
        BadLab{"TimeoutForAnInProcessPlugin", "plugins:\n  load:\n    - {name: k, file: x.so, timeout_ms: 50}\n" + kRootS,
               "lab.yaml:3:41", "plugins.load[0].timeout_ms", "applies to isolated plugins only"},
        BadLab{"PluginMemoryLimitTooSmall",
               "plugins:\n  load:\n    - {name: k, file: x.so, mode: isolated, memory_mb: 1}\n" + kRootS, "lab.yaml:3:56",
               "plugins.load[0].memory_mb", "out of range"},
        BadLab{"PolicyNamesAPluginNotLoaded", kRootS + "    policy: [nope]\n", "lab.yaml:4:14", "cas[0].policy[0]",
               "policy plugin 'nope' is not loaded"},
        BadLab{"PluginLoadedTwice", "plugins:\n  load:\n    - {name: k, file: x.so}\n    - {name: k, file: y.so}\n" + kRootS,
               "lab.yaml:4:14", "plugins.load[1].name", "loaded twice"},
        BadLab{"PluginConfigNotUtf8", "plugins:\n  load:\n    - {name: k, file: x.so, config: {a: \"\xff\xfe\"}}\n" + kRootS,
               "lab.yaml:3:41", "plugins.load[0].config.a", "not valid UTF-8"},
        BadLab{"UnknownCrlKey", kRootS + "    crl: {perod: 1w}\n", "lab.yaml:4:11", "cas[0].crl.perod",
               "unknown key 'perod'"},
        BadLab{"CrlPeriodTooShort", kRootS + "    crl: {period: 30m}\n", "lab.yaml:4:19", "cas[0].crl.period",
               "must be between 1h and 10y"},
        BadLab{"DeltaPeriodNotShorterThanThePeriod", kRootS + "    crl: {period: 1d, delta_period: 1w}\n",
               "lab.yaml:4:37", "cas[0].crl.delta_period", "must be shorter than the CRL period"},
        BadLab{"DeltaPeriodTooShort", kRootS + "    crl: {delta_period: 10m}\n", "lab.yaml:4:25",
               "cas[0].crl.delta_period", "must be 0 (no delta CRLs) or at least 1h"},
        BadLab{"UnknownHoldInstruction", kRootS + "    crl: {hold_instruction: wait}\n", "lab.yaml:4:29",
               "cas[0].crl.hold_instruction", "unknown hold instruction 'wait'"},
        BadLab{"UnknownPublishOnRevoke", kRootS + "    crl: {publish_on_revoke: sometimes}\n", "lab.yaml:4:30",
               "cas[0].crl.publish_on_revoke", "publish_on_revoke is 'sometimes'"},
        BadLab{"UnknownOcspSigner", kRootS + "    ocsp_responder: {signer: hsm}\n", "lab.yaml:4:30",
               "cas[0].ocsp_responder.signer", "unknown signer 'hsm'"},
        BadLab{"OcspValidityTooLong", kRootS + "    ocsp_responder: {response_validity: 60d}\n", "lab.yaml:4:41",
               "cas[0].ocsp_responder.response_validity", "must be between 5m and 30d"},
        BadLab{"UnknownKeyInCa", kRootS + "    keyy: rsa2048\n", "lab.yaml:4:5", "cas[0].keyy", "unknown key 'keyy'"},
        BadLab{"UnknownKeyInTemplate",
               kRootS + "templates:\n  - name: T\n    validty: 1y\n", "lab.yaml:6:5", "templates[0].validty",
               "unknown key 'validty'"},
        BadLab{"UnknownKeyInTemplateSection",
               kRootS + "templates:\n  - name: T\n    san:\n      dns: {require: true}\n", "lab.yaml:7:13",
               "templates[0].san.dns.require", "unknown key 'require'"},
        BadLab{"DuplicateKey", kRootS + "    subject: \"CN=Again\"\n", "lab.yaml:4:5", "cas[0].subject",
               "duplicate key 'subject'"},
        BadLab{"StringWhereListExpected", kRootS + "    cdp: http://h/x.crl\n", "lab.yaml:4:10", "cas[0].cdp",
               "expected a list"},
        BadLab{"ListWhereMappingExpected", "lab: [a]\n" + kRootS, "lab.yaml:1:6", "lab", "expected a mapping"},
        BadLab{"CasNotAList", "cas: root\n", "lab.yaml:1:6", "cas", "expected a list"},
        BadLab{"BoolExpected", kRootS + "    rsa_pss: yes\n", "lab.yaml:4:14", "cas[0].rsa_pss",
               "expected true or false"},
        BadLab{"IntegerExpected", kRootS + "    path_length: one\n", "lab.yaml:4:18", "cas[0].path_length",
               "expected a whole number"},
        BadLab{"NegativePathLength", kRootS + "    path_length: -1\n", "lab.yaml:4:18", "cas[0].path_length",
               "out of range"},
        BadLab{"MissingSubject", "cas:\n  - name: root\n", "lab.yaml:2:5", "cas[0].subject",
               "missing required key 'subject'"},
        BadLab{"EmptySubject", "cas:\n  - {name: root, subject: \"\"}\n", "lab.yaml:2:27", "cas[0].subject",
               "non-empty subject"},
        BadLab{"BadDn", "cas:\n  - name: root\n    subject: \"CN=Root, XX=bad\"\n", "lab.yaml:3:14",
               "cas[0].subject", "unknown attribute type 'XX'"},
        BadLab{"BadCaName", "cas:\n  - {name: \"my ca\", subject: \"CN=x\"}\n", "lab.yaml:2:12", "cas[0].name",
               "not a valid CA name"},
        BadLab{"UndefinedParent", kRootS + "  - {name: sub, subject: \"CN=Sub\", parent: rot}\n", "lab.yaml:4:44",
               "cas[1].parent", "parent CA 'rot' is not defined"},
        BadLab{"ParentCycle",
               "cas:\n  - {name: a, subject: \"CN=A\", parent: b}\n  - {name: b, subject: \"CN=B\", parent: a}\n",
               "lab.yaml:2:40", "cas[0].parent", "parent cycle: a -> b -> a"},
        BadLab{"SelfParent", "cas:\n  - {name: a, subject: \"CN=A\", parent: a}\n", "lab.yaml:2:40",
               "cas[0].parent", "parent cycle: a -> a"},
        BadLab{"PathLengthExceeded",
               kRootS + "    path_length: 0\n  - {name: sub, subject: \"CN=Sub\", parent: root}\n", "lab.yaml:5:44",
               "cas[1].parent", "path_length 0 forbids it"},
        BadLab{"UndefinedTemplateInCa", kRootS + "    templates: [WebServer, WebSrver]\n", "lab.yaml:4:28",
               "cas[0].templates[1]", "template 'WebSrver' is not defined"},
        BadLab{"TemplateListedTwiceInCa", kRootS + "    templates: [User, User]\n", "lab.yaml:4:23",
               "cas[0].templates[1]", "listed twice"},
        BadLab{"DuplicateCaName", kRootS + "  - {name: root, subject: \"CN=Other\"}\n", "lab.yaml:4:12", "cas[1].name",
               "CA 'root' is defined twice (first at line 2)"},
        BadLab{"DuplicateTemplateName",
               kRootS + "templates:\n  - {name: T, base: User}\n  - {name: T, base: User}\n", "lab.yaml:6:12",
               "templates[1].name", "template 'T' is defined twice (first at line 5)"},
        BadLab{"BuiltinNameWithoutReplace", kRootS + "templates:\n  - {name: User, base: User}\n", "lab.yaml:5:12",
               "templates[0].name", "name of a built-in template"},
        BadLab{"ReplaceWithoutBuiltin", kRootS + "templates:\n  - {name: Mine, replace: true}\n", "lab.yaml:5:27",
               "templates[0].replace", "no built-in template named 'Mine'"},
        BadLab{"UndefinedBase", kRootS + "templates:\n  - {name: Mine, base: WebServr}\n", "lab.yaml:5:24",
               "templates[0].base", "base template 'WebServr' is not defined"},
        BadLab{"BadKeySpec", kRootS + "    key: rsa1000\n", "lab.yaml:4:10", "cas[0].key", "not supported"},
        BadLab{"Sha1WithoutLegacy", kRootS + "    key: rsa2048\n    hash: sha1\n", "lab.yaml:5:11", "cas[0].hash",
               "SHA-1 signatures need legacy_sha1: true"},
        BadLab{"UnknownHash", kRootS + "    hash: md5\n", "lab.yaml:4:11", "cas[0].hash", "md5"},
        BadLab{"RsaPssWithEcKey", kRootS + "    key: ecdsa-p384\n    rsa_pss: true\n", "lab.yaml:5:14",
               "cas[0].rsa_pss", "rsa_pss needs an RSA key, but key is ecdsa-p384"},
        BadLab{"BadDuration", kRootS + "    validity: 10 years\n", "lab.yaml:4:15", "cas[0].validity",
               "unknown unit"},
        BadLab{"ZeroDuration", kRootS + "    validity: 0d\n", "lab.yaml:4:15", "cas[0].validity",
               "longer than zero"},
        BadLab{"BadTemplateDuration", kRootS + "templates:\n  - {name: T, validity: 2x}\n", "lab.yaml:5:25",
               "templates[0].validity", "unknown unit 'x'"},
        BadLab{"BadVersionString", kRootS + "templates:\n  - {name: T, version: \"4\"}\n", "lab.yaml:5:24",
               "templates[0].version", "'4' is not a version"},
        BadLab{"BadVersionNegative", kRootS + "templates:\n  - {name: T, version: \"-1.2\"}\n", "lab.yaml:5:24",
               "templates[0].version", "is not a version"},
        BadLab{"BadUrlToken", kRootS + "    cdp: [\"http://<ServerDnsName>/x.crl\"]\n", "lab.yaml:4:11",
               "cas[0].cdp[0]", "unknown token <ServerDnsName>"},
        BadLab{"LdapTokenRefused", kRootS + "    aia: [\"http://h/<CAObjectClass>\"]\n", "lab.yaml:4:11",
               "cas[0].aia[0]", "LDAP"},
        BadLab{"LdapUrlRefused",
               kRootS + "    cdp:\n      - \"ldap:///CN=<CaName>,CN=CDP,<ConfigurationContainer>\"\n",
               "lab.yaml:5:9", "cas[0].cdp[0]", "LDAP"},
        BadLab{"BadNameConstraint", kRootS + "    name_constraints: {permitted: [\"ip:10.0.0.1/8\"]}\n",
               "lab.yaml:4:36", "cas[0].name_constraints.permitted[0]", "host bits"},
        BadLab{"NameConstraintWithoutType", kRootS + "    name_constraints: {excluded: [lab.test]}\n",
               "lab.yaml:4:35", "cas[0].name_constraints.excluded[0]", "not TYPE:VALUE"},
        BadLab{"BadPassphraseSource", kRootS + "    key_passphrase: hunter2\n", "lab.yaml:4:21",
               "cas[0].key_passphrase", ""},
        BadLab{"BadServerDnsName", "lab: {server_dns_name: \"bad host\"}\n" + kRootS, "lab.yaml:1:24",
               "lab.server_dns_name", ""},
        BadLab{"YamlSyntaxError", "cas: [\n  - name: root\n", "lab.yaml:2:3", "", "YAML syntax error"},
        BadLab{"YamlSyntaxErrorMidFile", kRootS + "    key: [a, b\n    hash: sha256\n", "lab.yaml:5:9", "",
               "YAML syntax error"},
        BadLab{"TwoDocuments", kRootS + "---\n" + kRootS, "lab.yaml:5:1", "", "more than one YAML document"},
        BadLab{"EmptyFile", "", "lab.yaml:1:1", "", "the lab file is empty"},
        BadLab{"OnlyComments", "# nothing here\n", "lab.yaml:1:1", "", "the lab file is empty"},
        BadLab{"NoCas", "lab: {name: x}\n", "lab.yaml:1:1", "cas", "no CA is defined"},
        BadLab{"EmptyCas", "cas: []\n", "lab.yaml:1:6", "cas", "no CA is defined"},
        BadLab{"Rsa1024WithoutAllow", kRootS + "templates:\n  - name: Old\n    keys: {rsa_min_bits: 1024}\n",
               "lab.yaml:6:26", "templates[0].keys.rsa_min_bits", "rsa_min_bits 1024 needs allow_rsa_1024: true"},
        BadLab{"RsaMinBitsOddSize", kRootS + "templates:\n  - name: Old\n    keys: {rsa_min_bits: 1536}\n",
               "lab.yaml:6:26", "templates[0].keys.rsa_min_bits", "not a supported minimum"},
        BadLab{"BadEkuName",
               kRootS + "templates:\n  - name: T\n    extended_key_usage: {usages: [serverAuth, serverAuthh]}\n",
               "lab.yaml:6:47", "templates[0].extended_key_usage.usages[1]",
               "unknown extended key usage 'serverAuthh'"},
        BadLab{"BadOidInCustomExtension",
               kRootS + "templates:\n  - name: T\n    custom_extensions:\n      - {oid: 1.2.x, der_hex: \"0500\"}\n",
               "lab.yaml:7:15", "templates[0].custom_extensions[0].oid", "'1.2.x' is not an OID"}),
    [](const auto& tpi) { return std::string(tpi.param.name); });

}  // namespace
}  // namespace pkilab
