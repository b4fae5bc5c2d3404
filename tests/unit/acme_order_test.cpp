// ACME's order and authorization state machine on a lab clock (RFC 8555 §7.1.6), identifiers,
// nonces, and the state's round trip through STATE/acme/acme.db.
#include <gtest/gtest.h>

#include "ca/errors.hpp"
#include "store_test_support.hpp"
#include "webenroll/acme/acme_identifier.hpp"
#include "webenroll/acme/acme_model.hpp"
#include "webenroll/acme/acme_nonces.hpp"
#include "webenroll/acme/acme_problem.hpp"
#include "webenroll/acme/acme_store.hpp"

namespace pkilab::acme {
namespace {

const Time kStart = Time{Duration{1'800'000'000}};

Authorization authz(const std::string& id, const std::string& status, Time expires) {
    Authorization a;
    a.id = id;
    a.account = "acct";
    a.order = "o1";
    a.identifier = {"dns", id + ".lab.test"};
    a.status = status;
    a.expires = expires;
    a.challenges.push_back(Challenge{"http-01", "tok-" + id, "pending", std::nullopt, nullptr});
    return a;
}

Order order(Time expires) {
    Order o;
    o.id = "o1";
    o.account = "acct";
    o.endpoint = "WebServer";
    o.expires = expires;
    o.identifiers = {{"dns", "a.lab.test"}, {"dns", "b.lab.test"}};
    o.authorizations = {"a", "b"};
    return o;
}

TEST(AcmeOrder, ReadyOnlyWhenEveryAuthorizationIsValid) {
    Order o = order(kStart + std::chrono::hours(1));
    std::vector<Authorization> az{authz("a", "pending", kStart + std::chrono::hours(1)), authz("b", "pending", kStart + std::chrono::hours(1))};
    EXPECT_FALSE(refresh_order(o, az, kStart));
    EXPECT_EQ(o.status, "pending");
    finish_challenge(az[0], 0, true, kStart, nullptr);
    EXPECT_EQ(az[0].status, "valid");
    EXPECT_EQ(az[0].challenges[0].validated, kStart);
    EXPECT_FALSE(refresh_order(o, az, kStart));
    EXPECT_EQ(o.status, "pending");
    finish_challenge(az[1], 0, true, kStart, nullptr);
    EXPECT_TRUE(refresh_order(o, az, kStart));
    EXPECT_EQ(o.status, "ready");
    // A ready order expires on the lab clock too; then nothing moves it any more.
    EXPECT_TRUE(refresh_order(o, az, kStart + std::chrono::hours(2)));
    EXPECT_EQ(o.status, "invalid");
    EXPECT_EQ(o.error["type"], "urn:ietf:params:acme:error:malformed");
    EXPECT_FALSE(refresh_order(o, az, kStart + std::chrono::hours(3)));
}

TEST(AcmeOrder, OneFailedChallengeMakesTheOrderInvalid) {
    Order o = order(kStart + std::chrono::hours(1));
    std::vector<Authorization> az{authz("a", "pending", kStart + std::chrono::hours(1)), authz("b", "pending", kStart + std::chrono::hours(1))};
    finish_challenge(az[1], 0, false, kStart, problem_json("connection", "refused", 400));
    EXPECT_EQ(az[1].status, "invalid");
    EXPECT_EQ(az[1].challenges[0].status, "invalid");
    EXPECT_EQ(az[1].challenges[0].error["detail"], "refused");
    EXPECT_TRUE(refresh_order(o, az, kStart));
    EXPECT_EQ(o.status, "invalid");
    EXPECT_NE(o.error["detail"].get<std::string>().find("b.lab.test"), std::string::npos);
}

TEST(AcmeOrder, AuthorizationsAndOrdersExpireByTheLabClock) {
    Authorization a = authz("a", "pending", kStart + std::chrono::hours(1));
    EXPECT_FALSE(refresh_authorization(a, kStart));
    EXPECT_TRUE(refresh_authorization(a, kStart + std::chrono::hours(1)));
    EXPECT_EQ(a.status, "expired");
    Order o = order(kStart + std::chrono::hours(5));
    std::vector<Authorization> az{a, authz("b", "valid", kStart + std::chrono::hours(5))};
    EXPECT_TRUE(refresh_order(o, az, kStart + std::chrono::hours(1)));
    EXPECT_EQ(o.status, "invalid");
    // Processing and valid orders are the CA's business, not the clock's.
    Order done = order(kStart);
    done.status = "valid";
    EXPECT_FALSE(refresh_order(done, az, kStart + std::chrono::hours(9)));
    EXPECT_EQ(done.status, "valid");
}

TEST(AcmeIdentifier, NormalizesAndRefuses) {
    EXPECT_EQ(read_identifier({{"type", "dns"}, {"value", "WWW.Lab.Test"}}).value, "www.lab.test");
    EXPECT_EQ(read_identifier({{"type", "ip"}, {"value", "2001:DB8:0:0::1"}}).value, "2001:db8::1");
    auto type_of = [](const nlohmann::json& j) {
        try {
            read_identifier(j);
        } catch (const AcmeError& e) {
            return e.type();
        }
        return std::string("accepted");
    };
    EXPECT_EQ(read_identifier({{"type", "dns"}, {"value", "*.Lab.test"}}).value, "*.lab.test");
    EXPECT_EQ(type_of({{"type", "dns"}, {"value", "*.*.lab.test"}}), "rejectedIdentifier");
    EXPECT_EQ(type_of({{"type", "dns"}, {"value", "a.*.lab.test"}}), "rejectedIdentifier");
    EXPECT_EQ(type_of({{"type", "dns"}, {"value", "a..lab.test"}}), "rejectedIdentifier");
    EXPECT_EQ(type_of({{"type", "dns"}, {"value", "-a.lab.test"}}), "rejectedIdentifier");
    EXPECT_EQ(type_of({{"type", "dns"}, {"value", "a_b.lab.test"}}), "rejectedIdentifier");
    EXPECT_EQ(type_of({{"type", "dns"}, {"value", std::string(64, 'a') + ".test"}}), "rejectedIdentifier");
    EXPECT_EQ(type_of({{"type", "ip"}, {"value", "300.1.1.1"}}), "rejectedIdentifier");
    EXPECT_EQ(type_of({{"type", "email"}, {"value", "a@lab.test"}}), "unsupportedIdentifier");
    EXPECT_EQ(type_of({{"type", "dns"}}), "malformed");
    EXPECT_EQ(type_of({{"type", "dns"}, {"value", 5}}), "malformed");
}

TEST(AcmeNonces, SingleUseExpiringAndBounded) {
    FixedClock clock(kStart);
    Nonces nonces(clock, 3, std::chrono::seconds(60));
    const std::string a = nonces.issue();
    EXPECT_TRUE(nonces.consume(a));
    EXPECT_FALSE(nonces.consume(a));
    EXPECT_FALSE(nonces.consume("never-issued"));
    const std::string old = nonces.issue();
    clock.advance(std::chrono::seconds(61));
    EXPECT_FALSE(nonces.consume(old));
    std::vector<std::string> many;
    for (int i = 0; i < 10; ++i) many.push_back(nonces.issue());
    EXPECT_LE(nonces.outstanding(), 3u);
    EXPECT_FALSE(nonces.consume(many.front()));
    EXPECT_TRUE(nonces.consume(many.back()));
}

TEST(AcmeStore, StateSurvivesReopening) {
    testing::ScratchDir dir;
    const auto path = dir.file("acme") / "acme.db";
    Account acct;
    acct.id = "acct";
    acct.endpoint = "WebServer";
    acct.jwk = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "abc"}};
    acct.thumbprint = "thumb";
    acct.contact = {"mailto:a@lab.test"};
    acct.created = kStart;
    Order o = order(kStart + std::chrono::hours(1));
    Authorization a = authz("a", "pending", kStart + std::chrono::hours(1));
    {
        auto store = open_acme_store(path);
        store->put_account(acct);
        store->put_order(o);
        store->put_authorization(a);
        store->record_issued("ca", "0a", "acct");
        Account twin = acct;
        twin.id = "other";
        EXPECT_THROW(store->put_account(twin), ConflictError);  // one account per key and endpoint
    }
    auto store = open_acme_store(path);
    const auto back = store->find_account_by_thumbprint("WebServer", "thumb");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->id, "acct");
    EXPECT_EQ(back->contact, acct.contact);
    EXPECT_EQ(back->created, kStart);
    EXPECT_FALSE(store->find_account_by_thumbprint("Computer", "thumb"));
    ASSERT_TRUE(store->find_order("o1"));
    EXPECT_EQ(store->find_order("o1")->identifiers, o.identifiers);
    EXPECT_EQ(store->find_authorization("a")->challenges[0].token, "tok-a");
    EXPECT_EQ(store->issued_to("ca", "0a"), "acct");
    EXPECT_EQ(store->count_live_orders("acct", kStart), 1u);
    EXPECT_EQ(store->count_live_orders("acct", kStart + std::chrono::hours(2)), 0u);
    store->purge(kStart + std::chrono::hours(2));
    EXPECT_FALSE(store->find_order("o1"));
    EXPECT_FALSE(store->find_authorization("a"));
    EXPECT_TRUE(store->find_account("acct"));
}

}  // namespace
}  // namespace pkilab::acme
