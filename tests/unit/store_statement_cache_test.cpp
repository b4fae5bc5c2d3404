// The write connection's statement cache: statements are prepared once and reused, a lease
// leaves its statement reset and unbound, and a failed statement stays usable; and the writer
// and the store use it (prepares stop growing once each kind of write has run).
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "ca/errors.hpp"
#include "ca/store/group_commit.hpp"
#include "ca/store/sqlite_store.hpp"
#include "ca/store/statement_cache.hpp"
#include "tests/unit/store_test_support.hpp"

namespace pkilab {
namespace {

using sqlite::Durability;
using sqlite::GroupCommitWriter;
using sqlite::StatementCache;
using sqlite::WriteContext;

constexpr const char* kInsert = "INSERT INTO t (v) VALUES (?)";

std::unique_ptr<SQLite::Database> scratch_db(const std::filesystem::path& file) {
    auto db = std::make_unique<SQLite::Database>(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000);
    db->exec("PRAGMA journal_mode = WAL");
    db->exec("CREATE TABLE t (v INTEGER UNIQUE)");
    return db;
}

int count_rows(SQLite::Database& db, const std::string& where = "1") {
    return db.execAndGet("SELECT COUNT(*) FROM t WHERE " + where).getInt();
}

// Statements of the connection that are mid-execution (and so may hold a read transaction).
int busy_statements(SQLite::Database& db) {
    int busy = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(db.getHandle(), nullptr); s; s = sqlite3_next_stmt(db.getHandle(), s))
        busy += sqlite3_stmt_busy(s) ? 1 : 0;
    return busy;
}

TEST(StatementCache, PreparesEachSqlOnceAndReusesIt) {
    testing::ScratchDir dir;
    auto db = scratch_db(dir.file("c.db"));
    StatementCache cache(*db);
    for (int v = 1; v <= 5; ++v) {
        auto q = cache.acquire(kInsert);
        q->bind(1, v);
        q->exec();
    }
    EXPECT_EQ(cache.prepares(), 1u);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(count_rows(*db), 5);
}

TEST(StatementCache, ALeaseEndsWithItsStatementResetAndUnbound) {
    testing::ScratchDir dir;
    auto db = scratch_db(dir.file("c.db"));
    db->exec("INSERT INTO t VALUES (1), (2), (3)");
    StatementCache cache(*db);
    {
        auto q = cache.acquire("SELECT v FROM t WHERE v >= ? ORDER BY v");
        q->bind(1, 2);
        ASSERT_TRUE(q->executeStep());  // stopped on a row: a read transaction is open
        EXPECT_EQ(busy_statements(*db), 1);
    }
    EXPECT_EQ(busy_statements(*db), 0);
    {
        // Not bound this time: the last binding (2) must not linger; v >= NULL matches nothing.
        auto q = cache.acquire("SELECT v FROM t WHERE v >= ? ORDER BY v");
        EXPECT_FALSE(q->executeStep());
    }
    EXPECT_EQ(cache.prepares(), 1u);
}

TEST(StatementCache, AConstraintViolationLeavesTheStatementUsable) {
    testing::ScratchDir dir;
    auto db = scratch_db(dir.file("c.db"));
    StatementCache cache(*db);
    {
        auto q = cache.acquire(kInsert);
        q->bind(1, 7);
        q->exec();
    }
    try {
        auto q = cache.acquire(kInsert);
        q->bind(1, 7);
        q->exec();
        FAIL() << "expected a UNIQUE violation";
    } catch (const SQLite::Exception& e) {
        EXPECT_EQ(e.getExtendedErrorCode(), SQLITE_CONSTRAINT_UNIQUE);
    }
    EXPECT_EQ(busy_statements(*db), 0);
    {
        auto q = cache.acquire(kInsert);
        q->bind(1, 8);
        EXPECT_EQ(q->exec(), 1);
    }
    EXPECT_EQ(cache.prepares(), 1u);
    EXPECT_EQ(count_rows(*db), 2);
    EXPECT_EQ(count_rows(*db, "v = 8"), 1);
}

TEST(StatementCache, TheSameSqlLeasedTwiceGetsASecondStatement) {
    testing::ScratchDir dir;
    auto db = scratch_db(dir.file("c.db"));
    db->exec("INSERT INTO t VALUES (1), (2)");
    StatementCache cache(*db);
    const char* sql = "SELECT v FROM t WHERE v = ?";
    {
        auto outer = cache.acquire(sql);
        outer->bind(1, 1);
        ASSERT_TRUE(outer->executeStep());
        auto inner = cache.acquire(sql);
        EXPECT_NE(&*inner, &*outer);
        inner->bind(1, 2);
        ASSERT_TRUE(inner->executeStep());
        EXPECT_EQ(inner->getColumn(0).getInt(), 2);
        EXPECT_EQ(outer->getColumn(0).getInt(), 1);  // untouched by the inner use
    }
    EXPECT_EQ(cache.prepares(), 2u);
    EXPECT_EQ(cache.size(), 1u);  // the second one lived only for its lease
    auto again = cache.acquire(sql);
    again->bind(1, 1);
    EXPECT_TRUE(again->executeStep());
    EXPECT_EQ(cache.prepares(), 2u);
}

TEST(StatementCache, SqlThatCannotBePreparedLeavesNoEntry) {
    testing::ScratchDir dir;
    auto db = scratch_db(dir.file("c.db"));
    StatementCache cache(*db);
    EXPECT_THROW(cache.acquire("INSERT INTO missing VALUES (1)"), SQLite::Exception);
    EXPECT_THROW(cache.acquire("INSERT INTO missing VALUES (1)"), SQLite::Exception);
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.prepares(), 0u);
}

GroupCommitWriter::Operation cached_insert(int v) {
    return [v](WriteContext& w) {
        auto q = w.statements.acquire(kInsert);
        q->bind(1, v);
        q->exec();
    };
}

TEST(GroupCommitStatements, TransactionAndOperationStatementsArePreparedOnce) {
    testing::ScratchDir dir;
    GroupCommitWriter writer(scratch_db(dir.file("g.db")), 1);  // a batch per write
    writer.run(cached_insert(0));
    // BEGIN IMMEDIATE, SAVEPOINT, the INSERT, RELEASE, COMMIT.
    EXPECT_EQ(writer.statements_prepared(), 5u);
    for (int v = 1; v <= 20; ++v) writer.run(cached_insert(v), v % 2 ? Durability::Written : Durability::Synced);
    EXPECT_EQ(writer.statements_prepared(), 5u);
    EXPECT_EQ(writer.batches_committed(), 21u);
}

TEST(GroupCommitStatements, AFailedWriteLeavesItsCachedStatementUsableForTheNext) {
    testing::ScratchDir dir;
    const auto file = dir.file("g.db");
    GroupCommitWriter writer(scratch_db(file), 8);
    writer.run(cached_insert(1));
    const auto prepared = writer.statements_prepared();
    try {
        writer.run(cached_insert(1));  // the same cached INSERT, violating UNIQUE
        FAIL() << "expected InternalError";
    } catch (const InternalError& e) {
        EXPECT_NE(std::string(e.what()).find("UNIQUE constraint failed: t.v"), std::string::npos) << e.what();
    }
    EXPECT_EQ(writer.statements_prepared(), prepared + 1);  // ROLLBACK TO, once
    writer.run(cached_insert(2));
    writer.run(cached_insert(3));
    EXPECT_EQ(writer.statements_prepared(), prepared + 1);
    // Between operations every statement of the connection is reset: none holds a transaction
    // or a lock into the next batch.
    int busy = -1;
    writer.run([&](WriteContext& w) { busy = busy_statements(w.db); });
    EXPECT_EQ(busy, 0);
    SQLite::Database check(file.string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(count_rows(check), 3);
}

TEST(SqliteStoreStatements, IssuanceStopsPreparingOnceEachWriteHasRun) {
    testing::ScratchDir dir;
    auto store = open_sqlite_store(dir.file("s.db"));
    auto issue = [&](const std::string& serial) {
        const auto id = store->record_intent(testing::intent_for_new_request("root", serial));
        store->record_issued_async(testing::certificate("root", serial, id), "issued", testing::event("issue")).get();
    };
    auto collide = [&](const std::string& serial) {
        // Reserved by an intent, not yet a certificate: the INSERT's UNIQUE constraint refuses it.
        store->record_intent(testing::intent_for_new_request("root", serial));
        try {
            store->record_intent(testing::intent_for_new_request("root", serial));
            ADD_FAILURE() << "expected SerialCollision for " << serial;
        } catch (const SerialCollision& e) {
            EXPECT_NE(std::string(e.what()).find("already reserved"), std::string::npos) << e.what();
        }
    };
    issue("01");
    collide("a1");
    const auto warm = sqlite_store_counters(*store).statements_prepared;
    EXPECT_GT(warm, 0u);
    for (int i = 2; i <= 20; ++i) issue(std::to_string(i + 10));
    collide("a2");
    issue("02");  // right after the failure, through the same statements
    EXPECT_EQ(sqlite_store_counters(*store).statements_prepared, warm);
    ASSERT_TRUE(store->find_certificate("root", "02"));
    EXPECT_EQ(store->find_certificates_by_serial("a2").size(), 0u);
}

}  // namespace
}  // namespace pkilab
