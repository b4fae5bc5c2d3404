#pragma once
// The SQLite store: WAL, versioned migrations, and group commit: writes from many threads are
// queued to one writer thread that commits them together (synchronous=NORMAL, no fsync in the
// COMMIT), and a syncer thread makes the commits power-loss durable, many per fdatasync of the
// log. Each caller returns once its write is as durable as its method promises (store.hpp).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

#include "ca/store/store.hpp"

namespace pkilab {

struct SqliteStoreOptions {
    // Upper bound on writes that share one commit.
    std::size_t max_batch = 256;
    // For tests only: called instead of fdatasync(2) on the write-ahead log, with the same
    // contract (return 0, or -1 with errno set), to slow syncs down or make them fail. Runs on
    // the syncer thread. Empty (always, outside tests): the real fdatasync.
    std::function<int(int fd)> fdatasync_for_tests;
};

// Opens (creating if needed) and migrates the database. Throws InternalError with SQLite's
// code and message on failure; refuses a database whose schema is newer than this build.
std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& path,
                                         const SqliteStoreOptions& options = {});

// For tests and benchmarks: COMMITs and fdatasync calls of the log since the store was opened,
// and statements prepared on the write connection (a few per kind of write, once each: the
// writer keeps them; reads are not counted).
struct SqliteStoreCounters {
    std::uint64_t commits = 0;
    std::uint64_t syncs = 0;
    std::uint64_t statements_prepared = 0;
};
// Throws InternalError when `store` is not from open_sqlite_store.
SqliteStoreCounters sqlite_store_counters(const Store& store);

}  // namespace pkilab
