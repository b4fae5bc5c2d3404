// The group-commit writer on its own: batching, per-operation rollback, commit failure, drain,
// and the syncer: shared syncs, Written writes that do not wait for them, sync failures.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include "ca/errors.hpp"
#include "ca/store/group_commit.hpp"
#include "tests/unit/store_test_support.hpp"

namespace pkilab {
namespace {

using sqlite::Durability;
using sqlite::GroupCommitWriter;
using namespace std::chrono_literals;

std::unique_ptr<SQLite::Database> scratch_db(const std::filesystem::path& file) {
    auto db = std::make_unique<SQLite::Database>(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000);
    db->exec("PRAGMA journal_mode = WAL");
    db->exec("PRAGMA foreign_keys = ON");
    db->exec(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
        "CREATE TABLE t (v INTEGER UNIQUE,"
        "  p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)");
    return db;
}

int count_rows(const std::filesystem::path& file) {
    SQLite::Database db(file.string(), SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT COUNT(*) FROM t").getInt();
}

GroupCommitWriter::Operation insert(int v) {
    return [v](SQLite::Database& db) {
        SQLite::Statement q(db, "INSERT INTO t (v) VALUES (?)");
        q.bind(1, v);
        q.exec();
    };
}

// Holds the writer inside its first operation until released, so that the next operations
// pile up in the queue and are committed as one batch.
struct Gate {
    std::mutex m;
    std::condition_variable cv;
    bool entered = false;
    bool open = false;
    // Runs on the writer thread.
    void hold() {
        std::unique_lock lock(m);
        entered = true;
        cv.notify_all();
        cv.wait(lock, [this] { return open; });
    }
    // Starts a thread whose write holds the writer, and returns once the writer is inside it.
    std::thread block(GroupCommitWriter& w) {
        std::thread t([this, &w] { w.run([this](SQLite::Database&) { hold(); }); });
        std::unique_lock lock(m);
        cv.wait(lock, [this] { return entered; });
        return t;
    }
    void release() {
        {
            std::lock_guard lock(m);
            open = true;
        }
        cv.notify_all();
    }
};

void wait_until_queued(const GroupCommitWriter& w, std::size_t n) {
    while (w.queued() < n) std::this_thread::yield();
}

TEST(GroupCommit, QueuedWritesShareOneCommitAndAFailureStaysAlone) {
    testing::ScratchDir dir;
    const auto file = dir.file("g.db");
    GroupCommitWriter writer(scratch_db(file), 64);
    writer.run(insert(0));
    const auto before = writer.batches_committed();

    Gate gate;
    std::thread blocker = gate.block(writer);

    constexpr int kWriters = 20;
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    std::atomic<int> duplicate{0};
    for (int i = 1; i <= kWriters; ++i) {
        threads.emplace_back([&, i] {
            try {
                writer.run(insert(i % 5 == 0 ? 0 : i));  // every fifth reuses the taken value 0
                ++ok;
            } catch (const InternalError& e) {
                if (std::string(e.what()).find("UNIQUE") != std::string::npos) ++duplicate;
            }
        });
    }
    wait_until_queued(writer, kWriters);
    gate.release();
    for (auto& th : threads) th.join();
    blocker.join();

    EXPECT_EQ(ok.load(), 16);
    EXPECT_EQ(duplicate.load(), 4);
    EXPECT_EQ(count_rows(file), 1 + 16);
    // The blocker's batch, then one batch holding all twenty.
    EXPECT_EQ(writer.batches_committed(), before + 2);
}

TEST(GroupCommit, OperationExceptionTypesReachTheCaller) {
    testing::ScratchDir dir;
    GroupCommitWriter writer(scratch_db(dir.file("g.db")), 8);
    EXPECT_THROW(writer.run([](SQLite::Database&) { throw ConflictError("no"); }), ConflictError);
    try {
        writer.run([](SQLite::Database& db) { db.exec("INSERT INTO missing VALUES (1)"); });
        FAIL() << "expected InternalError";
    } catch (const InternalError& e) {
        EXPECT_NE(std::string(e.what()).find("SQLite error 1 "), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("no such table: missing"), std::string::npos) << e.what();
    }
}

TEST(GroupCommit, FailedCommitFailsEveryCallerInTheBatch) {
    testing::ScratchDir dir;
    const auto file = dir.file("g.db");
    GroupCommitWriter writer(scratch_db(file), 64);

    Gate gate;
    std::thread blocker = gate.block(writer);

    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int i = 1; i <= 5; ++i)
        threads.emplace_back([&, i] {
            try {
                // The deferred foreign key is only checked at COMMIT: one bad row sinks the batch.
                writer.run([i](SQLite::Database& db) {
                    SQLite::Statement q(db, "INSERT INTO t (v, p) VALUES (?, ?)");
                    q.bind(1, i);
                    if (i == 3)
                        q.bind(2, 999);
                    else
                        q.bind(2);
                    q.exec();
                });
            } catch (const InternalError& e) {
                if (std::string(e.what()).find("commit failed") != std::string::npos) ++failed;
            }
        });
    wait_until_queued(writer, 5);
    gate.release();
    for (auto& th : threads) th.join();
    blocker.join();

    EXPECT_EQ(failed.load(), 5);
    EXPECT_EQ(count_rows(file), 0);
    // The writer carries on afterwards.
    writer.run(insert(7));
    EXPECT_EQ(count_rows(file), 1);
}

TEST(GroupCommit, DestructorDrainsQueuedWrites) {
    testing::ScratchDir dir;
    const auto file = dir.file("g.db");
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    Gate gate;
    {
        GroupCommitWriter writer(scratch_db(file), 4);  // small batches: several commits to drain
        threads.push_back(gate.block(writer));
        for (int i = 1; i <= 12; ++i)
            threads.emplace_back([&, i] {
                writer.run(insert(i));
                ++ok;
            });
        wait_until_queued(writer, 12);
        gate.release();
    }  // destroyed while twelve writes wait
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load(), 12);
    EXPECT_EQ(count_rows(file), 12);
}

// A sync function that blocks until released, counting its calls; `fail` makes it throw.
struct SlowSync {
    std::mutex m;
    std::condition_variable cv;
    int entered = 0;
    bool open = false;
    bool fail = false;
    GroupCommitWriter::SyncFunction function() {
        return [this] {
            std::unique_lock lock(m);
            ++entered;
            cv.notify_all();
            cv.wait(lock, [this] { return open; });
            if (fail) throw InternalError("fdatasync of the write-ahead log failed: Input/output error");
        };
    }
    void wait_entered(int n) {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return entered >= n; });
    }
    void release() {
        {
            std::lock_guard lock(m);
            open = true;
        }
        cv.notify_all();
    }
};

bool ready_within(std::future<void>& f, std::chrono::milliseconds d) { return f.wait_for(d) == std::future_status::ready; }

TEST(GroupCommitSync, WrittenWritesDoNotWaitForTheSyncAndSyncedOnesDo) {
    testing::ScratchDir dir;
    const auto file = dir.file("g.db");
    SlowSync sync;
    GroupCommitWriter writer(scratch_db(file), 64, sync.function());

    auto first = writer.submit(insert(1), Durability::Synced);
    sync.wait_entered(1);  // the syncer now holds a sync covering the first commit only
    auto written = writer.submit(insert(2), Durability::Written);
    ASSERT_TRUE(ready_within(written, 10s)) << "a Written write waited for the disk";
    written.get();
    EXPECT_EQ(count_rows(file), 2);  // committed, and readable, while the sync is still running
    auto second = writer.submit(insert(3), Durability::Synced);
    EXPECT_FALSE(ready_within(second, 100ms)) << "a Synced write returned before any sync covered it";
    EXPECT_FALSE(ready_within(first, 0ms));

    sync.release();
    first.get();
    second.get();
    EXPECT_EQ(writer.batches_committed(), 3u);
    // One sync for the first commit; the second round covers both later commits together.
    EXPECT_EQ(writer.syncs_done(), 2u);
}

TEST(GroupCommitSync, OneSyncCoversEveryCommitMadeWhileThePreviousRan) {
    testing::ScratchDir dir;
    SlowSync sync;
    GroupCommitWriter writer(scratch_db(dir.file("g.db")), 1, sync.function());  // a commit per write
    auto first = writer.submit(insert(0), Durability::Synced);
    sync.wait_entered(1);
    std::vector<std::future<void>> later;
    for (int i = 1; i <= 10; ++i) later.push_back(writer.submit(insert(i), Durability::Synced));
    while (writer.batches_committed() < 11) std::this_thread::yield();
    sync.release();
    first.get();
    for (auto& f : later) f.get();
    EXPECT_EQ(writer.batches_committed(), 11u);
    EXPECT_EQ(writer.syncs_done(), 2u);
}

TEST(GroupCommitSync, FailedSyncFailsItsWaitersThenEveryDurableWrite) {
    testing::ScratchDir dir;
    const auto file = dir.file("g.db");
    SlowSync sync;
    sync.fail = true;
    GroupCommitWriter writer(scratch_db(file), 64, sync.function());
    auto victim = writer.submit(insert(1), Durability::Synced);
    sync.wait_entered(1);
    auto queued_behind = writer.submit(insert(2), Durability::Synced);
    while (writer.batches_committed() < 2) std::this_thread::yield();  // committed, waiting for a sync
    sync.release();
    try {
        victim.get();
        FAIL() << "a failed sync was reported as success";
    } catch (const InternalError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("committed but could not be made durable"), std::string::npos) << what;
        EXPECT_NE(what.find("Input/output error"), std::string::npos) << what;
    }
    EXPECT_THROW(queued_behind.get(), InternalError);
    // Never retried: later durable writes fail without a sync attempt, naming the first failure.
    const auto syncs = writer.syncs_done();
    try {
        writer.run(insert(3), Durability::Synced);
        FAIL() << "a durable write succeeded after a failed sync";
    } catch (const InternalError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("refuses durable writes"), std::string::npos) << what;
        EXPECT_NE(what.find("Input/output error"), std::string::npos) << what;
    }
    EXPECT_EQ(writer.syncs_done(), syncs);
    // Written writes promise no sync, so they go on.
    writer.run(insert(4), Durability::Written);
    EXPECT_EQ(count_rows(file), 3);  // 1 and 2 were committed before their sync failed; 3 never ran
}

TEST(GroupCommitSync, NoSyncForWrittenWritesUntilShutdownSyncsThem) {
    testing::ScratchDir dir;
    const auto file = dir.file("g.db");
    std::atomic<int> syncs{0};
    {
        GroupCommitWriter writer(scratch_db(file), 64, [&] { ++syncs; });
        for (int i = 0; i < 5; ++i) writer.run(insert(i), Durability::Written);
        EXPECT_EQ(syncs.load(), 0);
        EXPECT_EQ(writer.syncs_done(), 0u);
    }
    EXPECT_EQ(syncs.load(), 1);
    EXPECT_EQ(count_rows(file), 5);
}

TEST(GroupCommitSync, DefaultSyncIsTheRealLogFile) {
    testing::ScratchDir dir;
    const auto file = dir.file("g.db");
    GroupCommitWriter writer(scratch_db(file), 8);
    writer.run(insert(1));
    EXPECT_EQ(writer.syncs_done(), 1u);
    EXPECT_EQ(count_rows(file), 1);
}

}  // namespace
}  // namespace pkilab
