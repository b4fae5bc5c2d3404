#pragma once
// Prepared statements of one connection, kept for reuse. Preparing a statement costs more than
// running most of ours, and the writer runs the same few thousands of times a second.
//
// Not thread-safe: one thread (the connection's) uses it; prepares() alone may be read anywhere.
// A statement is handed out through a Lease that resets it when it ends, even by an exception:
// a reset statement holds no read transaction or lock, so nothing stays open between batches and
// a COMMIT, ROLLBACK or checkpoint never waits on a cached statement. The lease also clears the
// bindings, since bind_blob (sqlite_rows.hpp) binds without copying and the bytes die with the
// operation. Destroy the cache before its connection: SQLite cannot close under live statements.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace pkilab::sqlite {

class StatementCache {
    struct Entry;

public:
    explicit StatementCache(SQLite::Database& db) : db_(db) {}
    StatementCache(const StatementCache&) = delete;
    StatementCache& operator=(const StatementCache&) = delete;

    class Lease {
    public:
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        SQLite::Statement& operator*() const { return *statement_; }
        SQLite::Statement* operator->() const { return statement_; }

    private:
        friend class StatementCache;
        Lease(Entry* entry, std::unique_ptr<SQLite::Statement> own);

        Entry* entry_;                            // null for a statement prepared for this lease only
        std::unique_ptr<SQLite::Statement> own_;  // that statement
        SQLite::Statement* statement_;
    };

    // The statement for `sql`, with no bindings, prepared on first use. Throws SQLite::Exception
    // when SQLite cannot prepare it. Asked again for a statement that is still leased (nested
    // use of the same SQL), it prepares a second one for that lease alone rather than share.
    Lease acquire(std::string_view sql);
    // Runs a statement that takes no parameters and returns no rows (BEGIN, SAVEPOINT, ...).
    void exec(std::string_view sql);

    // For tests and benchmarks: statements prepared since the cache was made.
    std::uint64_t prepares() const { return prepares_.load(std::memory_order_relaxed); }
    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        std::unique_ptr<SQLite::Statement> statement;
        bool leased = false;
    };
    // Lets find() take a string_view: no string is built to look a statement up.
    struct SqlHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };

    std::unique_ptr<SQLite::Statement> prepare(std::string_view sql);

    SQLite::Database& db_;
    std::unordered_map<std::string, Entry, SqlHash, std::equal_to<>> entries_;  // nodes: Entry* stay valid
    std::atomic<std::uint64_t> prepares_{0};
};

}  // namespace pkilab::sqlite
