// Roles and access levels, rate limits, sessions and accounts of the web front end.
#include <array>

#include <gtest/gtest.h>

#include "ca/auth/password_hash.hpp"
#include "webenroll/auth/accounts.hpp"
#include "webenroll/auth/caller.hpp"
#include "webenroll/auth/rate_limiter.hpp"
#include "webenroll/auth/sessions.hpp"

namespace pkilab::web {
namespace {

using namespace std::chrono_literals;

TEST(RoleAllows, EachAccessLevelAdmitsExactlyItsRoles) {
    // Rows: access; columns: anonymous, enrollee, auditor, officer, admin.
    struct Row {
        Access access;
        std::array<bool, 5> allowed;
    };
    const std::vector<Row> table{
        {Access::Public, {true, true, true, true, true}},
        {Access::Authenticated, {false, true, true, true, true}},
        {Access::Enroll, {false, true, false, true, true}},
        {Access::Read, {false, false, true, true, true}},
        {Access::Officer, {false, false, false, true, true}},
        {Access::Admin, {false, false, false, false, true}},
    };
    const std::array<std::optional<WebRole>, 5> roles{std::nullopt, WebRole::Enrollee, WebRole::Auditor, WebRole::Officer,
                                                      WebRole::Admin};
    for (const auto& row : table)
        for (size_t i = 0; i < roles.size(); ++i)
            EXPECT_EQ(role_allows(roles[i], row.access), row.allowed[i]) << to_string(row.access) << " x " << i;
}

Caller caller(const std::string& name, WebRole role) {
    Caller c;
    c.name = name;
    c.role = role;
    return c;
}

TEST(MayEnroll, TheTemplateListNamesRolesOrUsers) {
    CertificateTemplate t;
    const Caller alice = caller("alice", WebRole::Enrollee);
    const Caller audrey = caller("audrey", WebRole::Auditor);
    const Caller olivia = caller("olivia", WebRole::Officer);
    EXPECT_TRUE(may_enroll(alice, t));
    EXPECT_FALSE(may_enroll(audrey, t));  // auditors read, they do not enroll
    EXPECT_FALSE(may_enroll(Caller{}, t));
    t.enroll = {"officer", "alice"};
    EXPECT_TRUE(may_enroll(alice, t));
    EXPECT_TRUE(may_enroll(olivia, t));
    EXPECT_FALSE(may_enroll(caller("bob", WebRole::Enrollee), t));
}

TEST(RateLimiter, ABurstPassesThenTheClientWaitsForTheRefill) {
    RateLimiter limiter(60);  // one per second
    const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
    for (int i = 0; i < 60; ++i) ASSERT_EQ(limiter.take("10.0.0.1", t0), 0u) << i;
    EXPECT_EQ(limiter.take("10.0.0.1", t0), 1u);
    EXPECT_EQ(limiter.take("10.0.0.2", t0), 0u);  // per address
    EXPECT_EQ(limiter.take("10.0.0.1", t0 + 1s), 0u);
    EXPECT_GE(limiter.take("10.0.0.1", t0 + 1s, 10.0), 10u);  // a refused password costs ten
    EXPECT_EQ(RateLimiter(0).take("x", t0, 1e9), 0u);
}

TEST(Sessions, ExpireWhenIdleAndAtTheirHardLimit) {
    Sessions sessions;
    const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
    const Session s = sessions.open({"olivia", WebRole::Officer}, t0);
    EXPECT_EQ(s.id.size(), 43u);
    EXPECT_NE(s.id, s.csrf);
    ASSERT_TRUE(sessions.find(s.id, t0 + 29min));
    ASSERT_TRUE(sessions.find(s.id, t0 + 58min));  // renewed by use
    EXPECT_FALSE(sessions.find(s.id, t0 + 58min + Sessions::kIdle));
    const Session busy = sessions.open({"adam", WebRole::Admin}, t0);
    for (auto t = t0; t < t0 + Sessions::kLifetime; t += 20min) ASSERT_TRUE(sessions.find(busy.id, t));
    EXPECT_FALSE(sessions.find(busy.id, t0 + Sessions::kLifetime));
    EXPECT_FALSE(sessions.find("not-a-session", t0));
    const Session gone = sessions.open({"adam", WebRole::Admin}, t0);
    sessions.close(gone.id);
    EXPECT_FALSE(sessions.find(gone.id, t0));
}

TEST(Accounts, PasswordsTokensAndTheGeneratedAdministrator) {
    std::vector<WebUser> users(2);
    users[0].name = "alice";
    users[0].role = WebRole::Enrollee;
    users[0].password_hash = hash_password("alice-secret", kMinPbkdf2Iterations);
    users[1].name = "ci";
    users[1].role = WebRole::Officer;
    // sha256("ci-token") by `printf ci-token | sha256sum`
    users[1].token_sha256 = "948b8c2427cd29047839b8e4a27a08763f8befbafa86be5cce8e46217d75e58a";
    GeneratedAdmin admin;
    admin.password = "generated-password-123";
    Accounts accounts(users, admin);
    EXPECT_TRUE(accounts.has_generated_admin());
    ASSERT_TRUE(accounts.check_password("alice", "alice-secret"));
    EXPECT_EQ(accounts.check_password("alice", "alice-secret")->role, WebRole::Enrollee);  // the remembered path
    EXPECT_FALSE(accounts.check_password("alice", "alice-secreT"));
    EXPECT_FALSE(accounts.check_password("alice", ""));
    EXPECT_FALSE(accounts.check_password("ci", "anything"));  // a token-only user has no password
    EXPECT_FALSE(accounts.check_password("nobody", "alice-secret"));
    ASSERT_TRUE(accounts.check_password("admin", "generated-password-123"));
    EXPECT_EQ(accounts.check_password("admin", "generated-password-123")->role, WebRole::Admin);
    EXPECT_FALSE(accounts.check_token(""));
    EXPECT_FALSE(accounts.check_token("ci-tokeN"));
    ASSERT_TRUE(accounts.check_token("ci-token"));
    EXPECT_EQ(accounts.check_token("ci-token")->name, "ci");
}

}  // namespace
}  // namespace pkilab::web
