// The store's durability contract: Synced writes wait for an fdatasync shared by many commits,
// intents do not, sync failures reach the callers, and nothing is lost across a reopen.
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "ca/errors.hpp"
#include "ca/store/sqlite_store.hpp"
#include "tests/unit/store_test_support.hpp"

namespace pkilab {
namespace {

using namespace std::chrono_literals;
using testing::certificate;
using testing::event;
using testing::intent_for_new_request;
using testing::new_request;

bool ready_within(std::future<void>& f, std::chrono::milliseconds d) { return f.wait_for(d) == std::future_status::ready; }

// An fdatasync stand-in that can hold every sync until released, or fail with EIO; it calls the
// real fdatasync otherwise. Declared before the store, so it outlives the syncer thread.
struct SyncHook {
    std::mutex m;
    std::condition_variable cv;
    int calls = 0;
    bool hold = false;
    bool fail = false;
    std::chrono::microseconds delay{0};

    std::function<int(int)> function() {
        return [this](int fd) {
            std::unique_lock lock(m);
            ++calls;
            cv.notify_all();
            cv.wait(lock, [this] { return !hold; });
            if (fail) {
                errno = EIO;
                return -1;
            }
            const auto d = delay;
            lock.unlock();
            std::this_thread::sleep_for(d);
            return ::fdatasync(fd);
        };
    }
    void wait_calls(int n) {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return calls >= n; });
    }
    void set(bool h, bool f) {
        {
            std::lock_guard lock(m);
            hold = h;
            fail = f;
        }
        cv.notify_all();
    }
};

SqliteStoreOptions with_hook(SyncHook& hook) {
    SqliteStoreOptions o;
    o.fdatasync_for_tests = hook.function();
    return o;
}

TEST(StoreDurabilityAsync, RecordIssuedAsyncBecomesReadyAndTheRowIsReadable) {
    testing::ScratchDir dir;
    auto store = open_sqlite_store(dir.file("ca.db"));
    const auto id = store->record_intent(intent_for_new_request("root", "AB01"));
    std::future<void> done;
    {
        // The arguments die before the write runs: the store must have its own copy.
        auto cert = certificate("root", "AB01", id);
        cert.der.assign(4000, 0x5a);
        done = store->record_issued_async(cert, "issued by policy", event("issue"));
    }
    ASSERT_TRUE(ready_within(done, 10s));
    done.get();
    auto cert = store->find_certificate("root", "ab01");
    ASSERT_TRUE(cert);
    EXPECT_EQ(cert->der, Bytes(4000, 0x5a));
    auto request = store->find_request("root", id);
    ASSERT_TRUE(request);
    EXPECT_EQ(request->state, RequestState::Issued);
    EXPECT_EQ(request->disposition, "issued by policy");
    EXPECT_EQ(request->serial, "ab01");
}

TEST(StoreDurabilityAsync, ErrorsArriveThroughTheFuture) {
    testing::ScratchDir dir;
    auto store = open_sqlite_store(dir.file("ca.db"));
    auto unknown = store->record_issued_async(certificate("root", "aa", 42), "issued", event("issue"));
    EXPECT_THROW(unknown.get(), NotFoundError);

    const auto id = store->record_intent(intent_for_new_request("root", "bb"));
    store->record_issued_async(certificate("root", "bb", id), "issued", event("issue")).get();
    auto twice = store->record_issued_async(certificate("root", "bb", id), "issued", event("issue"));
    EXPECT_THROW(twice.get(), ConflictError);

    auto no_serial = store->record_issued_async(certificate("root", "", id), "issued", event("issue"));
    try {
        no_serial.get();
        FAIL() << "expected InternalError";
    } catch (const InternalError& e) {
        EXPECT_NE(std::string(e.what()).find("needs a serial"), std::string::npos) << e.what();
    }
}

TEST(StoreDurabilitySync, ConcurrentIssuanceSharesFdatasyncs) {
    testing::ScratchDir dir;
    SyncHook hook;
    hook.delay = 2ms;  // a slow disk, so that commits pile up behind each sync
    auto store = open_sqlite_store(dir.file("ca.db"), with_hook(hook));
    constexpr int kThreads = 16;
    constexpr int kCycles = 40;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kCycles; ++i) {
                try {
                    const std::string serial = "5e" + std::to_string(t) + "00" + std::to_string(i);
                    const auto id = store->record_intent(intent_for_new_request("root", serial));
                    store->record_issued_async(certificate("root", serial, id), "issued", event("issue")).get();
                } catch (const std::exception& e) {
                    ADD_FAILURE() << e.what();
                    ++failures;
                }
            }
        });
    for (auto& th : threads) th.join();
    ASSERT_EQ(failures.load(), 0);

    const auto counters = sqlite_store_counters(*store);
    constexpr int kSyncedWrites = kThreads * kCycles;
    EXPECT_GE(counters.syncs, 1u);
    EXPECT_LT(counters.syncs, static_cast<std::uint64_t>(kSyncedWrites / 2)) << "syncs were not shared";
    EXPECT_LE(counters.syncs, counters.commits);
    {
        std::lock_guard lock(hook.m);
        EXPECT_EQ(static_cast<std::uint64_t>(hook.calls), counters.syncs);
    }
    CertificateQuery all;
    all.limit = 100000;
    EXPECT_EQ(store->search_certificates(all).size(), static_cast<std::size_t>(kSyncedWrites));
}

TEST(StoreDurabilitySync, IntentDoesNotWaitForTheDiskButRecordIssuedDoes) {
    testing::ScratchDir dir;
    SyncHook hook;
    auto store = open_sqlite_store(dir.file("ca.db"), with_hook(hook));
    hook.set(/*hold=*/true, /*fail=*/false);
    // A durable write whose sync now hangs.
    auto setting = std::async(std::launch::async, [&] { store->set_setting("k", "v"); });
    hook.wait_calls(1);

    auto intent = std::async(std::launch::async,
                             [&] { return store->record_intent(intent_for_new_request("root", "c0ffee")); });
    ASSERT_EQ(intent.wait_for(10s), std::future_status::ready) << "record_intent waited for the disk";
    const auto id = intent.get();
    auto issued = store->record_issued_async(certificate("root", "c0ffee", id), "issued", event("issue"));
    EXPECT_FALSE(ready_within(issued, 100ms)) << "record_issued returned before its commit was synced";
    EXPECT_EQ(setting.wait_for(0s), std::future_status::timeout);

    hook.set(false, false);
    setting.get();
    issued.get();
    EXPECT_TRUE(store->find_certificate("root", "c0ffee"));
}

TEST(StoreDurabilitySync, FdatasyncFailureReachesTheWaitersAndLaterDurableWritesFail) {
    testing::ScratchDir dir;
    SyncHook hook;
    auto store = open_sqlite_store(dir.file("ca.db"), with_hook(hook));
    const auto id = store->record_intent(intent_for_new_request("root", "dead"));
    hook.set(false, /*fail=*/true);
    try {
        store->record_issued(certificate("root", "dead", id), "issued", event("issue"));
        FAIL() << "a failed fdatasync was reported as success";
    } catch (const InternalError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("fdatasync of the write-ahead log"), std::string::npos) << what;
        EXPECT_NE(what.find("Input/output error"), std::string::npos) << what;
        EXPECT_NE(what.find("could not be made durable"), std::string::npos) << what;
    }
    hook.set(false, false);  // even a disk that "recovers" is not trusted again
    try {
        store->set_setting("k", "v");
        FAIL() << "a durable write succeeded after a failed fdatasync";
    } catch (const InternalError& e) {
        EXPECT_NE(std::string(e.what()).find("refuses durable writes"), std::string::npos) << e.what();
    }
    auto later = store->record_issued_async(certificate("root", "dead", id), "issued", event("issue"));
    EXPECT_THROW(later.get(), InternalError);
    // Intents promise no sync: they go on, so a CA can still say what it was doing.
    EXPECT_NO_THROW(store->record_intent(intent_for_new_request("root", "beef")));
}

TEST(StoreDurabilityReopen, DestroyingTheStoreFinishesAndSyncsEveryWrite) {
    testing::ScratchDir dir;
    const auto file = dir.file("ca.db");
    SyncHook hook;
    constexpr int kCerts = 50;
    std::vector<std::future<void>> pending;
    {
        auto store = open_sqlite_store(file, with_hook(hook));
        for (int i = 0; i < kCerts; ++i) {
            const std::string serial = "f00d" + std::to_string(i);
            const auto id = store->record_intent(intent_for_new_request("root", serial));
            pending.push_back(store->record_issued_async(certificate("root", serial, id), "issued", event("issue")));
        }
        // An intent alone is Written; the store syncs it while closing.
        store->record_intent(intent_for_new_request("root", "1a57"));
    }  // destroyed with record_issued writes still queued or unsynced
    for (auto& f : pending) {
        ASSERT_EQ(f.wait_for(0s), std::future_status::ready);
        EXPECT_NO_THROW(f.get());
    }
    auto store = open_sqlite_store(file);
    CertificateQuery all;
    all.limit = 100000;
    EXPECT_EQ(store->search_certificates(all).size(), static_cast<std::size_t>(kCerts));
    RequestQuery requests;
    requests.limit = 100000;
    EXPECT_EQ(store->list_requests(requests).size(), static_cast<std::size_t>(kCerts + 1));
    EXPECT_EQ(store->find_request("root", kCerts + 1)->state, RequestState::Failed);
    EXPECT_EQ(store->list_audit(100000).size(), static_cast<std::size_t>(kCerts));
}

TEST(StoreDurabilityReopen, CountersCountCommitsAndSyncs) {
    testing::ScratchDir dir;
    auto store = open_sqlite_store(dir.file("ca.db"));
    EXPECT_EQ(sqlite_store_counters(*store).syncs, 0u);
    store->set_setting("k", "v");
    EXPECT_EQ(sqlite_store_counters(*store).syncs, 1u);
    EXPECT_EQ(sqlite_store_counters(*store).commits, 1u);
}

}  // namespace
}  // namespace pkilab
