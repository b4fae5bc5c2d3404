// What SCEP keeps between requests: one-time challenges (spent once, expiring, bounded) and the
// transactions waiting for approval (bounded), in the store's settings.
#include <gtest/gtest.h>

#include "lab_fixture.hpp"
#include "webenroll/scep/scep_state.hpp"

namespace pkilab::test {
namespace {

TEST(ScepState, OneTimeChallengesAreSpentOnceAndBounded) {
    LabFixture fixture;
    Store& store = fixture.lab().store();
    scep::OneTimeChallenges challenges(store, 5);
    const Time now = fixture.clock().now();
    const std::string first = challenges.issue("default", now, now + std::chrono::minutes{5});
    EXPECT_EQ(first.size(), 32u);
    EXPECT_EQ(first.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_FALSE(challenges.redeem("other", first, now));
    EXPECT_FALSE(challenges.redeem("default", "", now));
    EXPECT_TRUE(challenges.redeem("default", first, now));
    EXPECT_FALSE(challenges.redeem("default", first, now));

    const std::string late = challenges.issue("default", now, now + std::chrono::minutes{5});
    EXPECT_FALSE(challenges.redeem("default", late, now + std::chrono::minutes{5}));
    // Only digests are kept.
    EXPECT_EQ(store.get_setting("scep.one_time_challenges").value_or("").find(late), std::string::npos);

    const std::string oldest = challenges.issue("default", now, now + std::chrono::hours{1});
    std::string newest;
    for (size_t i = 0; i < 5; ++i) newest = challenges.issue("default", now, now + std::chrono::hours{1});
    EXPECT_EQ(challenges.outstanding(now), 5u);
    EXPECT_FALSE(challenges.redeem("default", oldest, now));  // made room
    EXPECT_TRUE(challenges.redeem("default", newest, now));
}

TEST(ScepState, TransactionsAreFoundAgainAndADamagedSettingStartsOver) {
    LabFixture fixture;
    Store& store = fixture.lab().store();
    scep::Transactions transactions(store, 3);
    const Time now = fixture.clock().now();
    EXPECT_FALSE(transactions.find("tx"));
    transactions.remember("tx", scep::Transaction{"default", "issuing", 7}, now);
    transactions.remember("tx-2", scep::Transaction{"pending", "issuing", 8}, now);
    transactions.remember("tx", scep::Transaction{"default", "issuing", 9}, now);  // replaced, not doubled
    const auto t = scep::Transactions(store).find("tx");  // durable: another instance reads it
    ASSERT_TRUE(t);
    EXPECT_EQ(t->endpoint, "default");
    EXPECT_EQ(t->ca, "issuing");
    EXPECT_EQ(t->request_id, 9);
    EXPECT_EQ(transactions.find("tx-2")->request_id, 8);

    store.set_setting("scep.transactions", "{not json");
    EXPECT_FALSE(transactions.find("tx"));
    transactions.remember("tx-3", scep::Transaction{"default", "issuing", 10}, now);
    EXPECT_EQ(transactions.find("tx-3")->request_id, 10);
    for (int i = 4; i <= 6; ++i) transactions.remember("tx-" + std::to_string(i), scep::Transaction{"default", "issuing", i}, now);
    EXPECT_FALSE(transactions.find("tx-3"));  // the oldest made room
    EXPECT_EQ(transactions.find("tx-6")->request_id, 6);
}

}  // namespace
}  // namespace pkilab::test
