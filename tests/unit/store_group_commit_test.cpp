// The group-commit writer on its own: batching, per-operation rollback, commit failure, drain.
#include <atomic>
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

using sqlite::GroupCommitWriter;

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

}  // namespace
}  // namespace pkilab
