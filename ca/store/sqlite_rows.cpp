#include "ca/store/sqlite_rows.hpp"

#include <climits>

#include "ca/errors.hpp"

namespace pkilab::sqlite {

namespace {

Bytes read_blob(const SQLite::Column& c) {
    if (c.isNull()) return {};
    const auto* p = static_cast<const std::uint8_t*>(c.getBlob());
    return Bytes(p, p + c.getBytes());
}

std::optional<Time> read_optional_time(const SQLite::Column& c) {
    if (c.isNull()) return std::nullopt;
    return from_epoch_seconds(c.getInt64());
}

}  // namespace

void bind_blob(SQLite::Statement& q, int index, const Bytes& bytes) {
    if (bytes.size() > static_cast<std::size_t>(INT_MAX))
        throw InternalError("a " + std::to_string(bytes.size()) + "-byte value is too large for the store");
    // A null pointer would bind SQL NULL; an empty value must stay an empty blob.
    static constexpr std::uint8_t kNothing = 0;
    q.bindNoCopy(index, bytes.empty() ? &kNothing : bytes.data(), static_cast<int>(bytes.size()));
}

void bind_optional_time(SQLite::Statement& q, int index, const std::optional<Time>& t) {
    if (t)
        q.bind(index, epoch_seconds(*t));
    else
        q.bind(index);
}

RequestState request_state_from_db(const std::string& s) {
    for (auto state : {RequestState::Pending, RequestState::Issued, RequestState::Denied, RequestState::Failed})
        if (s == to_string(state)) return state;
    throw InternalError("the store holds an unknown request state '" + s + "'");
}

CertStatus cert_status_from_db(const std::string& s) {
    for (auto status : {CertStatus::Valid, CertStatus::Revoked, CertStatus::OnHold})
        if (s == to_string(status)) return status;
    throw InternalError("the store holds an unknown certificate status '" + s + "'");
}

RevocationReason revocation_reason_from_db(std::int64_t code) {
    switch (code) {
        case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 8: case 9: case 10:
            return static_cast<RevocationReason>(code);
        default:
            throw InternalError("the store holds an unknown revocation reason code " + std::to_string(code));
    }
}

RequestRecord read_request(const SQLite::Statement& q) {
    RequestRecord r;
    r.ca = q.getColumn(0).getString();
    r.id = q.getColumn(1).getInt64();
    r.state = request_state_from_db(q.getColumn(2).getString());
    r.disposition = q.getColumn(3).getString();
    r.template_name = q.getColumn(4).getString();
    r.template_version = q.getColumn(5).getString();
    r.requester.identity = q.getColumn(6).getString();
    r.requester.role = q.getColumn(7).getString();
    r.requester.channel = q.getColumn(8).getString();
    r.csr_der = read_blob(q.getColumn(9));
    r.subject = q.getColumn(10).getString();
    r.findings_json = q.getColumn(11).getString();
    r.submitted_at = from_epoch_seconds(q.getColumn(12).getInt64());
    r.resolved_at = read_optional_time(q.getColumn(13));
    r.serial = q.getColumn(14).getString();
    r.verdicts_json = q.getColumn(15).getString();
    return r;
}

CertificateRecord read_certificate(const SQLite::Statement& q) {
    CertificateRecord c;
    c.ca = q.getColumn(0).getString();
    c.serial = q.getColumn(1).getString();
    c.request_id = q.getColumn(2).getInt64();
    c.subject = q.getColumn(3).getString();
    c.sans = split_sans(q.getColumn(4).getString());
    c.template_name = q.getColumn(5).getString();
    c.not_before = from_epoch_seconds(q.getColumn(6).getInt64());
    c.not_after = from_epoch_seconds(q.getColumn(7).getInt64());
    c.issued_at = from_epoch_seconds(q.getColumn(8).getInt64());
    c.der = read_blob(q.getColumn(9));
    c.status = cert_status_from_db(q.getColumn(10).getString());
    if (!q.getColumn(11).isNull()) {
        Revocation r;
        r.reason = revocation_reason_from_db(q.getColumn(11).getInt64());
        r.revoked_at = from_epoch_seconds(q.getColumn(12).getInt64());
        r.invalidity_date = read_optional_time(q.getColumn(13));
        c.revocation = r;
    }
    return c;
}

AuditEvent read_audit(const SQLite::Statement& q) {
    AuditEvent e;
    e.id = q.getColumn(0).getInt64();
    e.at = from_epoch_seconds(q.getColumn(1).getInt64());
    e.actor = q.getColumn(2).getString();
    e.action = q.getColumn(3).getString();
    e.ca = q.getColumn(4).getString();
    if (!q.getColumn(5).isNull()) e.request_id = q.getColumn(5).getInt64();
    e.serial = q.getColumn(6).getString();
    e.outcome = q.getColumn(7).getString();
    e.detail = q.getColumn(8).getString();
    return e;
}

std::string join_sans(const std::vector<std::string>& sans) {
    std::string out;
    for (const auto& s : sans) {
        if (s.find('\n') != std::string::npos)
            throw InternalError("a subject alternative name contains a line break and cannot be stored");
        if (!out.empty()) out += '\n';
        out += s;
    }
    return out;
}

std::vector<std::string> split_sans(const std::string& joined) {
    std::vector<std::string> out;
    if (joined.empty()) return out;
    std::size_t start = 0;
    for (;;) {
        const auto nl = joined.find('\n', start);
        out.push_back(joined.substr(start, nl - start));
        if (nl == std::string::npos) return out;
        start = nl + 1;
    }
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string like_contains(std::string_view needle) {
    std::string out = "%";
    for (char c : needle) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}

void BoundQuery::bind_all(SQLite::Statement& q) const {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        std::visit([&](const auto& v) { q.bind(index, v); }, args[i]);
    }
}

void bind_audit(SQLite::Statement& q, const AuditEvent& event) {
    q.bind(1, epoch_seconds(event.at));
    q.bind(2, event.actor);
    q.bind(3, event.action);
    q.bind(4, event.ca);
    if (event.request_id)
        q.bind(5, *event.request_id);
    else
        q.bind(5);
    q.bind(6, event.serial);
    q.bind(7, event.outcome);
    q.bind(8, event.detail);
}

}  // namespace pkilab::sqlite
