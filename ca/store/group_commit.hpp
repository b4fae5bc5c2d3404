#pragma once
// Group commit: one thread owns the write connection and commits queued operations together,
// and a second thread makes those commits power-loss durable, many commits per fdatasync.
//
// Each operation runs in its own SAVEPOINT inside one BEGIN IMMEDIATE ... COMMIT, so a failing
// operation is rolled back alone and only its caller sees the error. After a COMMIT the writer
// publishes a commit sequence number and goes on with the next batch; the syncer takes the
// newest committed number, syncs the write-ahead log once, and fulfils every caller whose
// commit that sync covered. The writer never waits for the disk, and a sync is shared by every
// commit made while the previous one ran.
//
// Why this is as durable as synchronous=FULL (the connection runs with synchronous=NORMAL):
// FULL fsyncs the -wal file at the end of each COMMIT, before the commit returns. We fsync the
// same file after the COMMIT returned, and before telling anyone it happened; a crash before
// that point loses exactly what FULL would lose in a crash during its own fsync (writes nobody
// was told about). Because the WAL is appended in commit order, one fdatasync covers every
// commit before it. Checkpoints stay safe because NORMAL still syncs around them: SQLite syncs
// the WAL before copying frames into the database file and syncs the database file before the
// WAL may be reset, so frames moved out of the WAL are already durable where they went.
// One difference remains: unlike FULL, a reader may see a commit up to one sync (milliseconds)
// before it is power-loss durable. Whatever leaves the CA must be gated on a Synced write having
// returned, not on having been read back.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <SQLiteCpp/Database.h>

#include "ca/store/statement_cache.hpp"

namespace pkilab::sqlite {

enum class Durability {
    Written,  // ready after COMMIT: survives a crash of the process; made power-loss durable by
              // the next synced commit (the log is sequential) or by the writer's shutdown
    Synced,   // ready after an fdatasync of the log covered the COMMIT: survives power loss
};

// What an operation gets on the writer thread: the write connection and its statement cache.
// Fixed SQL should go through `statements` (preparing is most of a small write's cost); SQL
// that varies per call would only fill the cache. It converts to the connection, so an
// operation written against SQLite::Database& is an Operation too.
struct WriteContext {
    SQLite::Database& db;
    StatementCache& statements;

    operator SQLite::Database&() const { return db; }
};

class GroupCommitWriter {
public:
    // Runs on the writer thread, inside a savepoint.
    using Operation = std::function<void(WriteContext&)>;
    // Makes every commit that returned before the call durable; throws InternalError on failure.
    // Runs on the syncer thread only.
    using SyncFunction = std::function<void()>;

    // `sync` empty: fdatasync of the connection's -wal file (wal_file.hpp).
    GroupCommitWriter(std::unique_ptr<SQLite::Database> db, std::size_t max_batch, SyncFunction sync = {});
    // Finishes every queued operation, waits until a sync covers every commit (Written ones
    // too), then stops both threads and closes the connection.
    ~GroupCommitWriter();
    GroupCommitWriter(const GroupCommitWriter&) = delete;
    GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

    // Queues the operation without waiting. The future holds the operation's own exception, the
    // COMMIT's failure or the sync's failure (as InternalError); SQLite::Exception from an
    // operation becomes InternalError. Once a sync has failed, every Synced write fails at once
    // (a failed fsync may have dropped pages, so nothing is durable any more); Written ones go on.
    std::future<void> submit(Operation op, Durability durability);
    // submit(...).get().
    void run(Operation op, Durability durability = Durability::Synced);

    // Counters for tests and benchmarks: COMMITs, sync calls (attempts), queued operations,
    // statements prepared on the write connection.
    std::uint64_t batches_committed() const;
    std::uint64_t syncs_done() const;
    std::size_t queued() const;
    std::uint64_t statements_prepared() const;

private:
    struct Pending {
        Operation op;
        Durability durability;
        std::promise<void> done;
    };
    struct SyncWaiter {
        std::uint64_t seq;  // the commit it waits for
        std::promise<void> done;
    };

    void write_loop();
    void commit_batch(std::deque<Pending>& batch);
    void roll_back() noexcept;
    void sync_loop();
    std::exception_ptr refused_synced_write() const;  // under mutex_, once sync_error_ is set

    std::unique_ptr<SQLite::Database> db_;
    StatementCache statements_;  // after db_: destroyed before it; used by the writer thread only
    const std::size_t max_batch_;
    SyncFunction sync_;
    mutable std::mutex mutex_;
    std::condition_variable writer_wake_;
    std::condition_variable syncer_wake_;
    std::deque<Pending> queue_;
    std::deque<SyncWaiter> sync_waiters_;  // in commit order
    std::uint64_t committed_seq_ = 0;      // = number of COMMITs
    std::uint64_t synced_seq_ = 0;
    std::uint64_t syncs_ = 0;
    std::string sync_error_;  // set forever by the first failed sync
    bool stopping_ = false;
    bool writer_done_ = false;
    // Last: they start after everything they use exists. The syncer is joined after the writer.
    std::thread writer_;
    std::thread syncer_;
};

}  // namespace pkilab::sqlite
