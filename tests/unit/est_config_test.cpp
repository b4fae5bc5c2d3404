// protocols.est in the lab file, and the endpoints (labels) the server derives from it.
#include "ca/config/est_config.hpp"

#include <gtest/gtest.h>

#include <string>

#include "ca/config/lab_config.hpp"
#include "ca/errors.hpp"
#include "webenroll/est/est_labels.hpp"

namespace pkilab {
namespace {

using web::est::Endpoint;
using web::est::Endpoints;

const std::string kLab =
    "cas:\n"
    "  - name: root\n"
    "    subject: \"CN=Root\"\n"
    "    templates: [SubCA]\n"
    "  - name: issuing\n"
    "    subject: \"CN=Issuing\"\n"
    "    parent: root\n"
    "    templates: [WebServer, User, LyncServer, OCSPResponseSigning]\n"
    "  - name: other\n"
    "    subject: \"CN=Other\"\n"
    "    parent: root\n"
    "    templates: [Computer]\n";

std::string error_of(const std::string& yaml) {
    try {
        parse_lab_config(yaml, "lab.yaml");
    } catch (const InputError& e) {
        return e.what();
    }
    return "(accepted)";
}

std::vector<std::string> labels(const Endpoints& e) {
    std::vector<std::string> out;
    for (const Endpoint& l : e.labels()) out.push_back(l.label + "=" + l.template_name + "@" + l.ca);
    return out;
}

TEST(EstConfig, AbsentSectionIsOnWithWebServerAndATemplateLabelEach) {
    const LabConfig cfg = parse_lab_config(kLab, "lab.yaml");
    EXPECT_TRUE(cfg.protocols.est.enabled);
    EXPECT_TRUE(cfg.protocols.est.where.empty());
    EXPECT_EQ(cfg.protocols.est.retry_after_seconds, 10u);
    const Endpoints e = Endpoints::resolve(cfg, "issuing");
    EXPECT_EQ(e.default_endpoint().template_name, "WebServer");
    EXPECT_EQ(e.default_endpoint().ca, "issuing");
    // No SubCA, no OCSP signing: those are not for devices.
    EXPECT_EQ(labels(e), (std::vector<std::string>{"webserver=WebServer@issuing", "user=User@issuing",
                                                   "lyncserver=LyncServer@issuing"}));
    ASSERT_NE(e.find("lyncserver"), nullptr);
    EXPECT_EQ(e.find("LyncServer"), nullptr);  // paths are matched exactly
    EXPECT_EQ(e.find("subca"), nullptr);
}

TEST(EstConfig, LabelsTemplateAndCaFromTheFile) {
    const LabConfig cfg = parse_lab_config(kLab +
                                               "protocols:\n  est:\n    template: User\n    template_labels: false\n"
                                               "    retry_after: 3\n"
                                               "    labels:\n"
                                               "      - {label: web, template: WebServer}\n"
                                               "      - {label: machines, template: Computer, ca: other}\n",
                                           "lab.yaml");
    EXPECT_EQ(cfg.protocols.est.retry_after_seconds, 3u);
    const Endpoints e = Endpoints::resolve(cfg, "issuing");
    EXPECT_EQ(e.default_endpoint().template_name, "User");
    EXPECT_EQ(labels(e), (std::vector<std::string>{"web=WebServer@issuing", "machines=Computer@other"}));
}

TEST(EstConfig, AFileLabelWinsOverTheTemplateLabelOfTheSameName) {
    const LabConfig cfg =
        parse_lab_config(kLab + "protocols:\n  est:\n    labels: [{label: user, template: LyncServer}]\n", "lab.yaml");
    EXPECT_EQ(labels(Endpoints::resolve(cfg, "issuing")),
              (std::vector<std::string>{"user=LyncServer@issuing", "webserver=WebServer@issuing",
                                        "lyncserver=LyncServer@issuing"}));
}

TEST(EstConfig, TheSectionsCaChangesTheDefaults) {
    const LabConfig cfg = parse_lab_config(kLab + "protocols:\n  est:\n    ca: other\n", "lab.yaml");
    const Endpoints e = Endpoints::resolve(cfg, "issuing");
    // other publishes no WebServer: its first end-entity template.
    EXPECT_EQ(e.default_endpoint().template_name, "Computer");
    EXPECT_EQ(e.default_endpoint().ca, "other");
    EXPECT_EQ(labels(e), (std::vector<std::string>{"computer=Computer@other"}));
}

TEST(EstConfig, MistakesAreErrorsThatSayWhere) {
    auto with = [](const std::string& est) { return error_of(kLab + "protocols:\n  est:\n" + est); };
    EXPECT_NE(with("    colour: blue\n").find("colour"), std::string::npos);
    EXPECT_NE(with("    ca: nosuch\n").find("names no CA"), std::string::npos);
    EXPECT_NE(with("    template: WebServr\n").find("did you mean 'WebServer'"), std::string::npos);
    EXPECT_NE(with("    ca: other\n    template: WebServer\n").find("does not publish"), std::string::npos);
    EXPECT_NE(with("    labels: [{label: x, template: Computer}]\n").find("(accepted)"), std::string::npos)
        << "Computer at the certsrv CA is checked when the server starts";
    EXPECT_NE(with("    labels: [{label: x, template: Computer, ca: issuing}]\n").find("does not publish"), std::string::npos);
    EXPECT_NE(with("    labels: [{label: cacerts, template: User}]\n").find("operation"), std::string::npos);
    EXPECT_NE(with("    labels: [{label: \"a/b\", template: User}]\n").find("one segment"), std::string::npos);
    EXPECT_NE(with("    labels: [{label: a, template: User}, {label: A, template: User}]\n").find("twice"), std::string::npos);
    EXPECT_NE(with("    retry_after: 0\n"), "(accepted)");
    EXPECT_NE(with("    enabled: maybe\n"), "(accepted)");
    EXPECT_FALSE(parse_lab_config(kLab + "protocols:\n  est:\n    enabled: false\n", "lab.yaml").protocols.est.enabled);
}

TEST(EstConfig, ALabelOfATemplateTheCaDoesNotPublishFailsAtStart) {
    const LabConfig cfg = parse_lab_config(kLab + "protocols:\n  est:\n    labels: [{label: x, template: Computer}]\n", "lab.yaml");
    // The labels without a CA use the certsrv CA, known to the server only.
    EXPECT_NO_THROW(Endpoints::resolve(cfg, "other"));
    EXPECT_THROW(Endpoints::resolve(cfg, "issuing"), InputError);
    const LabConfig bad = parse_lab_config(kLab + "protocols:\n  est:\n    template: Computer\n", "lab.yaml");
    EXPECT_THROW(Endpoints::resolve(bad, "issuing"), InputError);
}

TEST(EstConfig, LabelSyntax) {
    EXPECT_EQ(est_label_problem("webserver"), "");
    EXPECT_EQ(est_label_problem("a.b_c-1"), "");
    EXPECT_NE(est_label_problem(""), "");
    EXPECT_NE(est_label_problem("-x"), "");
    EXPECT_NE(est_label_problem("a b"), "");
    EXPECT_NE(est_label_problem(std::string(65, 'a')), "");
    EXPECT_NE(est_label_problem("simpleenroll"), "");
}

}  // namespace
}  // namespace pkilab
