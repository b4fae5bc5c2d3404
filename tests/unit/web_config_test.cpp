#include "ca/config/web_config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "ca/auth/password_hash.hpp"
#include "ca/config/lab_config.hpp"
#include "ca/errors.hpp"
#include "ca/template/template_yaml.hpp"

namespace pkilab {
namespace {

const std::string kRoot =
    "cas:\n"
    "  - name: root\n"
    "    subject: \"CN=Root\"\n";
// Made by Python's hashlib (see password_hash_test.cpp); the lab file only parses it.
const std::string kHash = "$pbkdf2-sha256$i=10000$AAECAwQFBgcICQoLDA0ODw$5RUHDgNTp9sBOWGYS4e6u57cz/Sq3/TQgaDP/8MW6L8";
const std::string kToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kToken2 = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

using Names = std::vector<std::string>;

TEST(WebConfig, RoleNames) {
    EXPECT_STREQ(to_string(WebRole::Enrollee), "enrollee");
    EXPECT_STREQ(to_string(WebRole::Auditor), "auditor");
    EXPECT_STREQ(to_string(WebRole::Officer), "officer");
    EXPECT_STREQ(to_string(WebRole::Admin), "admin");
    for (WebRole r : {WebRole::Enrollee, WebRole::Auditor, WebRole::Officer, WebRole::Admin})
        EXPECT_EQ(parse_web_role(to_string(r)), r);
    EXPECT_EQ(parse_web_role("Admin"), std::nullopt);
    EXPECT_EQ(parse_web_role("root"), std::nullopt);
    EXPECT_EQ(parse_web_role(""), std::nullopt);
}

TEST(WebConfig, AbsentSectionGivesTheDefaults) {
    const LabConfig cfg = parse_lab_config(kRoot, "lab.yaml");
    EXPECT_TRUE(cfg.web.users.empty());
    EXPECT_EQ(cfg.web.certsrv_ca, "");
    EXPECT_EQ(cfg.web.rate_limit_per_minute, 600u);
    EXPECT_FALSE(cfg.web.san_from_request_attributes);
    EXPECT_EQ(cfg.web.where, "");
    for (const auto& t : cfg.templates) EXPECT_TRUE(t.enroll.empty()) << t.name;
}

TEST(WebConfig, ReadsEveryKey) {
    const LabConfig cfg = parse_lab_config(kRoot +
                                               "  - {name: issuing, subject: \"CN=Issuing\", parent: root}\n"
                                               "web:\n"
                                               "  certsrv_ca: issuing\n"
                                               "  rate_limit_per_minute: 0\n"
                                               "  san_from_request_attributes: true\n"
                                               "  users:\n"
                                               "    - name: alice\n"
                                               "      role: enrollee\n"
                                               "      password_hash: \"" + kHash + "\"\n"
                                               "    - {name: audrey.a, role: auditor, token_sha256: " + kToken + "}\n"
                                               "    - name: olivia@lab.test\n"
                                               "      role: officer\n"
                                               "      password_hash: \"" + kHash + "\"\n"
                                               "      token_sha256: FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210\n"
                                               "    - {name: root_1, role: admin, token_sha256: \"" + kToken2.substr(0, 63) + "1\"}\n",
                                           "lab.yaml");
    const WebConfig& web = cfg.web;
    EXPECT_EQ(web.where, "lab.yaml:6:3");
    EXPECT_EQ(web.certsrv_ca, "issuing");
    EXPECT_EQ(web.rate_limit_per_minute, 0u);
    EXPECT_TRUE(web.san_from_request_attributes);
    ASSERT_EQ(web.users.size(), 4u);
    EXPECT_EQ(web.users[0].name, "alice");
    EXPECT_EQ(web.users[0].role, WebRole::Enrollee);
    EXPECT_EQ(web.users[0].password_hash, kHash);
    EXPECT_EQ(web.users[0].token_sha256, "");
    EXPECT_EQ(web.users[0].where, "lab.yaml:10:7");
    EXPECT_EQ(web.users[1].name, "audrey.a");
    EXPECT_EQ(web.users[1].role, WebRole::Auditor);
    EXPECT_EQ(web.users[1].password_hash, "");
    EXPECT_EQ(web.users[1].token_sha256, kToken);
    EXPECT_EQ(web.users[1].where, "lab.yaml:13:7");
    EXPECT_EQ(web.users[2].name, "olivia@lab.test");
    EXPECT_EQ(web.users[2].role, WebRole::Officer);
    EXPECT_EQ(web.users[2].token_sha256, kToken2) << "stored in lower case";
    EXPECT_EQ(web.users[3].role, WebRole::Admin);
    EXPECT_TRUE(verify_password("correct horse", web.users[0].password_hash));
}

TEST(WebConfig, AnEmptyUserListIsAllowed) {
    const LabConfig cfg = parse_lab_config(kRoot + "web: {users: []}\n", "lab.yaml");
    EXPECT_TRUE(cfg.web.users.empty());
    EXPECT_EQ(cfg.web.where, "lab.yaml:4:6");
}

TEST(WebConfig, AThousandUsersAreAllowed) {
    std::string yaml = kRoot + "web:\n  users:\n";
    for (int i = 0; i < 1000; ++i) yaml += "    - {name: u" + std::to_string(i) + ", role: enrollee, password_hash: \"" + kHash + "\"}\n";
    EXPECT_EQ(parse_lab_config(yaml, "lab.yaml").web.users.size(), 1000u);
}

TEST(WebConfig, TemplatesEnrollRolesAndUsers) {
    const LabConfig cfg = parse_lab_config(kRoot +
                                               "templates:\n"
                                               "  - {name: Base, base: User, enroll: [officer, alice]}\n"
                                               "  - {name: Derived, base: Base}\n"
                                               "  - {name: Own, base: Base, enroll: [admin]}\n"
                                               "web:\n"
                                               "  users: [{name: alice, role: enrollee, token_sha256: " + kToken + "}]\n",
                                           "lab.yaml");
    EXPECT_EQ(cfg.find_template("Base")->enroll, (Names{"officer", "alice"}));
    EXPECT_EQ(cfg.find_template("Derived")->enroll, (Names{"officer", "alice"})) << "base: copies enroll";
    EXPECT_EQ(cfg.find_template("Own")->enroll, Names{"admin"}) << "a list replaces the base's whole";
    EXPECT_TRUE(cfg.find_template("User")->enroll.empty());
}

TEST(WebConfig, EnrollMayNameEveryRoleThatSubmitsWithoutAWebSection) {
    const LabConfig cfg = parse_lab_config(
        kRoot + "templates:\n  - {name: T, base: User, enroll: [enrollee, officer, admin]}\n", "lab.yaml");
    EXPECT_EQ(cfg.find_template("T")->enroll, (Names{"enrollee", "officer", "admin"}));
}

TEST(WebConfig, EnrollRefusesAuditorsWhoAreReadOnly) {
    for (const std::string list : {"[auditor]", "[enrollee, audrey]"}) {
        try {
            parse_lab_config(kRoot + "templates:\n  - {name: T, base: User, enroll: " + list + "}\n" +
                                 "web:\n  users: [{name: audrey, role: auditor, token_sha256: " + kToken + "}]\n",
                             "lab.yaml");
            FAIL() << list;
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("auditors are read-only"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("lab.yaml:"), std::string::npos) << e.what();
        }
    }
}

TEST(WebConfig, UnknownEnrollNameHintListsRolesUsersAndTheClosest) {
    try {
        parse_lab_config(kRoot +
                             "templates:\n  - {name: T, base: User, enroll: [alcie]}\n"
                             "web:\n  users: [{name: alice, role: enrollee, token_sha256: " + kToken + "}]\n",
                         "lab.yaml");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.hint(), "did you mean 'alice'? roles: enrollee, officer, admin; web users: alice");
    }
}

TEST(WebConfig, BadPasswordHashPointsAtTheCommandThatMakesOne) {
    try {
        parse_lab_config(kRoot + "web:\n  users: [{name: a, role: admin, password_hash: hunter2}]\n", "lab.yaml");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "lab.yaml:5:49");
        EXPECT_EQ(e.field(), "web.users[0].password_hash");
        EXPECT_NE(e.problem().find("not $pbkdf2-sha256$"), std::string::npos) << e.what();
        EXPECT_EQ(e.hint(), "make one with `pkilab web hash-password`");
    }
}

TEST(TemplateYamlEnroll, ReadsTheNamesInOrder) {
    const auto t = parse_template_text("{name: T, enroll: [officer, bob@lab.test, a-b_c.d]}", "t.yaml", nullptr);
    EXPECT_EQ(t.enroll, (Names{"officer", "bob@lab.test", "a-b_c.d"}));
    EXPECT_TRUE(parse_template_text("{name: T}", "t.yaml", nullptr).enroll.empty());
}

TEST(TemplateYamlEnroll, BaseCopiesItAndAListReplacesIt) {
    const CertificateTemplate base = parse_template_text("{name: B, enroll: [officer]}", "t.yaml", nullptr);
    const TemplateLookup lookup = [&](std::string_view n) { return n == "B" ? &base : nullptr; };
    EXPECT_EQ(parse_template_text("{name: D, base: B}", "t.yaml", lookup).enroll, Names{"officer"});
    EXPECT_EQ(parse_template_text("{name: D, base: B, enroll: [admin, alice]}", "t.yaml", lookup).enroll,
              (Names{"admin", "alice"}));
}

struct BadWeb {
    const char* name;
    std::string yaml;
    const char* where;
    const char* field;
    const char* problem_part;
};

class WebConfigBad : public ::testing::TestWithParam<BadWeb> {};

TEST_P(WebConfigBad, IsRefusedAtThePlace) {
    const BadWeb& c = GetParam();
    try {
        parse_lab_config(c.yaml, "lab.yaml");
        FAIL() << "accepted:\n" << c.yaml;
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), c.where) << e.what();
        EXPECT_EQ(e.field(), c.field) << e.what();
        EXPECT_NE(e.problem().find(c.problem_part), std::string::npos) << e.what();
    }
}

const std::string kWeb = kRoot + "web:\n  users:\n";  // users from line 6, "    - {" puts keys at column 8
std::string user(const std::string& fields) { return "    - {" + fields + "}\n"; }
const std::string kAlice = user("name: alice, role: enrollee, token_sha256: " + kToken);

std::string thousand_and_one() {
    std::string s = kWeb;
    for (int i = 0; i <= 1000; ++i) s += user("name: u" + std::to_string(i) + ", role: enrollee, token_sha256: " + kToken);
    return s;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, WebConfigBad,
    ::testing::Values(
        BadWeb{"UnknownKeyInWeb", kRoot + "web: {users: [], rate_limt: 5}\n", "lab.yaml:4:18", "web.rate_limt",
               "unknown key 'rate_limt'"},
        BadWeb{"WebNotAMapping", kRoot + "web: [alice]\n", "lab.yaml:4:6", "web", "expected a mapping"},
        BadWeb{"UsersNotAList", kRoot + "web: {users: alice}\n", "lab.yaml:4:14", "web.users", "expected a list"},
        BadWeb{"UnknownKeyInUser", kWeb + user("name: alice, role: admin, password: x"), "lab.yaml:6:34",
               "web.users[0].password", "unknown key 'password'"},
        BadWeb{"UserWithoutName", kWeb + user("role: admin, token_sha256: " + kToken), "lab.yaml:6:7",
               "web.users[0].name", "missing required key 'name'"},
        BadWeb{"UserNameWithASpace", kWeb + user("name: \"al ice\", role: admin, token_sha256: " + kToken),
               "lab.yaml:6:14", "web.users[0].name", "'al ice' is not a valid web user name"},
        BadWeb{"UserNameStartingWithAPunctuationMark", kWeb + user("name: .alice, role: admin, token_sha256: " + kToken),
               "lab.yaml:6:14", "web.users[0].name", "not a valid web user name"},
        BadWeb{"UserNameWithAColon", kWeb + user("name: \"a:b\", role: admin, token_sha256: " + kToken), "lab.yaml:6:14",
               "web.users[0].name", "not a valid web user name"},
        BadWeb{"UserNameTooLong", kWeb + user("name: " + std::string(65, 'a') + ", role: admin, token_sha256: " + kToken),
               "lab.yaml:6:14", "web.users[0].name", "not a valid web user name"},
        BadWeb{"UserDefinedTwice",
               kWeb + kAlice + user("name: alice, role: admin, token_sha256: " + kToken2), "lab.yaml:7:14",
               "web.users[1].name", "web user 'alice' is defined twice (first at line 6)"},
        BadWeb{"UserNamesDifferingOnlyInCase",
               kWeb + kAlice + user("name: Alice, role: admin, token_sha256: " + kToken2), "lab.yaml:7:14",
               "web.users[1].name", "web user 'Alice' is defined twice (first at line 6)"},
        BadWeb{"UserNamedLikeARole", kWeb + user("name: Officer, role: enrollee, token_sha256: " + kToken),
               "lab.yaml:6:14", "web.users[0].name", "'Officer' is the name of a role"},
        BadWeb{"UserWithoutRole", kWeb + user("name: alice, token_sha256: " + kToken), "lab.yaml:6:7",
               "web.users[0].role", "missing required key 'role'"},
        BadWeb{"UnknownRole", kWeb + user("name: alice, role: offcer, token_sha256: " + kToken), "lab.yaml:6:27",
               "web.users[0].role", "unknown role 'offcer'"},
        BadWeb{"RoleInUpperCase", kWeb + user("name: alice, role: Admin, token_sha256: " + kToken), "lab.yaml:6:27",
               "web.users[0].role", "unknown role 'Admin'"},
        BadWeb{"RoleAsAList", kWeb + user("name: alice, role: [admin], token_sha256: " + kToken), "lab.yaml:6:27",
               "web.users[0].role", "expected a single value"},
        BadWeb{"UserWithoutCredentials", kWeb + user("name: alice, role: admin"), "lab.yaml:6:7", "web.users[0]",
               "has neither password_hash, token_sha256 nor client_certificate"},
        BadWeb{"EmptyPasswordHash", kWeb + user("name: alice, role: admin, password_hash: \"\""), "lab.yaml:6:49",
               "web.users[0].password_hash", "password_hash: the password hash is empty"},
        BadWeb{"PasswordHashIterationsTooFew",
               kWeb + user("name: alice, role: admin, password_hash: \"$pbkdf2-sha256$i=1000$AAECAwQFBgcICQoLDA0ODw$"
                           "5RUHDgNTp9sBOWGYS4e6u57cz/Sq3/TQgaDP/8MW6L8\""),
               "lab.yaml:6:49", "web.users[0].password_hash", "i= is below 10000"},
        BadWeb{"PasswordHashPadded",
               kWeb + user("name: alice, role: admin, password_hash: \"" + kHash + "=\""), "lab.yaml:6:49",
               "web.users[0].password_hash", "padding"},
        BadWeb{"PlaintextPassword", kWeb + user("name: alice, role: admin, password_hash: hunter2"), "lab.yaml:6:49",
               "web.users[0].password_hash", "not $pbkdf2-sha256$"},
        BadWeb{"TokenTooShort", kWeb + user("name: alice, role: admin, token_sha256: " + kToken.substr(1)),
               "lab.yaml:6:48", "web.users[0].token_sha256", "not 64 hex digits"},
        BadWeb{"TokenNotHex", kWeb + user("name: alice, role: admin, token_sha256: " + kToken.substr(1) + "g"),
               "lab.yaml:6:48", "web.users[0].token_sha256", "not 64 hex digits"},
        BadWeb{"TokenWithColons", kWeb + user("name: alice, role: admin, token_sha256: \"01:" + kToken.substr(3) + "\""),
               "lab.yaml:6:48", "web.users[0].token_sha256", "not 64 hex digits"},
        BadWeb{"TokenShared", kWeb + kAlice + user("name: bob, role: admin, token_sha256: " + kToken), "lab.yaml:7:46",
               "web.users[1].token_sha256", "web user 'bob' has the same token as 'alice' (line 6)"},
        BadWeb{"TokenSharedInAnotherCase",
               kWeb + kAlice + user("name: bob, role: admin, token_sha256: 0123456789ABCDEF" + kToken.substr(16)),
               "lab.yaml:7:46", "web.users[1].token_sha256", "has the same token as 'alice'"},
        BadWeb{"TooManyUsers", thousand_and_one(), "lab.yaml:6:5", "web.users",
               "web.users lists 1001 users; at most 1000 are allowed"},
        BadWeb{"CertsrvCaNotACa", kRoot + "web: {certsrv_ca: rot}\n", "lab.yaml:4:19", "web.certsrv_ca",
               "certsrv_ca 'rot' is not a CA of this lab"},
        BadWeb{"RateLimitTooHigh", kRoot + "web: {rate_limit_per_minute: 1000001}\n", "lab.yaml:4:30",
               "web.rate_limit_per_minute", "out of range"},
        BadWeb{"RateLimitNegative", kRoot + "web: {rate_limit_per_minute: -1}\n", "lab.yaml:4:30",
               "web.rate_limit_per_minute", "out of range"},
        BadWeb{"RateLimitNotANumber", kRoot + "web: {rate_limit_per_minute: lots}\n", "lab.yaml:4:30",
               "web.rate_limit_per_minute", "expected a whole number"},
        BadWeb{"SanFromAttributesNotABool", kRoot + "web: {san_from_request_attributes: yes}\n", "lab.yaml:4:36",
               "web.san_from_request_attributes", "expected true or false"},
        BadWeb{"EnrollUnknownName",
               kRoot + "templates:\n  - {name: T, base: User, enroll: [officer, bob]}\n" + "web:\n  users:\n" + kAlice,
               "lab.yaml:5:45", "templates[0].enroll[1]",
               "template 'T' lets 'bob' enroll, but 'bob' is neither a role nor a web user"},
        BadWeb{"EnrollUserWithoutWebSection", kRoot + "templates:\n  - {name: T, base: User, enroll: [alice]}\n",
               "lab.yaml:5:36", "templates[0].enroll[0]", "'alice' is neither a role nor a web user"},
        BadWeb{"EnrollRoleInUpperCase", kRoot + "templates:\n  - {name: T, base: User, enroll: [Admin]}\n",
               "lab.yaml:5:36", "templates[0].enroll[0]", "'Admin' is neither a role nor a web user"},
        BadWeb{"EnrollInADerivedTemplate",
               kRoot + "templates:\n  - {name: A, base: User}\n  - {name: B, base: A, enroll: [nobody]}\n",
               "lab.yaml:6:33", "templates[1].enroll[0]", "template 'B' lets 'nobody' enroll"},
        BadWeb{"EnrollBadName", kRoot + "templates:\n  - {name: T, base: User, enroll: [\"a b\"]}\n", "lab.yaml:5:36",
               "templates[0].enroll[0]", "'a b' is not a valid role or user name"},
        BadWeb{"EnrollEmptyList", kRoot + "templates:\n  - {name: T, base: User, enroll: []}\n", "lab.yaml:5:35",
               "templates[0].enroll", "enroll is an empty list"},
        BadWeb{"EnrollListedTwice", kRoot + "templates:\n  - {name: T, base: User, enroll: [admin, admin]}\n",
               "lab.yaml:5:43", "templates[0].enroll[1]", "'admin' is listed twice"},
        BadWeb{"EnrollNotAList", kRoot + "templates:\n  - {name: T, base: User, enroll: admin}\n", "lab.yaml:5:35",
               "templates[0].enroll", "expected a list"}),
    [](const auto& tpi) { return std::string(tpi.param.name); });

}  // namespace
}  // namespace pkilab
