#include "ca/store/statement_cache.hpp"

#include <utility>

namespace pkilab::sqlite {

StatementCache::Lease::Lease(Entry* entry, std::unique_ptr<SQLite::Statement> own)
    : entry_(entry), own_(std::move(own)), statement_(entry ? entry->statement.get() : own_.get()) {
    if (entry_) entry_->leased = true;
}

StatementCache::Lease::~Lease() {
    // tryReset: after a failed step, sqlite3_reset repeats that step's error; the caller has it.
    statement_->tryReset();
    try {
        statement_->clearBindings();  // sqlite3_clear_bindings cannot fail; SQLiteCpp would still throw
    } catch (...) {
    }
    if (entry_) entry_->leased = false;
}

std::unique_ptr<SQLite::Statement> StatementCache::prepare(std::string_view sql) {
    auto statement = std::make_unique<SQLite::Statement>(db_, std::string(sql));
    prepares_.fetch_add(1, std::memory_order_relaxed);
    return statement;
}

StatementCache::Lease StatementCache::acquire(std::string_view sql) {
    auto found = entries_.find(sql);
    if (found == entries_.end()) {
        // Prepared before it is stored: SQL that fails to prepare leaves no entry behind.
        auto statement = prepare(sql);
        found = entries_.try_emplace(std::string(sql), Entry{std::move(statement)}).first;
    } else if (found->second.leased) {
        return Lease(nullptr, prepare(sql));
    }
    return Lease(&found->second, nullptr);
}

void StatementCache::exec(std::string_view sql) { acquire(sql)->exec(); }

}  // namespace pkilab::sqlite
