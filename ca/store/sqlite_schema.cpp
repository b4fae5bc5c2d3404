#include "ca/store/sqlite_schema.hpp"

#include <array>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "ca/errors.hpp"
#include "ca/store/sqlite_error.hpp"

namespace pkilab::sqlite {

namespace {

// Times are integer seconds since the epoch (UTC). Text columns default to '' rather than NULL
// so that the records' empty strings round-trip without a special case.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE requests (
    ca                 TEXT    NOT NULL,
    request_id         INTEGER NOT NULL CHECK (request_id > 0),
    state              TEXT    NOT NULL CHECK (state IN ('pending', 'issued', 'denied', 'failed')),
    disposition        TEXT    NOT NULL DEFAULT '',
    template           TEXT    NOT NULL DEFAULT '',
    template_version   TEXT    NOT NULL DEFAULT '',
    requester_identity TEXT    NOT NULL DEFAULT '',
    requester_role     TEXT    NOT NULL DEFAULT '',
    requester_channel  TEXT    NOT NULL DEFAULT '',
    csr                BLOB,
    subject            TEXT    NOT NULL DEFAULT '',
    findings_json      TEXT    NOT NULL DEFAULT '[]',
    submitted_at       INTEGER NOT NULL,
    resolved_at        INTEGER,
    serial             TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (ca, request_id)
);
CREATE INDEX requests_by_state ON requests (ca, state);

CREATE TABLE issuance_intents (
    ca         TEXT    NOT NULL,
    serial     TEXT    NOT NULL,
    request_id INTEGER NOT NULL,
    tbs        BLOB    NOT NULL,
    at         INTEGER NOT NULL,
    UNIQUE (ca, serial),
    FOREIGN KEY (ca, request_id) REFERENCES requests (ca, request_id)
);
CREATE INDEX intents_by_request ON issuance_intents (ca, request_id);

CREATE TABLE certificates (
    ca                TEXT    NOT NULL,
    serial            TEXT    NOT NULL,
    request_id        INTEGER NOT NULL,
    subject           TEXT    NOT NULL DEFAULT '',
    sans              TEXT    NOT NULL DEFAULT '',
    template          TEXT    NOT NULL DEFAULT '',
    not_before        INTEGER NOT NULL,
    not_after         INTEGER NOT NULL,
    issued_at         INTEGER NOT NULL,
    der               BLOB    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('valid', 'revoked', 'on-hold')),
    revocation_reason INTEGER,
    revoked_at        INTEGER,
    invalidity_date   INTEGER,
    UNIQUE (ca, serial),
    FOREIGN KEY (ca, request_id) REFERENCES requests (ca, request_id),
    CHECK ((status = 'valid') = (revocation_reason IS NULL AND revoked_at IS NULL))
);
CREATE INDEX certificates_by_serial    ON certificates (serial);
CREATE INDEX certificates_by_subject   ON certificates (subject);
CREATE INDEX certificates_by_not_after ON certificates (not_after);
CREATE INDEX certificates_by_template  ON certificates (template);
CREATE INDEX certificates_by_status    ON certificates (status);
CREATE INDEX certificates_by_issued    ON certificates (issued_at, serial);

CREATE TABLE audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL DEFAULT '',
    action     TEXT    NOT NULL,
    ca         TEXT    NOT NULL DEFAULT '',
    request_id INTEGER,
    serial     TEXT    NOT NULL DEFAULT '',
    outcome    TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT ''
);
-- The trail is append-only, and the database itself says so, not only our code.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: rows cannot be updated'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: rows cannot be deleted'); END;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
)sql";

// Each request's last verdict from each policy plugin: {"instance": "allow" | "deny" | "pend" |
// "abstain" | "failed"}, what `pkilab plugins list` counts.
constexpr const char* kSchemaV2 = "ALTER TABLE requests ADD COLUMN verdicts_json TEXT NOT NULL DEFAULT '{}';";

// Revocation for CRLs and OCSP: each status change numbers the certificate with its CA's next
// status sequence (a delta CRL lists what changed after its base's sequence); the CRL number
// and status sequence counters; the CRLs published.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE certificates ADD COLUMN status_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX certificates_by_status_seq ON certificates (ca, status_seq) WHERE status_seq > 0;
-- A base CRL reads every revoked certificate of a CA: this index holds all it reads, so the
-- scan walks the index alone, in order, instead of visiting a million table rows.
CREATE INDEX certificates_revoked ON certificates (ca, not_after, serial, status, revocation_reason, revoked_at,
                                                   invalidity_date) WHERE status IN ('revoked', 'on-hold');

CREATE TABLE revocation_counters (
    ca         TEXT PRIMARY KEY NOT NULL,
    status_seq INTEGER NOT NULL DEFAULT 0,
    crl_number INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE crls (
    ca           TEXT    NOT NULL,
    number       INTEGER NOT NULL CHECK (number > 0),
    kind         TEXT    NOT NULL CHECK (kind IN ('base', 'delta')),
    base_number  INTEGER,
    this_update  INTEGER NOT NULL,
    next_update  INTEGER NOT NULL,
    next_publish INTEGER NOT NULL,
    entries      INTEGER NOT NULL,
    status_seq   INTEGER NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    published_at INTEGER NOT NULL,
    PRIMARY KEY (ca, number),
    CHECK ((kind = 'delta') = (base_number IS NOT NULL))
);
CREATE INDEX crls_latest ON crls (ca, kind, number);
)sql";

constexpr std::array<Migration, 3> kMigrations{{
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3},
}};

}  // namespace

std::span<const Migration> schema_migrations() { return kMigrations; }

int schema_version(SQLite::Database& db) {
    SQLite::Statement q(db, "PRAGMA user_version");
    q.executeStep();
    return q.getColumn(0).getInt();
}

void migrate(SQLite::Database& db, std::span<const Migration> steps) {
    for (std::size_t i = 0; i < steps.size(); ++i)
        if (steps[i].version != static_cast<int>(i) + 1)
            throw InternalError("schema migration steps are misnumbered: step " + std::to_string(i + 1) +
                                " says version " + std::to_string(steps[i].version));
    const int known = static_cast<int>(steps.size());

    int current = 0;
    try {
        current = schema_version(db);
    } catch (const SQLite::Exception& e) {
        throw internal_error(e, "reading the store's schema version failed");
    }
    if (current > known)
        throw InternalError("the store's schema is version " + std::to_string(current) +
                            " but this build knows only up to version " + std::to_string(known) +
                            "; use a newer pkilab");

    for (const auto& step : steps) {
        if (current >= step.version) continue;
        try {
            // IMMEDIATE takes the write lock before the version is read again, so two processes
            // opening the same new file cannot both apply a step.
            SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
            if (schema_version(db) >= step.version) continue;
            db.exec(step.sql);
            db.exec("PRAGMA user_version = " + std::to_string(step.version));
            tx.commit();
        } catch (const SQLite::Exception& e) {
            throw internal_error(e, "schema migration to version " + std::to_string(step.version) + " failed");
        }
    }
}

}  // namespace pkilab::sqlite
