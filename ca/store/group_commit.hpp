#pragma once
// Group commit: one thread owns the write connection and commits queued operations together.
// Each operation runs in its own SAVEPOINT inside one BEGIN IMMEDIATE ... COMMIT, so a failing
// operation is rolled back alone and only its caller sees the error; callers return only after
// the COMMIT holding their write (one fsync per batch, not per write).
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include <SQLiteCpp/Database.h>

namespace pkilab::sqlite {

class GroupCommitWriter {
public:
    // Runs against the write connection on the writer thread, inside a savepoint.
    using Operation = std::function<void(SQLite::Database&)>;

    GroupCommitWriter(std::unique_ptr<SQLite::Database> db, std::size_t max_batch);
    // Finishes every queued operation, then stops the thread and closes the connection.
    ~GroupCommitWriter();
    GroupCommitWriter(const GroupCommitWriter&) = delete;
    GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

    // Blocks until the operation is committed; rethrows the operation's own exception, or the
    // COMMIT's failure (as InternalError). SQLite::Exception from an operation becomes InternalError.
    void run(Operation op);

    // Number of COMMITs so far, and operations waiting for the writer (tests and benchmarks).
    std::uint64_t batches_committed() const;
    std::size_t queued() const;

private:
    struct Pending {
        Operation op;
        std::promise<void> done;
    };

    void loop();
    void commit_batch(std::deque<Pending>& batch);

    std::unique_ptr<SQLite::Database> db_;
    const std::size_t max_batch_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;
    bool stopping_ = false;
    std::uint64_t batches_ = 0;
    std::thread thread_;  // last: starts after everything it uses exists
};

}  // namespace pkilab::sqlite
