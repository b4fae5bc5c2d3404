#include "ca/store/group_commit.hpp"

#include <exception>
#include <vector>

#include <SQLiteCpp/Transaction.h>

#include "ca/errors.hpp"
#include "ca/store/sqlite_error.hpp"

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

}  // namespace

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<SQLite::Database> db, std::size_t max_batch)
    : db_(std::move(db)), max_batch_(max_batch == 0 ? 1 : max_batch), thread_([this] { loop(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void GroupCommitWriter::run(Operation op) {
    Pending pending{std::move(op), {}};
    auto done = pending.done.get_future();
    {
        std::lock_guard lock(mutex_);
        if (stopping_) throw InternalError("the store is closing; the write was not made");
        queue_.push_back(std::move(pending));
        // Notified under the lock: once it is released this caller no longer touches the
        // writer, which may then be destroyed as soon as the write is done.
        wake_.notify_one();
    }
    done.get();
}

std::uint64_t GroupCommitWriter::batches_committed() const {
    std::lock_guard lock(mutex_);
    return batches_;
}

std::size_t GroupCommitWriter::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void GroupCommitWriter::loop() {
    for (;;) {
        std::deque<Pending> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and the queue is drained
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        commit_batch(batch);
    }
}

void GroupCommitWriter::commit_batch(std::deque<Pending>& batch) {
    std::vector<std::exception_ptr> failures(batch.size());
    try {
        SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            db_->exec("SAVEPOINT op");
            try {
                batch[i].op(*db_);
                db_->exec("RELEASE op");
            } catch (...) {
                failures[i] = translated(std::current_exception(), "store write failed");
                // If this throws, the transaction is unusable and the whole batch fails below.
                db_->exec("ROLLBACK TO op");
                db_->exec("RELEASE op");
            }
        }
        tx.commit();
    } catch (...) {
        // Nothing in this batch was committed (the Transaction rolled back): everyone hears so.
        const auto error = translated(std::current_exception(), "store commit failed");
        for (auto& p : batch) p.done.set_exception(error);
        return;
    }
    {
        std::lock_guard lock(mutex_);
        ++batches_;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (failures[i])
            batch[i].done.set_exception(failures[i]);
        else
            batch[i].done.set_value();
    }
}

}  // namespace pkilab::sqlite
