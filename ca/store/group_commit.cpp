#include "ca/store/group_commit.hpp"

#include <vector>

#include "ca/errors.hpp"
#include "ca/store/sqlite_error.hpp"
#include "ca/store/wal_file.hpp"

namespace pkilab::sqlite {

namespace {

// The caller should see our error types, never SQLiteCpp's.
std::exception_ptr translated(std::exception_ptr e, const char* what) {
    try {
        std::rethrow_exception(e);
    } catch (const SQLite::Exception& se) {
        return std::make_exception_ptr(internal_error(se, what));
    } catch (...) {
        return std::current_exception();
    }
}

std::future<void> failed_future(std::exception_ptr e) {
    std::promise<void> p;
    p.set_exception(std::move(e));
    return p.get_future();
}

GroupCommitWriter::SyncFunction wal_sync_of(const SQLite::Database& db) {
    // std::function needs a copyable target; the log handle itself is not copyable.
    auto wal = std::make_shared<WalFile>(WalFile::of(db));
    return [wal] { wal->sync(); };
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<SQLite::Database> db, std::size_t max_batch, SyncFunction sync)
    : db_(std::move(db)),
      statements_(*db_),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      sync_(sync ? std::move(sync) : wal_sync_of(*db_)),
      writer_([this] { write_loop(); }),
      syncer_([this] { sync_loop(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    writer_wake_.notify_all();
    writer_.join();  // the queue is drained; it told the syncer it is done
    syncer_.join();  // every commit is synced (or the sync had failed)
}

std::future<void> GroupCommitWriter::submit(Operation op, Durability durability) {
    Pending pending{std::move(op), durability, {}};
    auto done = pending.done.get_future();
    std::lock_guard lock(mutex_);
    if (stopping_) return failed_future(std::make_exception_ptr(InternalError("the store is closing; the write was not made")));
    if (durability == Durability::Synced && !sync_error_.empty()) return failed_future(refused_synced_write());
    queue_.push_back(std::move(pending));
    // Notified under the lock: once it is released this caller no longer touches the writer,
    // which may then be destroyed as soon as the write is done.
    writer_wake_.notify_one();
    return done;
}

void GroupCommitWriter::run(Operation op, Durability durability) { submit(std::move(op), durability).get(); }

std::uint64_t GroupCommitWriter::batches_committed() const {
    std::lock_guard lock(mutex_);
    return committed_seq_;
}

std::uint64_t GroupCommitWriter::syncs_done() const {
    std::lock_guard lock(mutex_);
    return syncs_;
}

std::size_t GroupCommitWriter::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

std::uint64_t GroupCommitWriter::statements_prepared() const { return statements_.prepares(); }

std::exception_ptr GroupCommitWriter::refused_synced_write() const {
    return std::make_exception_ptr(InternalError(
        "the store refuses durable writes since syncing its write-ahead log failed (" + sync_error_ +
        "); a failed sync may have dropped written data, so nothing can be promised durable any more: "
        "check the disk and restart the CA"));
}

void GroupCommitWriter::write_loop() {
    for (;;) {
        std::deque<Pending> batch;
        std::vector<Pending> refused;
        std::exception_ptr refusal;
        {
            std::unique_lock lock(mutex_);
            writer_wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) {  // stopping, and the queue is drained
                writer_done_ = true;
                syncer_wake_.notify_one();
                return;
            }
            while (!queue_.empty() && batch.size() < max_batch_) {
                auto& next = queue_.front();
                // Queued before a sync failed: not worth writing, its caller cannot be satisfied.
                if (next.durability == Durability::Synced && !sync_error_.empty())
                    refused.push_back(std::move(next));
                else
                    batch.push_back(std::move(next));
                queue_.pop_front();
            }
            if (!refused.empty()) refusal = refused_synced_write();
        }
        for (auto& p : refused) p.done.set_exception(refusal);
        if (!batch.empty()) commit_batch(batch);
    }
}

void GroupCommitWriter::commit_batch(std::deque<Pending>& batch) {
    std::vector<std::exception_ptr> failures(batch.size());
    WriteContext context{*db_, statements_};
    // The transaction statements are cached like the operations' own: each would otherwise be
    // prepared again for every batch and every operation.
    bool begun = false;
    try {
        statements_.exec("BEGIN IMMEDIATE");
        begun = true;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            statements_.exec("SAVEPOINT op");
            try {
                batch[i].op(context);
                statements_.exec("RELEASE op");
            } catch (...) {
                // The operation's leases have reset its statements by now, during unwinding.
                failures[i] = translated(std::current_exception(), "store write failed");
                // If this throws, the transaction is unusable and the whole batch fails below.
                statements_.exec("ROLLBACK TO op");
                statements_.exec("RELEASE op");
            }
        }
        statements_.exec("COMMIT");
    } catch (...) {
        // Nothing in this batch was committed: everyone hears so.
        const auto error = translated(std::current_exception(), "store commit failed");
        if (begun) roll_back();
        for (auto& p : batch) p.done.set_exception(error);
        return;
    }
    // The COMMIT has returned, so its frames are in the log file: a sync that starts after
    // the syncer reads the new sequence number below covers them.
    std::vector<std::promise<void>*> written;
    {
        std::lock_guard lock(mutex_);
        const std::uint64_t seq = ++committed_seq_;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (failures[i]) continue;
            if (batch[i].durability == Durability::Synced)
                sync_waiters_.push_back({seq, std::move(batch[i].done)});
            else
                written.push_back(&batch[i].done);
        }
    }
    syncer_wake_.notify_one();
    for (std::size_t i = 0; i < batch.size(); ++i)
        if (failures[i]) batch[i].done.set_exception(failures[i]);
    for (auto* p : written) p->set_value();
}

void GroupCommitWriter::roll_back() noexcept {
    // As SQLite::Transaction's destructor: the failure that brought us here is what the callers
    // hear. This one may only say that SQLite already rolled back (SQLITE_FULL, SQLITE_IOERR...).
    try {
        statements_.exec("ROLLBACK");
    } catch (...) {
    }
}

void GroupCommitWriter::sync_loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        syncer_wake_.wait(lock, [this] { return !sync_waiters_.empty() || writer_done_; });
        std::vector<SyncWaiter> ready;
        std::exception_ptr error;
        if (!sync_error_.empty()) {
            // Never retried: after a failed fsync the kernel may have dropped the dirty pages and
            // marked them clean, so a later success would prove nothing (PostgreSQL's "fsyncgate").
            error = refused_synced_write();
            for (auto& w : sync_waiters_) ready.push_back(std::move(w));
            sync_waiters_.clear();
        } else if (synced_seq_ < committed_seq_) {
            const std::uint64_t target = committed_seq_;
            lock.unlock();
            try {
                sync_();
            } catch (...) {
                error = std::current_exception();
            }
            lock.lock();
            ++syncs_;
            if (error) {
                try {
                    std::rethrow_exception(error);
                } catch (const std::exception& e) {
                    sync_error_ = e.what();
                } catch (...) {
                    sync_error_ = "unknown failure";
                }
                error = std::make_exception_ptr(
                    InternalError("the write was committed but could not be made durable: " + sync_error_ +
                                  "; the store refuses durable writes from now on (check the disk and restart the CA)"));
            } else {
                synced_seq_ = target;
            }
            // Waiters after `target` committed during the sync; the next round covers them.
            while (!sync_waiters_.empty() && sync_waiters_.front().seq <= target) {
                ready.push_back(std::move(sync_waiters_.front()));
                sync_waiters_.pop_front();
            }
        } else if (writer_done_ && sync_waiters_.empty()) {
            return;  // everything committed is synced
        }
        if (ready.empty()) {
            if (writer_done_ && sync_waiters_.empty() && (synced_seq_ >= committed_seq_ || !sync_error_.empty()))
                return;
            continue;
        }
        lock.unlock();
        for (auto& w : ready) {
            if (error)
                w.done.set_exception(error);
            else
                w.done.set_value();
        }
        lock.lock();
    }
}

}  // namespace pkilab::sqlite
