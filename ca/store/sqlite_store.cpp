#include "ca/store/sqlite_store.hpp"

#include <future>
#include <limits>
#include <mutex>
#include <type_traits>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "ca/errors.hpp"
#include "ca/store/group_commit.hpp"
#include "ca/store/sqlite_error.hpp"
#include "ca/store/sqlite_rows.hpp"
#include "ca/store/sqlite_schema.hpp"
#include "ca/store/statement_cache.hpp"
#include "ca/store/wal_file.hpp"

namespace pkilab {

namespace {

using sqlite::BoundQuery;
using sqlite::epoch_seconds;
using sqlite::WriteContext;

constexpr int kBusyTimeoutMs = 10000;
constexpr const char* kInterrupted = "interrupted while signing: the certificate was not recorded";

std::string request_name(const std::string& ca, std::int64_t id) {
    return "request " + std::to_string(id) + " of CA '" + ca + "'";
}

std::string certificate_name(const std::string& ca, const std::string& serial) {
    return "certificate " + serial + " of CA '" + ca + "'";
}

std::int64_t sql_limit(std::size_t limit) {
    constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(limit > kMax ? kMax : limit);
}

// Fills the parts of an event the caller could not know before the write (the new request id).
AuditEvent completed(AuditEvent event, const std::string& ca, std::optional<std::int64_t> request_id,
                     const std::string& serial = {}) {
    if (event.ca.empty()) event.ca = ca;
    if (!event.request_id) event.request_id = request_id;
    if (event.serial.empty()) event.serial = serial;
    return event;
}

std::unique_ptr<SQLite::Database> open_connection(const std::filesystem::path& path, int flags) {
    try {
        auto db = std::make_unique<SQLite::Database>(path.string(), flags, kBusyTimeoutMs);
        return db;
    } catch (const SQLite::Exception& e) {
        throw sqlite::internal_error(e, "cannot open the store " + path.string());
    }
}

// Read-only connections handed out one caller at a time; WAL lets them read while the writer
// commits. Idle connections are kept for reuse.
class ReadPool {
public:
    explicit ReadPool(std::filesystem::path path) : path_(std::move(path)) {}

    class Lease {
    public:
        Lease(ReadPool& pool, std::unique_ptr<SQLite::Database> db) : pool_(pool), db_(std::move(db)) {}
        ~Lease() { pool_.give_back(std::move(db_)); }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        SQLite::Database& operator*() const { return *db_; }

    private:
        ReadPool& pool_;
        std::unique_ptr<SQLite::Database> db_;
    };

    Lease acquire() {
        {
            std::lock_guard lock(mutex_);
            if (!idle_.empty()) {
                auto db = std::move(idle_.back());
                idle_.pop_back();
                return Lease(*this, std::move(db));
            }
        }
        return Lease(*this, open_connection(path_, SQLite::OPEN_READONLY));
    }

private:
    static constexpr std::size_t kMaxIdle = 8;

    void give_back(std::unique_ptr<SQLite::Database> db) {
        std::lock_guard lock(mutex_);
        if (idle_.size() < kMaxIdle) idle_.push_back(std::move(db));
    }

    std::filesystem::path path_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<SQLite::Database>> idle_;
};

// The writes' SQL, built once: the statement cache looks statements up by their text.
const std::string& insert_request_sql() {
    static const std::string sql = std::string("INSERT INTO requests (") + sqlite::kRequestColumns +
                                   ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)";
    return sql;
}

const std::string& insert_certificate_sql() {
    static const std::string sql = std::string("INSERT INTO certificates (") + sqlite::kCertificateColumns +
                                   ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    return sql;
}

void insert_audit(WriteContext& w, const AuditEvent& event) {
    auto q = w.statements.acquire(sqlite::kInsertAudit);
    sqlite::bind_audit(*q, event);
    q->exec();
}

std::optional<RequestState> current_request_state(WriteContext& w, const std::string& ca, std::int64_t id) {
    auto q = w.statements.acquire("SELECT state FROM requests WHERE ca = ? AND request_id = ?");
    q->bind(1, ca);
    q->bind(2, id);
    if (!q->executeStep()) return std::nullopt;
    return sqlite::request_state_from_db(q->getColumn(0).getString());
}

std::int64_t insert_request(WriteContext& w, const std::string& ca, const NewRequest& r, RequestState state,
                            const std::string& disposition) {
    if (ca.empty()) throw InternalError("a request must name its CA");
    std::int64_t id = 0;
    {
        // Race-free because only the writer thread runs this; UNIQUE(ca, request_id) backs it.
        auto next = w.statements.acquire("SELECT COALESCE(MAX(request_id), 0) + 1 FROM requests WHERE ca = ?");
        next->bind(1, ca);
        next->executeStep();
        id = next->getColumn(0).getInt64();
    }

    auto lease = w.statements.acquire(insert_request_sql());
    auto& q = *lease;
    q.bind(1, ca);
    q.bind(2, id);
    q.bind(3, to_string(state));
    q.bind(4, disposition);
    q.bind(5, r.template_name);
    q.bind(6, r.template_version);
    q.bind(7, r.requester.identity);
    q.bind(8, r.requester.role);
    q.bind(9, r.requester.channel);
    sqlite::bind_blob(q, 10, r.csr_der);
    q.bind(11, r.subject);
    q.bind(12, r.findings_json.empty() ? std::string("[]") : r.findings_json);
    q.bind(13, epoch_seconds(r.at));
    sqlite::bind_optional_time(q, 14, state == RequestState::Pending ? std::nullopt : std::optional<Time>(r.at));
    q.bind(15, r.verdicts_json.empty() ? std::string("{}") : r.verdicts_json);
    q.exec();
    return id;
}

// Stores the certificate, marks its request Issued and appends the event (one operation).
void insert_issued(WriteContext& w, const CertificateRecord& cert, const std::string& serial,
                   const std::string& disposition, const AuditEvent& event) {
    const auto state = current_request_state(w, cert.ca, cert.request_id);
    if (!state) throw NotFoundError(request_name(cert.ca, cert.request_id) + " does not exist");
    if (*state == RequestState::Issued)
        throw ConflictError(request_name(cert.ca, cert.request_id) + " is already issued");

    auto lease = w.statements.acquire(insert_certificate_sql());
    auto& q = *lease;
    q.bind(1, cert.ca);
    q.bind(2, serial);
    q.bind(3, cert.request_id);
    q.bind(4, cert.subject);
    q.bind(5, sqlite::join_sans(cert.sans));
    q.bind(6, cert.template_name);
    q.bind(7, epoch_seconds(cert.not_before));
    q.bind(8, epoch_seconds(cert.not_after));
    q.bind(9, epoch_seconds(cert.issued_at));
    sqlite::bind_blob(q, 10, cert.der);
    q.bind(11, to_string(cert.status));
    if (cert.status == CertStatus::Valid) {
        q.bind(12);
        q.bind(13);
        q.bind(14);
    } else {
        q.bind(12, static_cast<std::int64_t>(cert.revocation->reason));
        q.bind(13, epoch_seconds(cert.revocation->revoked_at));
        sqlite::bind_optional_time(q, 14, cert.revocation->invalidity_date);
    }
    try {
        q.exec();
    } catch (const SQLite::Exception& e) {
        if (e.getExtendedErrorCode() == SQLITE_CONSTRAINT_UNIQUE)
            throw ConflictError(certificate_name(cert.ca, serial) + " is already recorded");
        throw;
    }

    auto mark = w.statements.acquire(
        "UPDATE requests SET state = 'issued', disposition = ?, serial = ?, "
        "resolved_at = ? WHERE ca = ? AND request_id = ?");
    mark->bind(1, disposition);
    mark->bind(2, serial);
    mark->bind(3, epoch_seconds(cert.issued_at));
    mark->bind(4, cert.ca);
    mark->bind(5, cert.request_id);
    mark->exec();
    insert_audit(w, completed(event, cert.ca, cert.request_id, serial));
}

// The certificate's serial, lower-cased, after the checks that need no database.
std::string checked_serial(const CertificateRecord& cert) {
    std::string serial = sqlite::lower_ascii(cert.serial);
    if (serial.empty()) throw InternalError("a certificate record needs a serial");
    if (cert.status != CertStatus::Valid && !cert.revocation)
        throw InternalError("a certificate recorded as " + std::string(to_string(cert.status)) +
                            " needs its revocation details");
    return serial;
}

class SqliteStore final : public Store {
public:
    SqliteStore(const std::filesystem::path& path, std::unique_ptr<SQLite::Database> writer,
                sqlite::GroupCommitWriter::SyncFunction sync, const SqliteStoreOptions& options)
        : reads_(path), writer_(std::move(writer), options.max_batch, std::move(sync)) {}

    SqliteStoreCounters counters() const {
        return {writer_.batches_committed(), writer_.syncs_done(), writer_.statements_prepared()};
    }

    std::int64_t add_request(const NewRequest& request, const AuditEvent& event) override {
        std::int64_t id = 0;
        write([&](WriteContext& w) {
            id = insert_request(w, request.ca, request, request.state, request.disposition);
            insert_audit(w, completed(event, request.ca, id));
        });
        return id;
    }

    std::int64_t record_intent(const IssuanceIntent& intent) override {
        const std::string serial = sqlite::lower_ascii(intent.serial);
        if (serial.empty()) throw InternalError("an issuance intent needs a serial");
        std::int64_t id = 0;
        // Written, not Synced: see the contract on Store::record_intent.
        write(sqlite::Durability::Written, [&](WriteContext& w) {
            if (intent.request_id) {
                id = *intent.request_id;
                const auto state = current_request_state(w, intent.ca, id);
                if (!state) throw NotFoundError(request_name(intent.ca, id) + " does not exist");
                // A denied or failed request may be resubmitted and signed; an issued one has its certificate.
                if (*state == RequestState::Issued)
                    throw ConflictError(request_name(intent.ca, id) + " is already issued");
            } else {
                id = insert_request(w, intent.ca, intent.request, RequestState::Failed, kInterrupted);
            }

            {
                // Certificates recorded without an intent must block the serial too.
                auto used = w.statements.acquire("SELECT 1 FROM certificates WHERE ca = ? AND serial = ?");
                used->bind(1, intent.ca);
                used->bind(2, serial);
                if (used->executeStep())
                    throw SerialCollision("serial " + serial + " is already used by CA '" + intent.ca + "'");
            }

            auto lease =
                w.statements.acquire("INSERT INTO issuance_intents (ca, serial, request_id, tbs, at) VALUES (?, ?, ?, ?, ?)");
            auto& q = *lease;
            q.bind(1, intent.ca);
            q.bind(2, serial);
            q.bind(3, id);
            sqlite::bind_blob(q, 4, intent.tbs_der);
            q.bind(5, epoch_seconds(intent.at));
            try {
                q.exec();
            } catch (const SQLite::Exception& e) {
                // UNIQUE(ca, serial) is the only uniqueness constraint on this table.
                if (e.getExtendedErrorCode() == SQLITE_CONSTRAINT_UNIQUE)
                    throw SerialCollision("serial " + serial + " is already reserved by CA '" + intent.ca + "'");
                throw;
            }

            // The findings and verdicts of this decision replace those of an earlier one.
            auto mark = w.statements.acquire(
                "UPDATE requests SET state = 'failed', disposition = ?, resolved_at = ?, findings_json = ?, verdicts_json = ? "
                "WHERE ca = ? AND request_id = ?");
            mark->bind(1, kInterrupted);
            mark->bind(2, epoch_seconds(intent.at));
            mark->bind(3, intent.request.findings_json.empty() ? std::string("[]") : intent.request.findings_json);
            mark->bind(4, intent.request.verdicts_json.empty() ? std::string("{}") : intent.request.verdicts_json);
            mark->bind(5, intent.ca);
            mark->bind(6, id);
            mark->exec();
        });
        return id;
    }

    void record_issued(const CertificateRecord& cert, const std::string& disposition,
                       const AuditEvent& event) override {
        const std::string serial = checked_serial(cert);
        // By reference: this caller waits, so nothing is copied.
        write([&](WriteContext& w) { insert_issued(w, cert, serial, disposition, event); });
    }

    std::future<void> record_issued_async(const CertificateRecord& cert, const std::string& disposition,
                                          const AuditEvent& event) override {
        std::string serial;
        try {
            serial = checked_serial(cert);
        } catch (...) {
            std::promise<void> failed;
            failed.set_exception(std::current_exception());
            return failed.get_future();
        }
        // The caller goes on before the write runs, so the operation owns one copy of everything
        // (the certificate's DER included); the std::function holding it is only ever moved.
        return writer_.submit(
            [cert, serial = std::move(serial), disposition, event](WriteContext& w) {
                insert_issued(w, cert, serial, disposition, event);
            },
            sqlite::Durability::Synced);
    }

    void set_request_state(const std::string& ca, std::int64_t id, RequestState state,
                           const std::string& disposition, const std::string& findings_json,
                           const std::string& verdicts_json, const AuditEvent& event) override {
        write([&](WriteContext& w) {
            const auto current = current_request_state(w, ca, id);
            if (!current) throw NotFoundError(request_name(ca, id) + " does not exist");
            if (*current == RequestState::Issued)
                throw ConflictError(request_name(ca, id) + " is already issued; its state cannot change");
            auto lease = w.statements.acquire(
                "UPDATE requests SET state = ?, disposition = ?, findings_json = ?, verdicts_json = ?, resolved_at = ? "
                "WHERE ca = ? AND request_id = ?");
            auto& q = *lease;
            q.bind(1, to_string(state));
            q.bind(2, disposition);
            q.bind(3, findings_json.empty() ? std::string("[]") : findings_json);
            q.bind(4, verdicts_json.empty() ? std::string("{}") : verdicts_json);
            sqlite::bind_optional_time(q, 5, state == RequestState::Pending ? std::nullopt : std::optional<Time>(event.at));
            q.bind(6, ca);
            q.bind(7, id);
            q.exec();
            insert_audit(w, completed(event, ca, id));
        });
    }

    std::optional<RequestRecord> find_request(const std::string& ca, std::int64_t id) const override {
        return read("reading " + request_name(ca, id), [&](SQLite::Database& db) -> std::optional<RequestRecord> {
            SQLite::Statement q(db, std::string("SELECT ") + sqlite::kRequestColumns +
                                        " FROM requests WHERE ca = ? AND request_id = ?");
            q.bind(1, ca);
            q.bind(2, id);
            if (!q.executeStep()) return std::nullopt;
            return sqlite::read_request(q);
        });
    }

    std::vector<RequestRecord> list_requests(const RequestQuery& query) const override {
        BoundQuery b{std::string("SELECT ") + sqlite::kRequestColumns + " FROM requests WHERE 1", {}};
        if (!query.ca.empty()) {
            b.sql += " AND ca = ?";
            b.args.emplace_back(query.ca);
        }
        if (query.state) {
            b.sql += " AND state = ?";
            b.args.emplace_back(std::string(to_string(*query.state)));
        }
        b.sql += " ORDER BY ca, request_id LIMIT ?";
        b.args.emplace_back(sql_limit(query.limit));
        return read("listing requests", [&](SQLite::Database& db) {
            SQLite::Statement q(db, b.sql);
            b.bind_all(q);
            std::vector<RequestRecord> out;
            while (q.executeStep()) out.push_back(sqlite::read_request(q));
            return out;
        });
    }

    std::optional<CertificateRecord> find_certificate(const std::string& ca,
                                                      const std::string& serial) const override {
        const std::string s = sqlite::lower_ascii(serial);
        return read("reading " + certificate_name(ca, s), [&](SQLite::Database& db) -> std::optional<CertificateRecord> {
            SQLite::Statement q(db, std::string("SELECT ") + sqlite::kCertificateColumns +
                                        " FROM certificates WHERE ca = ? AND serial = ?");
            q.bind(1, ca);
            q.bind(2, s);
            if (!q.executeStep()) return std::nullopt;
            return sqlite::read_certificate(q);
        });
    }

    std::vector<CertificateRecord> find_certificates_by_serial(const std::string& serial) const override {
        CertificateQuery query;
        query.serial = serial;
        query.limit = std::numeric_limits<std::size_t>::max();
        return search_certificates(query);
    }

    std::vector<CertificateRecord> search_certificates(const CertificateQuery& query) const override {
        BoundQuery b{std::string("SELECT ") + sqlite::kCertificateColumns + " FROM certificates WHERE 1", {}};
        if (!query.ca.empty()) {
            b.sql += " AND ca = ?";
            b.args.emplace_back(query.ca);
        }
        if (!query.subject_contains.empty()) {
            b.sql += " AND subject LIKE ? ESCAPE '\\'";
            b.args.emplace_back(sqlite::like_contains(query.subject_contains));
        }
        if (!query.san_contains.empty()) {
            // SANs are stored one per line, so a needle without a line break matches within one SAN.
            if (query.san_contains.find('\n') != std::string::npos) return {};
            b.sql += " AND sans LIKE ? ESCAPE '\\'";
            b.args.emplace_back(sqlite::like_contains(query.san_contains));
        }
        if (!query.serial.empty()) {
            b.sql += " AND serial = ?";
            b.args.emplace_back(sqlite::lower_ascii(query.serial));
        }
        if (!query.template_name.empty()) {
            b.sql += " AND template = ?";
            b.args.emplace_back(query.template_name);
        }
        if (query.status) {
            b.sql += " AND status = ?";
            b.args.emplace_back(std::string(to_string(*query.status)));
        }
        if (query.expiring_before) {
            b.sql += " AND not_after < ?";
            b.args.emplace_back(epoch_seconds(*query.expiring_before));
        }
        b.sql += " ORDER BY issued_at, serial LIMIT ?";
        b.args.emplace_back(sql_limit(query.limit));
        return read("searching certificates", [&](SQLite::Database& db) {
            SQLite::Statement q(db, b.sql);
            b.bind_all(q);
            std::vector<CertificateRecord> out;
            while (q.executeStep()) out.push_back(sqlite::read_certificate(q));
            return out;
        });
    }

    void set_status(const std::string& ca, const std::string& serial, CertStatus status,
                    const std::optional<Revocation>& revocation, const AuditEvent& event) override {
        const std::string s = sqlite::lower_ascii(serial);
        // A revocation whose reason is certificateHold is a hold (RFC 5280 5.3.1).
        if (status == CertStatus::Revoked && revocation && revocation->reason == RevocationReason::CertificateHold)
            status = CertStatus::OnHold;
        if (status == CertStatus::Revoked && revocation && revocation->reason == RevocationReason::RemoveFromCrl)
            throw InternalError("removeFromCRL is not a revocation reason; release sets the status to valid");

        write([&](WriteContext& w) {
            CertStatus current{};
            std::string reason_now;
            {
                auto get = w.statements.acquire("SELECT status, revocation_reason FROM certificates WHERE ca = ? AND serial = ?");
                get->bind(1, ca);
                get->bind(2, s);
                if (!get->executeStep()) throw NotFoundError(certificate_name(ca, s) + " does not exist");
                current = sqlite::cert_status_from_db(get->getColumn(0).getString());
                if (!get->getColumn(1).isNull())
                    reason_now = to_string(sqlite::revocation_reason_from_db(get->getColumn(1).getInt64()));
            }

            if (current == CertStatus::Revoked) {
                if (status == CertStatus::Revoked)
                    throw ConflictError("certificate " + s + " is already revoked (" + reason_now + ")");
                throw ConflictError("certificate " + s + " is revoked (" + reason_now +
                                    "); only a certificate on hold can be released");
            }
            if (current == status)
                throw ConflictError(status == CertStatus::Valid
                                        ? "certificate " + s + " is neither revoked nor on hold; there is nothing to release"
                                        : "certificate " + s + " is already on hold");

            std::int64_t seq = 0;
            {
                auto bump = w.statements.acquire(
                    "INSERT INTO revocation_counters (ca, status_seq) VALUES (?, 1) "
                    "ON CONFLICT (ca) DO UPDATE SET status_seq = status_seq + 1 RETURNING status_seq");
                bump->bind(1, ca);
                if (!bump->executeStep()) throw InternalError("the status sequence of CA '" + ca + "' was not advanced");
                seq = bump->getColumn(0).getInt64();
            }
            auto lease = w.statements.acquire(
                "UPDATE certificates SET status = ?, revocation_reason = ?, revoked_at = ?, "
                "invalidity_date = ?, status_seq = ? WHERE ca = ? AND serial = ?");
            auto& q = *lease;
            q.bind(1, to_string(status));
            if (status == CertStatus::Valid) {
                q.bind(2);
                q.bind(3);
                q.bind(4);
            } else {
                const auto reason = status == CertStatus::OnHold
                                        ? RevocationReason::CertificateHold
                                        : (revocation ? revocation->reason : RevocationReason::Unspecified);
                q.bind(2, static_cast<std::int64_t>(reason));
                q.bind(3, epoch_seconds(revocation ? revocation->revoked_at : event.at));
                sqlite::bind_optional_time(q, 4, revocation ? revocation->invalidity_date : std::nullopt);
            }
            q.bind(5, seq);
            q.bind(6, ca);
            q.bind(7, s);
            q.exec();
            insert_audit(w, completed(event, ca, std::nullopt, s));
        });
    }

    std::int64_t status_sequence(const std::string& ca) const override {
        return read("reading the status sequence of CA " + ca, [&](SQLite::Database& db) -> std::int64_t {
            SQLite::Statement q(db, "SELECT status_seq FROM revocation_counters WHERE ca = ?");
            q.bind(1, ca);
            return q.executeStep() ? q.getColumn(0).getInt64() : 0;
        });
    }

    RevocationScan scan_revocations(const std::string& ca, std::optional<std::int64_t> changed_after, Time expired_before,
                                    const std::function<void(const RevokedRow&)>& row) const override {
        return read("reading the revocations of CA " + ca, [&](SQLite::Database& db) {
            // One read transaction: the sequence and the rows come from the same snapshot.
            db.exec("BEGIN");
            struct Rollback {
                SQLite::Database& db;
                ~Rollback() {
                    try {
                        db.exec("ROLLBACK");
                    } catch (...) {  // nothing was written; the connection is reset on reuse
                    }
                }
            } end{db};
            RevocationScan scan;
            {
                SQLite::Statement q(db, "SELECT status_seq FROM revocation_counters WHERE ca = ?");
                q.bind(1, ca);
                if (q.executeStep()) scan.status_seq = q.getColumn(0).getInt64();
            }
            // A base CRL walks the status index (revoked and on-hold rows only); a delta the
            // sequence index. Neither sorts: the order of a CRL's entries carries no meaning.
            SQLite::Statement q(db, !changed_after
                                        ? "SELECT serial, status, revocation_reason, revoked_at, invalidity_date, not_after "
                                          "FROM certificates WHERE ca = ? AND status IN ('revoked', 'on-hold') AND not_after >= ?"
                                        : "SELECT serial, status, revocation_reason, revoked_at, invalidity_date, not_after "
                                          "FROM certificates WHERE ca = ? AND status_seq > ? AND not_after >= ?");
            int i = 1;
            q.bind(i++, ca);
            if (changed_after) q.bind(i++, *changed_after);
            q.bind(i++, epoch_seconds(expired_before));
            RevokedRow r;
            while (q.executeStep()) {
                const SQLite::Column serial = q.getColumn(0);
                r.serial = std::string_view(serial.getText(),
                                            static_cast<std::size_t>(serial.getBytes()));
                const bool released = q.getColumn(1).getString() == "valid";
                r.reason = released ? RevocationReason::RemoveFromCrl
                                    : sqlite::revocation_reason_from_db(q.getColumn(2).getInt64());
                r.revoked_at = released ? Time{} : sqlite::from_epoch_seconds(q.getColumn(3).getInt64());
                r.invalidity_date = q.getColumn(4).isNull()
                                        ? std::nullopt
                                        : std::optional<Time>(sqlite::from_epoch_seconds(q.getColumn(4).getInt64()));
                r.not_after = sqlite::from_epoch_seconds(q.getColumn(5).getInt64());
                row(r);
                ++scan.rows;
            }
            return scan;
        });
    }

    std::int64_t next_crl_number(const std::string& ca) override {
        std::int64_t number = 0;
        write([&](WriteContext& w) {
            auto q = w.statements.acquire(
                "INSERT INTO revocation_counters (ca, crl_number) VALUES (?, 1) "
                "ON CONFLICT (ca) DO UPDATE SET crl_number = crl_number + 1 RETURNING crl_number");
            q->bind(1, ca);
            if (!q->executeStep()) throw InternalError("no CRL number was reserved for CA '" + ca + "'");
            number = q->getColumn(0).getInt64();
        });
        return number;
    }

    void record_crl(const CrlRecord& crl, const AuditEvent& event) override {
        write([&](WriteContext& w) {
            auto q = w.statements.acquire(
                "INSERT INTO crls (ca, number, kind, base_number, this_update, next_update, next_publish, entries, "
                "status_seq, size, sha256, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            q->bind(1, crl.ca);
            q->bind(2, crl.number);
            q->bind(3, to_string(crl.kind));
            if (crl.base_number) q->bind(4, *crl.base_number);
            else q->bind(4);
            q->bind(5, epoch_seconds(crl.this_update));
            q->bind(6, epoch_seconds(crl.next_update));
            q->bind(7, epoch_seconds(crl.next_publish));
            q->bind(8, static_cast<std::int64_t>(crl.entries));
            q->bind(9, crl.status_seq);
            q->bind(10, static_cast<std::int64_t>(crl.size));
            q->bind(11, crl.sha256);
            q->bind(12, epoch_seconds(crl.published_at));
            try {
                q->exec();
            } catch (const SQLite::Exception& e) {
                if (e.getExtendedErrorCode() == SQLITE_CONSTRAINT_PRIMARYKEY)
                    throw ConflictError("CRL number " + std::to_string(crl.number) + " of CA '" + crl.ca +
                                        "' is already recorded");
                throw;
            }
            insert_audit(w, completed(event, crl.ca, std::nullopt));
        });
    }

    std::optional<CrlRecord> latest_crl(const std::string& ca, CrlKind kind) const override {
        return read("reading the latest CRL of CA " + ca, [&](SQLite::Database& db) -> std::optional<CrlRecord> {
            SQLite::Statement q(db,
                                "SELECT number, base_number, this_update, next_update, next_publish, entries, status_seq, "
                                "size, sha256, published_at FROM crls WHERE ca = ? AND kind = ? ORDER BY number DESC LIMIT 1");
            q.bind(1, ca);
            q.bind(2, to_string(kind));
            if (!q.executeStep()) return std::nullopt;
            CrlRecord c;
            c.ca = ca;
            c.kind = kind;
            c.number = q.getColumn(0).getInt64();
            if (!q.getColumn(1).isNull()) c.base_number = q.getColumn(1).getInt64();
            c.this_update = sqlite::from_epoch_seconds(q.getColumn(2).getInt64());
            c.next_update = sqlite::from_epoch_seconds(q.getColumn(3).getInt64());
            c.next_publish = sqlite::from_epoch_seconds(q.getColumn(4).getInt64());
            c.entries = static_cast<std::uint64_t>(q.getColumn(5).getInt64());
            c.status_seq = q.getColumn(6).getInt64();
            c.size = static_cast<std::uint64_t>(q.getColumn(7).getInt64());
            c.sha256 = q.getColumn(8).getString();
            c.published_at = sqlite::from_epoch_seconds(q.getColumn(9).getInt64());
            return c;
        });
    }

    void append_audit(const AuditEvent& event) override {
        write([&](WriteContext& w) { insert_audit(w, event); });
    }

    std::vector<PluginVerdictCount> plugin_verdict_counts() const override {
        return read("counting plugin verdicts", [&](SQLite::Database& db) {
            // json_valid: a row written by hand (or a broken one) is skipped rather than failing the count.
            SQLite::Statement q(db,
                                "SELECT v.key, v.value, COUNT(*) FROM requests, json_each(requests.verdicts_json) AS v "
                                "WHERE json_valid(requests.verdicts_json) GROUP BY v.key, v.value ORDER BY v.key, v.value");
            std::vector<PluginVerdictCount> out;
            while (q.executeStep())
                out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                               static_cast<std::uint64_t>(q.getColumn(2).getInt64())});
            return out;
        });
    }

    std::vector<AuditEvent> list_audit(std::size_t limit, std::int64_t after_id) const override {
        return read("reading the audit trail", [&](SQLite::Database& db) {
            SQLite::Statement q(db, std::string("SELECT ") + sqlite::kAuditColumns +
                                        " FROM audit WHERE id > ? ORDER BY id LIMIT ?");
            q.bind(1, after_id);
            q.bind(2, sql_limit(limit));
            std::vector<AuditEvent> out;
            while (q.executeStep()) out.push_back(sqlite::read_audit(q));
            return out;
        });
    }

    std::optional<std::string> get_setting(const std::string& key) const override {
        return read("reading setting " + key, [&](SQLite::Database& db) -> std::optional<std::string> {
            SQLite::Statement q(db, "SELECT value FROM settings WHERE key = ?");
            q.bind(1, key);
            if (!q.executeStep()) return std::nullopt;
            return q.getColumn(0).getString();
        });
    }

    void set_setting(const std::string& key, const std::string& value) override {
        write([&](WriteContext& w) {
            auto q = w.statements.acquire(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
            q->bind(1, key);
            q->bind(2, value);
            q->exec();
        });
    }

private:
    template <class F>
    void write(F&& op) {
        writer_.run(std::forward<F>(op), sqlite::Durability::Synced);
    }

    template <class F>
    void write(sqlite::Durability durability, F&& op) {
        writer_.run(std::forward<F>(op), durability);
    }


    template <class F>
    std::invoke_result_t<F&, SQLite::Database&> read(const std::string& what, F&& op) const {
        try {
            auto lease = reads_.acquire();
            return op(*lease);
        } catch (const SQLite::Exception& e) {
            throw sqlite::internal_error(e, what + " failed");
        }
    }

    mutable ReadPool reads_;
    sqlite::GroupCommitWriter writer_;  // last: destroyed first, draining pending writes
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& path, const SqliteStoreOptions& options) {
    auto db = open_connection(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    try {
        SQLite::Statement wal(*db, "PRAGMA journal_mode = WAL");
        wal.executeStep();
        const std::string mode = wal.getColumn(0).getString();
        if (mode != "wal")
            throw InternalError("the store " + path.string() + " cannot use write-ahead logging (journal mode is '" +
                                mode + "')");
        // FULL while migrating: the schema is durable before anything is written into it.
        db->exec("PRAGMA synchronous = FULL");
        db->exec("PRAGMA foreign_keys = ON");
    } catch (const SQLite::Exception& e) {
        throw sqlite::internal_error(e, "cannot configure the store " + path.string());
    }
    sqlite::migrate(*db);
    try {
        // NORMAL: a COMMIT writes the log without syncing it; the writer's syncer thread makes
        // commits power-loss durable, many per fdatasync (why that is safe: group_commit.hpp).
        db->exec("PRAGMA synchronous = NORMAL");
    } catch (const SQLite::Exception& e) {
        throw sqlite::internal_error(e, "cannot configure the store " + path.string());
    }
    // std::function needs a copyable target; the log handle itself is not copyable.
    auto wal = std::make_shared<sqlite::WalFile>(sqlite::WalFile::of(*db), options.fdatasync_for_tests);
    return std::make_unique<SqliteStore>(path, std::move(db), [wal] { wal->sync(); }, options);
}

SqliteStoreCounters sqlite_store_counters(const Store& store) {
    const auto* sqlite_store = dynamic_cast<const SqliteStore*>(&store);
    if (sqlite_store == nullptr) throw InternalError("counters were asked of a store that is not SQLite's");
    return sqlite_store->counters();
}

}  // namespace pkilab
