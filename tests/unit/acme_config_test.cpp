// protocols.acme in the lab file: the defaults a lab without the section gets, the keys, and
// the mistakes refused with their place.
#include "ca/config/acme_config.hpp"

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

std::string error_of(const std::string& acme) {
    try {
        parse_lab_config(kLab + "protocols:\n  acme:\n" + acme, "lab.yaml");
    } catch (const InputError& e) {
        return e.what();
    }
    return "(accepted)";
}

TEST(AcmeConfig, OnWithLabFriendlyDefaultsWithoutASection) {
    const LabConfig lab = parse_lab_config(kLab, "lab.yaml");
    const AcmeConfig& c = lab.protocols.acme;
    EXPECT_TRUE(c.enabled);
    EXPECT_EQ(c.http01_port, 5002);
    EXPECT_EQ(c.default_address, "127.0.0.1");
    EXPECT_TRUE(c.hosts.empty());
    EXPECT_TRUE(c.endpoints.empty());
    EXPECT_TRUE(c.where.empty());
}

TEST(AcmeConfig, ReadsEveryKey) {
    const LabConfig lab = parse_lab_config(kLab +
                                               "protocols:\n  acme:\n    http01_port: 18080\n    default_address: ::1\n"
                                               "    hosts: {WWW.lab.test: 10.0.0.7}\n"
                                               "    endpoints:\n      - {name: web, template: WebServer, ca: issuing, eab: true}\n"
                                               "      - {name: User}\n    default_endpoint: web\n",
                                           "lab.yaml");
    const AcmeConfig& c = lab.protocols.acme;
    EXPECT_EQ(c.http01_port, 18080);
    EXPECT_EQ(c.default_address, "::1");
    ASSERT_EQ(c.hosts.size(), 1u);
    EXPECT_EQ(c.hosts[0].first, "www.lab.test");
    EXPECT_EQ(c.hosts[0].second, "10.0.0.7");
    ASSERT_EQ(c.endpoints.size(), 2u);
    EXPECT_EQ(c.endpoints[0].template_name, "WebServer");
    EXPECT_EQ(c.endpoints[0].ca, "issuing");
    EXPECT_TRUE(c.endpoints[0].eab_required);
    EXPECT_EQ(c.endpoints[1].template_name, "User");
    EXPECT_FALSE(c.endpoints[1].eab_required);
    EXPECT_EQ(c.default_endpoint, "web");
}

TEST(AcmeConfig, RefusesMistakesWhereTheyAre) {
    EXPECT_NE(error_of("    http01_prot: 80\n").find("did you mean 'http01_port'"), std::string::npos);
    EXPECT_NE(error_of("    http01_port: 0\n").find("lab.yaml:"), std::string::npos);
    EXPECT_NE(error_of("    hosts: {www.lab.test: nowhere}\n").find("'nowhere' (for www.lab.test) is not an IP address"), std::string::npos);
    EXPECT_NE(error_of("    default_address: localhost\n").find("is not an IP address"), std::string::npos);
    EXPECT_NE(error_of("    endpoints:\n      - {name: x, template: Nope}\n").find("names no template of the lab: 'Nope'"), std::string::npos);
    EXPECT_NE(error_of("    endpoints:\n      - {name: x, template: WebServer, ca: nope}\n").find("names no CA of the lab: 'nope'"), std::string::npos);
    EXPECT_NE(error_of("    endpoints:\n      - {name: directory, template: WebServer}\n").find("cannot be a URL segment"), std::string::npos);
    EXPECT_NE(error_of("    endpoints:\n      - {name: test-resolver, template: WebServer}\n").find("cannot be a URL segment"),
              std::string::npos);
    EXPECT_NE(error_of("    endpoints:\n      - {name: a/b, template: WebServer}\n").find("cannot be a URL segment"), std::string::npos);
    EXPECT_NE(error_of("    endpoints:\n      - {name: w, template: WebServer}\n      - {name: w, template: User}\n").find("a second endpoint"),
              std::string::npos);
    EXPECT_NE(error_of("    endpoints:\n      - {name: w, template: WebServer}\n    default_endpoint: v\n").find("no endpoint named 'v'"),
              std::string::npos);
    EXPECT_NE(error_of("    endpoints:\n      - {name: w, template: WebServer, eab: yes}\n").find("lab.yaml:"), std::string::npos);
    EXPECT_EQ(error_of("    enabled: false\n"), "(accepted)");
}

}  // namespace
}  // namespace pkilab
