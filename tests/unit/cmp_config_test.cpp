#include "ca/config/cmp_config.hpp"

#include <gtest/gtest.h>

#include <string>

#include "ca/config/lab_config.hpp"
#include "ca/errors.hpp"

namespace pkilab {
namespace {

const std::string kLab =
    "cas:\n"
    "  - name: root\n"
    "    subject: \"CN=Root\"\n"
    "    templates: [SubCA]\n"
    "  - name: issuing\n"
    "    subject: \"CN=Issuing\"\n"
    "    parent: root\n"
    "    templates: [WebServer, User]\n";

std::string problem_of(const std::string& cmp_section) {
    try {
        parse_lab_config(kLab + "protocols:\n  cmp:\n" + cmp_section, "lab.yaml");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(CmpConfig, AbsentSectionIsOnWithDefaults) {
    const CmpConfig c = parse_lab_config(kLab, "lab.yaml").protocols.cmp;
    EXPECT_TRUE(c.enabled);
    EXPECT_TRUE(c.ca.empty());
    EXPECT_TRUE(c.template_name.empty());
    EXPECT_TRUE(c.profiles.empty());
    EXPECT_TRUE(c.secrets.empty());
    EXPECT_TRUE(c.where.empty());
}

TEST(CmpConfig, ReadsProfilesAndSecrets) {
    const CmpConfig c = parse_lab_config(kLab +
                                             "protocols:\n  cmp:\n    ca: issuing\n    template: WebServer\n"
                                             "    profiles:\n      - {label: users, template: User}\n"
                                             "      - {label: web.2, template: WebServer, ca: issuing}\n"
                                             "    secrets:\n      - {reference: dev-1, secret: s3cret}\n"
                                             "      - {reference: dev-2, secret: \"env:CMP_DEV2\"}\n",
                                         "lab.yaml")
                            .protocols.cmp;
    EXPECT_EQ(c.ca, "issuing");
    EXPECT_EQ(c.template_name, "WebServer");
    ASSERT_EQ(c.profiles.size(), 2u);
    EXPECT_EQ(c.profiles[0].label, "users");
    EXPECT_EQ(c.profiles[0].template_name, "User");
    EXPECT_TRUE(c.profiles[0].ca.empty());
    EXPECT_EQ(c.profiles[1].ca, "issuing");
    ASSERT_EQ(c.secrets.size(), 2u);
    EXPECT_EQ(c.secrets[0].reference, "dev-1");
    EXPECT_EQ(c.secrets[0].secret, "s3cret");
    EXPECT_EQ(c.secrets[1].secret, "env:CMP_DEV2");
    EXPECT_FALSE(c.where.empty());
}

TEST(CmpConfig, Disabled) {
    EXPECT_FALSE(parse_lab_config(kLab + "protocols:\n  cmp: {enabled: false}\n", "lab.yaml").protocols.cmp.enabled);
}

TEST(CmpConfig, RefusesWhatCannotWork) {
    EXPECT_NE(problem_of("    nonsense: 1\n").find("nonsense"), std::string::npos);
    EXPECT_NE(problem_of("    ca: nosuch\n").find("names no CA"), std::string::npos);
    EXPECT_NE(problem_of("    template: NoSuch\n").find("names no template"), std::string::npos);
    EXPECT_NE(problem_of("    ca: root\n    template: WebServer\n").find("does not publish"), std::string::npos);
    EXPECT_NE(problem_of("    profiles:\n      - {label: \"a/b\", template: User}\n").find("one segment"), std::string::npos);
    EXPECT_NE(problem_of("    profiles:\n      - {label: \"\", template: User}\n").find("empty"), std::string::npos);
    EXPECT_NE(problem_of("    profiles:\n      - {label: x, template: User}\n      - {label: X, template: User}\n").find("twice"),
              std::string::npos);
    EXPECT_NE(problem_of("    profiles:\n      - {label: x, template: User, ca: root}\n").find("does not publish"),
              std::string::npos);
    EXPECT_NE(problem_of("    profiles:\n      - {template: User}\n").find("label"), std::string::npos);
    EXPECT_NE(problem_of("    secrets:\n      - {reference: \"a b\", secret: x}\n").find("printable"), std::string::npos);
    EXPECT_NE(problem_of("    secrets:\n      - {reference: a, secret: \"\"}\n").find("empty"), std::string::npos);
    EXPECT_NE(problem_of("    secrets:\n      - {reference: a, secret: \"env:\"}\n").find("empty"), std::string::npos);
    EXPECT_NE(problem_of("    secrets:\n      - {reference: a, secret: x}\n      - {reference: a, secret: y}\n").find("twice"),
              std::string::npos);
    std::string many = "    secrets:\n";
    for (int i = 0; i <= 64; ++i) many += "      - {reference: r" + std::to_string(i) + ", secret: x}\n";
    EXPECT_NE(problem_of(many).find("at most"), std::string::npos);
}

TEST(CmpConfig, LabelRules) {
    EXPECT_EQ(cmp_label_problem("default"), "");
    EXPECT_EQ(cmp_label_problem("a.b_c-1"), "");
    EXPECT_NE(cmp_label_problem(""), "");
    EXPECT_NE(cmp_label_problem(".x"), "");
    EXPECT_NE(cmp_label_problem("x y"), "");
    EXPECT_NE(cmp_label_problem(std::string(65, 'a')), "");
}

}  // namespace
}  // namespace pkilab
