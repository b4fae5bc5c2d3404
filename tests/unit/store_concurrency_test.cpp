// Many threads writing to one store: group commit, per-CA ids, serial collisions under load.
#include <atomic>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "ca/bytes.hpp"
#include "ca/errors.hpp"
#include "ca/store/sqlite_store.hpp"
#include "tests/unit/store_test_support.hpp"

namespace pkilab {
namespace {

using testing::certificate;
using testing::event;
using testing::intent_for_new_request;
using testing::new_request;

std::string random_serial(std::mt19937_64& rng) {
    Bytes b(16);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    b[0] &= 0x7f;
    return to_hex(b);
}

TEST(StoreConcurrency, EightThreadsTimesTwoHundredIssuanceCycles) {
    testing::ScratchDir dir;
    auto store = open_sqlite_store(dir.file("ca.db"));
    constexpr int kThreads = 8;
    constexpr int kCycles = 200;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937_64 rng(static_cast<std::uint64_t>(t) * 7919 + 1);
            const std::string ca = (t % 2 == 0) ? "root" : "issuing";
            for (int i = 0; i < kCycles; ++i) {
                try {
                    std::string serial = random_serial(rng);
                    std::int64_t id = 0;
                    for (;;) {  // what the pipeline does on a collision: draw again
                        try {
                            id = store->record_intent(intent_for_new_request(ca, serial));
                            break;
                        } catch (const SerialCollision&) {
                            serial = random_serial(rng);
                        }
                    }
                    store->record_issued(certificate(ca, serial, id), "issued", event("issue"));
                } catch (const std::exception& e) {
                    ADD_FAILURE() << e.what();
                    ++failures;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    ASSERT_EQ(failures.load(), 0);

    CertificateQuery all;
    all.limit = 100000;
    auto certs = store->search_certificates(all);
    ASSERT_EQ(certs.size(), static_cast<std::size_t>(kThreads * kCycles));
    std::set<std::string> serials;
    for (const auto& c : certs) serials.insert(c.ca + "/" + c.serial);
    EXPECT_EQ(serials.size(), certs.size());

    // Each CA's request ids are exactly 1..n, every one issued with its own certificate.
    for (const std::string ca : {"root", "issuing"}) {
        RequestQuery q;
        q.ca = ca;
        q.limit = 100000;
        auto requests = store->list_requests(q);
        ASSERT_EQ(requests.size(), static_cast<std::size_t>(kThreads / 2 * kCycles)) << ca;
        for (std::size_t i = 0; i < requests.size(); ++i) {
            EXPECT_EQ(requests[i].id, static_cast<std::int64_t>(i + 1));
            EXPECT_EQ(requests[i].state, RequestState::Issued);
            EXPECT_TRUE(store->find_certificate(ca, requests[i].serial));
        }
    }
    EXPECT_EQ(store->list_audit(100000).size(), static_cast<std::size_t>(kThreads * kCycles));
}

TEST(StoreConcurrency, CollisionsFailAloneWhileOtherWritesCommit) {
    testing::ScratchDir dir;
    auto store = open_sqlite_store(dir.file("ca.db"));
    // Serials "c0".."c9" are taken; threads race to reuse them among fresh ones.
    for (int i = 0; i < 10; ++i) store->record_intent(intent_for_new_request("root", "c" + std::to_string(i)));

    constexpr int kThreads = 16;
    constexpr int kPerThread = 30;
    std::atomic<int> collisions{0};
    std::atomic<int> successes{0};
    std::atomic<int> other_errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                const bool collide = i % 3 == 0;
                const std::string serial = collide ? "C" + std::to_string((t + i) % 10)
                                                   : "f" + std::to_string(t) + "x" + std::to_string(i);
                try {
                    store->record_intent(intent_for_new_request("root", serial));
                    ++successes;
                    if (collide) ADD_FAILURE() << "reused serial " << serial << " was accepted";
                } catch (const SerialCollision& e) {
                    ++collisions;
                    if (!collide) ADD_FAILURE() << "fresh serial " << serial << " collided: " << e.what();
                } catch (const std::exception& e) {
                    ++other_errors;
                    ADD_FAILURE() << e.what();
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(other_errors.load(), 0);
    EXPECT_EQ(collisions.load(), kThreads * kPerThread / 3);
    EXPECT_EQ(successes.load(), kThreads * kPerThread * 2 / 3);

    // Every success is committed, the collisions left nothing, and ids have no gaps.
    RequestQuery q;
    q.limit = 100000;
    auto requests = store->list_requests(q);
    ASSERT_EQ(requests.size(), static_cast<std::size_t>(10 + successes.load()));
    for (std::size_t i = 0; i < requests.size(); ++i) EXPECT_EQ(requests[i].id, static_cast<std::int64_t>(i + 1));
}

TEST(StoreConcurrency, ReadsRunWhileWritesCommit) {
    testing::ScratchDir dir;
    auto store = open_sqlite_store(dir.file("ca.db"));
    std::atomic<bool> done{false};
    std::atomic<int> read_errors{0};
    std::thread reader([&] {
        std::size_t last = 0;
        while (!done) {
            try {
                RequestQuery q;
                q.limit = 100000;
                const auto n = store->list_requests(q).size();
                if (n < last) ++read_errors;  // committed rows never disappear
                last = n;
            } catch (const std::exception&) {
                ++read_errors;
            }
        }
    });
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t)
        writers.emplace_back([&] {
            for (int i = 0; i < 100; ++i) store->add_request(new_request("root", "CN=r"), event("submit"));
        });
    for (auto& w : writers) w.join();
    done = true;
    reader.join();
    EXPECT_EQ(read_errors.load(), 0);
    // A write is visible to any reader as soon as the call returns.
    const auto id = store->add_request(new_request("root", "CN=last"), event("submit"));
    EXPECT_EQ(store->find_request("root", id)->subject, "CN=last");
    EXPECT_EQ(id, 401);
}

}  // namespace
}  // namespace pkilab
