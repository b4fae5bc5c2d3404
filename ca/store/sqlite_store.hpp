#pragma once
// The SQLite store: WAL, synchronous=FULL, versioned migrations, and group commit: writes
// from many threads are queued to one writer thread that commits them together, and each
// caller returns only after the commit that holds its write.
#include <filesystem>
#include <memory>

#include "ca/store/store.hpp"

namespace pkilab {

struct SqliteStoreOptions {
    // Upper bound on writes that share one commit.
    std::size_t max_batch = 256;
};

// Opens (creating if needed) and migrates the database. Throws InternalError with SQLite's
// code and message on failure; refuses a database whose schema is newer than this build.
std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& path,
                                         const SqliteStoreOptions& options = {});

}  // namespace pkilab
