#pragma once
// The CA's durable memory: requests, certificates, revocations, the audit trail and a few
// settings. An interface, so that another engine can come later; SQLite is the default
// (sqlite_store.hpp). Every write method returns only after its transaction is committed and
// synced to the disk (it survives power loss), except record_intent, which returns once
// committed (see there): a certificate handed to anyone is always in the store.
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ca/bytes.hpp"
#include "ca/clock.hpp"

namespace pkilab {

enum class RequestState { Pending, Issued, Denied, Failed };
const char* to_string(RequestState s);            // "pending", "issued", "denied", "failed"
RequestState parse_request_state(std::string_view s);  // throws InputError

enum class CertStatus { Valid, Revoked, OnHold };
const char* to_string(CertStatus s);               // "valid", "revoked", "on-hold"

// RFC 5280 CRLReason codes (7 is unused by the RFC).
enum class RevocationReason : int {
    Unspecified = 0, KeyCompromise = 1, CaCompromise = 2, AffiliationChanged = 3,
    Superseded = 4, CessationOfOperation = 5, CertificateHold = 6, RemoveFromCrl = 8,
    PrivilegeWithdrawn = 9, AaCompromise = 10,
};
const char* to_string(RevocationReason r);  // "keyCompromise", ... (RFC 5280 names)
// Accepts RFC names case-insensitively, hyphenated forms ("key-compromise") and numbers.
// Refuses removeFromCRL (that is `release`) and 7. Throws InputError naming `where`.
RevocationReason parse_revocation_reason(std::string_view s, std::string_view where);

struct Requester {
    std::string identity = "local";  // who asked (user name, account, "local")
    std::string role;                // enrollee/officer/admin, when known
    std::string channel = "cli";     // cli, web, rest, est, acme, scep, cmp
};

struct RequestRecord {
    std::string ca;
    std::int64_t id = 0;  // sequential per CA, from 1, like AD CS
    RequestState state = RequestState::Pending;
    std::string disposition;     // a sentence a person can read
    std::string template_name;
    std::string template_version;
    Requester requester;
    Bytes csr_der;
    std::string subject;
    std::string findings_json;   // JSON array of findings at the last decision ("[]" when none)
    std::string verdicts_json = "{}";  // each policy plugin's verdict at the last decision: {"name": "allow"}
    Time submitted_at{};
    std::optional<Time> resolved_at;
    std::string serial;          // set once issued
};

struct Revocation {
    RevocationReason reason = RevocationReason::Unspecified;
    Time revoked_at{};
    std::optional<Time> invalidity_date;
};

struct CertificateRecord {
    std::string ca;
    std::string serial;  // lower-case hex
    std::int64_t request_id = 0;
    std::string subject;
    std::vector<std::string> sans;  // "dns:www.lab.test"
    std::string template_name;
    Time not_before{};
    Time not_after{};
    Time issued_at{};
    Bytes der;
    CertStatus status = CertStatus::Valid;
    std::optional<Revocation> revocation;  // set when Revoked or OnHold
};

struct AuditEvent {
    std::int64_t id = 0;  // assigned by the store
    Time at{};
    std::string actor;    // requester identity or officer
    std::string action;   // "submit", "issue", "deny", "pend", "approve", "revoke", "hold", "release", "lab-up", ...
    std::string ca;
    std::optional<std::int64_t> request_id;
    std::string serial;
    std::string outcome;  // "ok", "denied", "failed", "pending"
    std::string detail;   // free text or JSON
};

struct CertificateQuery {
    std::string ca;                // empty: all CAs
    std::string subject_contains;  // case-insensitive substring
    std::string san_contains;      // case-insensitive substring of any "type:value"
    std::string serial;            // exact (hex, case-insensitive)
    std::string template_name;
    std::optional<CertStatus> status;
    std::optional<Time> expiring_before;  // not_after < this
    std::size_t limit = 1000;
};

struct RequestQuery {
    std::string ca;
    std::optional<RequestState> state;
    std::size_t limit = 1000;
};

struct PluginVerdictCount {
    std::string plugin;   // the instance's name in the lab file
    std::string verdict;  // "allow", "deny", "pend", "abstain", "failed"
    std::uint64_t requests = 0;
};

// A new request and its first decision, written in one transaction with its audit event.
struct NewRequest {
    std::string ca;
    std::string template_name;
    std::string template_version;
    Requester requester;
    Bytes csr_der;
    std::string subject;
    RequestState state = RequestState::Pending;
    std::string disposition;
    std::string findings_json = "[]";
    std::string verdicts_json = "{}";
    Time at{};
};

// What the CA is about to sign, recorded durably before signing (Boulder's "intent"): if the
// process dies after signing, the serial and the to-be-signed bytes are still known.
struct IssuanceIntent {
    std::string ca;
    std::optional<std::int64_t> request_id;  // an existing (pending) request; else `request` is created
    NewRequest request;                      // used when request_id is empty (state ignored)
    std::string serial;
    Bytes tbs_der;
    Time at{};
};

// A CRL is either complete for its scope (base) or lists changes since a base (delta).
enum class CrlKind { Base, Delta };
const char* to_string(CrlKind k);  // "base", "delta"

// One certificate as a CRL lists it, read from the store.
struct RevokedRow {
    std::string_view serial;  // lower-case hex; valid during the callback only
    RevocationReason reason = RevocationReason::Unspecified;  // RemoveFromCrl: released from hold
    Time revoked_at{};        // for RemoveFromCrl: when it went on hold
    std::optional<Time> invalidity_date;
    Time not_after{};
};

// What one scan saw: the CA's status sequence at that snapshot and how many rows it passed on.
struct RevocationScan {
    std::int64_t status_seq = 0;
    std::uint64_t rows = 0;
};

// A CRL the CA published (its bytes live in the publication folders, see crl/).
struct CrlRecord {
    std::string ca;
    std::int64_t number = 0;      // cRLNumber, shared by base and delta CRLs, strictly increasing
    CrlKind kind = CrlKind::Base;
    std::optional<std::int64_t> base_number;  // delta: the base CRL it extends (Delta CRL Indicator)
    Time this_update{};
    Time next_update{};
    Time next_publish{};          // when the CA publishes the next one (before next_update: the overlap)
    std::uint64_t entries = 0;
    std::int64_t status_seq = 0;  // the CA's status changes this CRL covers (see Store::scan_revocations)
    std::uint64_t size = 0;       // DER bytes
    std::string sha256;           // hex of the DER
    Time published_at{};
};

class SerialCollision : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Store {
public:
    virtual ~Store() = default;
    Store() = default;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Requests. Returns the per-CA request id.
    virtual std::int64_t add_request(const NewRequest& request, const AuditEvent& event) = 0;
    // Reserves the serial (unique per CA; SerialCollision if taken), stores the TBS bytes and
    // marks the request Failed with "interrupted while signing" until record_issued replaces
    // that. Returns the request id.
    // Durability: returns once committed, without waiting for the disk. The intent survives a
    // crash of the process but may be lost on power loss until a later synced write (the log is
    // sequential, so the caller's own record_issued covers it). That is enough because the
    // caller signs only after this returns and hands the certificate out only after
    // record_issued returned (or its future became ready): a certificate that left the CA always
    // has its intent and its record on disk.
    virtual std::int64_t record_intent(const IssuanceIntent& intent) = 0;
    // Stores the certificate, marks the request Issued with its serial and disposition, and
    // appends the event, in one transaction; returns once that is synced.
    virtual void record_issued(const CertificateRecord& cert, const std::string& disposition,
                               const AuditEvent& event) = 0;
    // The same without waiting: the future becomes ready once the write is synced, or holds what
    // record_issued would throw (ConflictError, NotFoundError, InternalError).
    // The arguments are copied; the caller may drop them at once. Hand the certificate out only
    // after get() returned.
    virtual std::future<void> record_issued_async(const CertificateRecord& cert, const std::string& disposition,
                                                  const AuditEvent& event) = 0;
    // Changes a request's state (deny, fail, back to pending on resubmit) with its event.
    virtual void set_request_state(const std::string& ca, std::int64_t id, RequestState state,
                                   const std::string& disposition, const std::string& findings_json,
                                   const std::string& verdicts_json, const AuditEvent& event) = 0;
    virtual std::optional<RequestRecord> find_request(const std::string& ca, std::int64_t id) const = 0;
    virtual std::vector<RequestRecord> list_requests(const RequestQuery& query) const = 0;

    // Certificates.
    virtual std::optional<CertificateRecord> find_certificate(const std::string& ca,
                                                              const std::string& serial) const = 0;
    // By serial across all CAs (serials are 128-bit random, so practically unique).
    virtual std::vector<CertificateRecord> find_certificates_by_serial(const std::string& serial) const = 0;
    virtual std::vector<CertificateRecord> search_certificates(const CertificateQuery& query) const = 0;
    // Revoke, hold or release (status Valid clears the revocation).
    virtual void set_status(const std::string& ca, const std::string& serial, CertStatus status,
                            const std::optional<Revocation>& revocation, const AuditEvent& event) = 0;

    // Revocation data, for CRLs and OCSP. Every status change (revoke, hold, release) gives the
    // certificate the CA's next status sequence number, so "what changed since" does not depend
    // on the lab clock, which training moves back and forth.
    virtual std::int64_t status_sequence(const std::string& ca) const = 0;
    // Calls `row` for each certificate of `ca` that a CRL lists, in one read snapshot:
    // without `changed_after`, every certificate revoked or on hold now (a base CRL); with it,
    // every certificate whose status changed after that sequence number (a delta CRL, or a
    // cache refresh; 0: every change ever), a released one as RemoveFromCrl. Certificates that
    // expired before `expired_before` are left out. Returns the snapshot's status sequence.
    virtual RevocationScan scan_revocations(const std::string& ca, std::optional<std::int64_t> changed_after,
                                            Time expired_before,
                                            const std::function<void(const RevokedRow&)>& row) const = 0;
    // Reserves the CA's next CRL number, durably: a number is never handed out twice, even if
    // the CRL that would have carried it is never published.
    virtual std::int64_t next_crl_number(const std::string& ca) = 0;
    // Records a published CRL with its event (synced).
    virtual void record_crl(const CrlRecord& crl, const AuditEvent& event) = 0;
    virtual std::optional<CrlRecord> latest_crl(const std::string& ca, CrlKind kind) const = 0;

    // How often each policy plugin (by instance name) gave each verdict, over every request's
    // last decision.
    virtual std::vector<PluginVerdictCount> plugin_verdict_counts() const = 0;

    // Audit trail, append-only.
    virtual void append_audit(const AuditEvent& event) = 0;
    virtual std::vector<AuditEvent> list_audit(std::size_t limit, std::int64_t after_id = 0) const = 0;

    // Small settings (clock offset, lab file digest).
    virtual std::optional<std::string> get_setting(const std::string& key) const = 0;
    virtual void set_setting(const std::string& key, const std::string& value) = 0;
};

}  // namespace pkilab
