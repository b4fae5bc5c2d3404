// protocols.scep: in the lab file.
#include <gtest/gtest.h>

#include "ca/auth/password_hash.hpp"
#include "ca/config/lab_config.hpp"
#include "ca/errors.hpp"
#include "lab_fixture.hpp"

namespace pkilab::test {
namespace {

LabConfig with_scep(const std::string& section) {
    return parse_lab_config(std::string(kTestLab) + "protocols:\n  scep:\n" + section, "lab.yaml");
}

TEST(ScepConfig, WithoutASectionThereIsOneDefaultEndpoint) {
    const LabConfig c = parse_lab_config(kTestLab, "lab.yaml");
    EXPECT_TRUE(c.protocols.scep.enabled);
    ASSERT_EQ(c.protocols.scep.endpoints.size(), 1u);
    EXPECT_EQ(c.protocols.scep.endpoints[0].name, "default");
    EXPECT_EQ(c.protocols.scep.endpoints[0].template_name, "WebServer");
    EXPECT_EQ(c.protocols.scep.endpoints[0].ca, "");
    EXPECT_EQ(c.protocols.scep.endpoints[0].challenge_hash, "");
    EXPECT_EQ(c.protocols.scep.challenge_lifetime, std::chrono::hours{1});
}

TEST(ScepConfig, EndpointsAreRead) {
    const std::string hash = hash_password("routers-secret", kMinPbkdf2Iterations);
    const LabConfig c = with_scep("    challenge_lifetime: 15m\n    endpoints:\n"
                                  "      - name: routers\n        template: Approved\n        ca: issuing\n"
                                  "        challenge_hash: \"" + hash + "\"\n"
                                  "      - name: users\n        template: User\n");
    const auto& s = c.protocols.scep;
    EXPECT_EQ(s.challenge_lifetime, std::chrono::minutes{15});
    ASSERT_EQ(s.endpoints.size(), 2u);
    EXPECT_EQ(s.endpoints[0].name, "routers");
    EXPECT_EQ(s.endpoints[0].template_name, "Approved");
    EXPECT_EQ(s.endpoints[0].ca, "issuing");
    EXPECT_EQ(s.endpoints[0].challenge_hash, hash);
    EXPECT_EQ(s.endpoints[1].template_name, "User");
}

TEST(ScepConfig, MistakesAreNamed) {
    auto problem = [](const std::string& section) {
        try {
            with_scep(section);
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(problem("    endpoints:\n      - name: a\n        template: NoSuch\n").find("names no template of the lab: 'NoSuch'"), std::string::npos);
    EXPECT_NE(problem("    endpoints:\n      - name: a\n        ca: nope\n").find("names no CA of the lab: 'nope'"), std::string::npos);
    EXPECT_NE(problem("    endpoints:\n      - name: a\n        ca: root\n").find("does not publish"), std::string::npos);
    EXPECT_NE(problem("    endpoints:\n      - name: Bad/Name\n").find("endpoint name"), std::string::npos);
    EXPECT_NE(problem("    endpoints:\n      - name: a\n      - name: a\n").find("second endpoint"), std::string::npos);
    EXPECT_NE(problem("    endpoints:\n      - name: a\n        challenge_hash: plain\n").find("hash-password"), std::string::npos);
    EXPECT_NE(problem("    endpoints: []\n").find("no endpoints"), std::string::npos);
    EXPECT_NE(problem("    challenge_lifetime: 5s\n").find("between"), std::string::npos);
    EXPECT_NE(problem("    chalenge_lifetime: 5m\n"), "accepted");
}

}  // namespace
}  // namespace pkilab::test
