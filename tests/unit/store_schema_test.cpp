// The store's file: migrations, re-opening, durability, and the database-enforced audit rules.
#include <array>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include "ca/errors.hpp"
#include "ca/store/sqlite_schema.hpp"
#include "ca/store/sqlite_store.hpp"
#include "tests/unit/store_test_support.hpp"

namespace pkilab {
namespace {

using testing::at_seconds;
using testing::certificate;
using testing::event;
using testing::intent_for_new_request;
using testing::new_request;

int user_version(const std::filesystem::path& file) {
    SQLite::Database db(file.string(), SQLite::OPEN_READONLY);
    return sqlite::schema_version(db);
}

bool has_table(const std::filesystem::path& file, const std::string& name) {
    SQLite::Database db(file.string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    q.bind(1, name);
    return q.executeStep();
}

TEST(StoreSchema, FreshFileIsMigratedToTheLatestVersion) {
    testing::ScratchDir dir;
    const auto file = dir.file("ca.db");
    open_sqlite_store(file);
    EXPECT_EQ(user_version(file), static_cast<int>(sqlite::schema_migrations().size()));
    for (const char* table : {"requests", "issuance_intents", "certificates", "audit", "settings"})
        EXPECT_TRUE(has_table(file, table)) << table;
}

TEST(StoreSchema, UsesWriteAheadLogging) {
    testing::ScratchDir dir;
    const auto file = dir.file("ca.db");
    open_sqlite_store(file);
    SQLite::Database db(file.string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "PRAGMA journal_mode");
    ASSERT_TRUE(q.executeStep());
    EXPECT_EQ(q.getColumn(0).getString(), "wal");
}

TEST(StoreSchema, ReopenKeepsVersionAndData) {
    testing::ScratchDir dir;
    const auto file = dir.file("ca.db");
    open_sqlite_store(file)->set_setting("k", "v");
    auto store = open_sqlite_store(file);
    EXPECT_EQ(user_version(file), static_cast<int>(sqlite::schema_migrations().size()));
    EXPECT_EQ(store->get_setting("k"), "v");
}

TEST(StoreSchema, NewerDatabaseIsRefusedNamingBothVersions) {
    testing::ScratchDir dir;
    const auto file = dir.file("ca.db");
    open_sqlite_store(file);
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
        db.exec("PRAGMA user_version = 99");
    }
    try {
        open_sqlite_store(file);
        FAIL() << "expected InternalError";
    } catch (const InternalError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("version 99"), std::string::npos) << m;
        EXPECT_NE(m.find("up to version " + std::to_string(sqlite::schema_migrations().size())), std::string::npos) << m;
    }
}

TEST(StoreSchema, StepsApplyOnceEachInOrder) {
    testing::ScratchDir dir;
    SQLite::Database db(dir.file("m.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    const std::array<sqlite::Migration, 2> two{{
        {1, "CREATE TABLE t (x INTEGER)"},
        {2, "INSERT INTO t VALUES (2)"},
    }};
    sqlite::migrate(db, std::span(two).first(1));
    EXPECT_EQ(sqlite::schema_version(db), 1);
    sqlite::migrate(db, two);
    sqlite::migrate(db, two);  // nothing left to do
    EXPECT_EQ(sqlite::schema_version(db), 2);
    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM t").getInt(), 1);
}

TEST(StoreSchema, FailedStepRollsBackAloneAndNamesItsVersion) {
    testing::ScratchDir dir;
    SQLite::Database db(dir.file("m.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    const std::array<sqlite::Migration, 2> steps{{
        {1, "CREATE TABLE t (x INTEGER)"},
        {2, "CREATE TABLE u (y INTEGER); INSERT INTO missing VALUES (1)"},
    }};
    try {
        sqlite::migrate(db, steps);
        FAIL() << "expected InternalError";
    } catch (const InternalError& e) {
        EXPECT_NE(std::string(e.what()).find("migration to version 2"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("no such table: missing"), std::string::npos) << e.what();
    }
    EXPECT_EQ(sqlite::schema_version(db), 1);
    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE name = 'u'").getInt(), 0);
}

TEST(StoreSchema, MisnumberedStepsAreRefused) {
    testing::ScratchDir dir;
    SQLite::Database db(dir.file("m.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    const std::array<sqlite::Migration, 2> steps{{{1, "SELECT 1"}, {3, "SELECT 1"}}};
    EXPECT_THROW(sqlite::migrate(db, steps), InternalError);
    EXPECT_EQ(sqlite::schema_version(db), 0);
}

TEST(StoreSchema, UnopenableFileIsInternalErrorWithSqliteCode) {
    testing::ScratchDir dir;
    try {
        open_sqlite_store(dir.file("no-such-folder") / "ca.db");
        FAIL() << "expected InternalError";
    } catch (const InternalError& e) {
        EXPECT_NE(std::string(e.what()).find("SQLite error 14"), std::string::npos) << e.what();  // SQLITE_CANTOPEN
    }
}

TEST(StoreDurability, EverythingWrittenIsReadBackAfterReopen) {
    testing::ScratchDir dir;
    const auto file = dir.file("ca.db");
    std::int64_t pending_id = 0;
    std::int64_t issued_id = 0;
    {
        auto store = open_sqlite_store(file);
        pending_id = store->add_request(new_request("root", "CN=pending"), event("submit"));
        issued_id = store->record_intent(intent_for_new_request("root", "beef", "CN=www.lab.test,O=Lab"));
        store->record_issued(certificate("root", "beef", issued_id), "issued by policy", event("issue"));
        store->set_status("root", "beef", CertStatus::OnHold, std::nullopt, event("hold"));
        store->set_setting("lab_digest", "abc");
    }  // destroyed: nothing may be lost
    auto store = open_sqlite_store(file);
    auto pending = store->find_request("root", pending_id);
    ASSERT_TRUE(pending);
    EXPECT_EQ(pending->subject, "CN=pending");
    EXPECT_EQ(pending->state, RequestState::Pending);
    auto issued = store->find_request("root", issued_id);
    ASSERT_TRUE(issued);
    EXPECT_EQ(issued->state, RequestState::Issued);
    EXPECT_EQ(issued->disposition, "issued by policy");
    auto cert = store->find_certificate("root", "beef");
    ASSERT_TRUE(cert);
    EXPECT_EQ(cert->status, CertStatus::OnHold);
    EXPECT_EQ(cert->der, certificate("root", "beef", 0).der);
    EXPECT_EQ(store->get_setting("lab_digest"), "abc");
    EXPECT_EQ(store->list_audit(10).size(), 3u);
    // Ids continue after a reopen.
    EXPECT_EQ(store->add_request(new_request("root", "CN=next"), event("submit")), issued_id + 1);
}

TEST(StoreAudit, RowsCannotBeUpdatedOrDeletedEvenWithRawSql) {
    testing::ScratchDir dir;
    const auto file = dir.file("ca.db");
    auto store = open_sqlite_store(file);
    store->append_audit(event("lab-up", "root"));

    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE);
    try {
        raw.exec("UPDATE audit SET outcome = 'forged'");
        FAIL() << "UPDATE of an audit row succeeded";
    } catch (const SQLite::Exception& e) {
        EXPECT_NE(std::string(e.what()).find("append-only"), std::string::npos) << e.what();
    }
    try {
        raw.exec("DELETE FROM audit");
        FAIL() << "DELETE of an audit row succeeded";
    } catch (const SQLite::Exception& e) {
        EXPECT_NE(std::string(e.what()).find("append-only"), std::string::npos) << e.what();
    }
    auto trail = store->list_audit(10);
    ASSERT_EQ(trail.size(), 1u);
    EXPECT_EQ(trail[0].outcome, "ok");
}

TEST(StoreAudit, DatabaseEnforcesSerialUniquenessToo) {
    testing::ScratchDir dir;
    const auto file = dir.file("ca.db");
    auto store = open_sqlite_store(file);
    const auto id = store->record_intent(intent_for_new_request("root", "aa"));
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE);
    SQLite::Statement q(raw, "INSERT INTO issuance_intents (ca, serial, request_id, tbs, at) VALUES ('root', 'aa', ?, x'00', 0)");
    q.bind(1, id);
    EXPECT_THROW(q.exec(), SQLite::Exception);
}

}  // namespace
}  // namespace pkilab
