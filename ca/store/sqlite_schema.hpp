#pragma once
// Versioned schema migrations for the SQLite store. The version lives in PRAGMA user_version;
// each step runs in its own transaction, so a failed step leaves the previous version intact.
#include <span>
#include <string>

#include <SQLiteCpp/Database.h>

namespace pkilab::sqlite {

struct Migration {
    int version;      // the schema version this step produces; steps are 1, 2, 3, ...
    const char* sql;  // one or more statements
};

// The steps this build knows, in order.
std::span<const Migration> schema_migrations();

int schema_version(SQLite::Database& db);

// Applies the steps the database has not seen yet. Throws InternalError if the database is newer
// than the last step, if the steps are not numbered 1..n, or if a step fails (naming its version).
void migrate(SQLite::Database& db, std::span<const Migration> steps = schema_migrations());

}  // namespace pkilab::sqlite
