#pragma once
// Mapping between the store's records and SQLite rows: column lists, binding and reading,
// and the small encodings (times as epoch seconds, SANs joined by '\n', states as text).
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "ca/store/store.hpp"

namespace pkilab::sqlite {

inline constexpr const char* kRequestColumns =
    "ca, request_id, state, disposition, template, template_version, requester_identity, "
    "requester_role, requester_channel, csr, subject, findings_json, submitted_at, resolved_at, serial, verdicts_json";
inline constexpr const char* kCertificateColumns =
    "ca, serial, request_id, subject, sans, template, not_before, not_after, issued_at, der, status, "
    "revocation_reason, revoked_at, invalidity_date";
inline constexpr const char* kAuditColumns = "id, at, actor, action, ca, request_id, serial, outcome, detail";

inline std::int64_t epoch_seconds(Time t) { return t.time_since_epoch().count(); }
inline Time from_epoch_seconds(std::int64_t s) { return Time{std::chrono::seconds{s}}; }

// Binds without copying (certificates and CSRs are the big values): `bytes` must outlive the
// statement's execution.
void bind_blob(SQLite::Statement& q, int index, const Bytes& bytes);
void bind_optional_time(SQLite::Statement& q, int index, const std::optional<Time>& t);

// Read the current row of a statement that selected the matching column list.
RequestRecord read_request(const SQLite::Statement& q);
CertificateRecord read_certificate(const SQLite::Statement& q);
AuditEvent read_audit(const SQLite::Statement& q);

// The database only ever holds values we wrote; anything else is corruption (InternalError).
RequestState request_state_from_db(const std::string& s);
CertStatus cert_status_from_db(const std::string& s);
RevocationReason revocation_reason_from_db(std::int64_t code);

std::string join_sans(const std::vector<std::string>& sans);
std::vector<std::string> split_sans(const std::string& joined);

// Serials are stored in lower case; lookups normalise the same way.
std::string lower_ascii(std::string_view s);
// "%needle%" for LIKE ... ESCAPE '\', with the user's % and _ taken literally.
std::string like_contains(std::string_view needle);

// A statement built from optional conditions, with its arguments in order.
struct BoundQuery {
    std::string sql;
    std::vector<std::variant<std::int64_t, std::string>> args;
    void bind_all(SQLite::Statement& q) const;
};

inline constexpr const char* kInsertAudit =
    "INSERT INTO audit (at, actor, action, ca, request_id, serial, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
// Binds an event to kInsertAudit; the strings are copied, so `event` need not outlive it.
void bind_audit(SQLite::Statement& q, const AuditEvent& event);

}  // namespace pkilab::sqlite
