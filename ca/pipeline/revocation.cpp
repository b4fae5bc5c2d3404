#include "ca/pipeline/revocation.hpp"

#include "ca/errors.hpp"
#include "ca/pipeline/plugin_events.hpp"
#include "ca/x509/certificate_info.hpp"

namespace pkilab {

std::string normalize_serial(std::string_view text) {
    // A serial is at most 20 octets (RFC 5280 4.1.2.2): 40 hex digits, with colons as
    // openssl and Windows print them. Anything longer is not a serial; it is not echoed whole.
    const std::string shown = text.size() > 48 ? std::string(text.substr(0, 48)) + "..." : std::string(text);
    if (text.find(' ') != std::string_view::npos)
        throw InputError("serial", "", "'" + shown + "' contains a space", "write the serial as hex digits, colons allowed");
    size_t digits = 0;
    for (char c : text) digits += c != ':' ? 1 : 0;
    if (text.starts_with("0x") || text.starts_with("0X")) digits -= 2;
    if (digits > 42)
        throw InputError("serial", "", "'" + shown + "' has " + std::to_string(digits) +
                                           " hex digits; a serial number has at most 40",
                         "copy the serial from `pkilab cert list` or `openssl x509 -serial`");
    Bytes b = from_hex(text, "serial");
    size_t first = 0;
    while (first + 1 < b.size() && b[first] == 0) ++first;
    std::string hex = to_hex(ByteView(b).subspan(first));
    if (b.size() - first >= 1 && (b[first] & 0x80) != 0) hex = "00" + hex;  // keep it a positive INTEGER's octets
    return hex;
}

CertificateRecord find_certificate(const IssuanceContext& ctx, const std::string& serial, const std::string& ca) {
    const std::string s = normalize_serial(serial);
    if (!ca.empty()) {
        find_ca(ctx, ca);
        auto found = ctx.store.find_certificate(ca, s);
        if (!found) throw NotFoundError("CA " + ca + " has no certificate with serial " + s);
        return std::move(*found);
    }
    auto all = ctx.store.find_certificates_by_serial(s);
    if (all.empty()) throw NotFoundError("no certificate with serial " + s + " in this lab");
    if (all.size() > 1)
        throw InputError("serial", "", "serial " + s + " exists on more than one CA", "name the CA with --ca");
    return std::move(all.front());
}

namespace {

AuditEvent status_event(const Requester& who, const char* action, const CertificateRecord& c, std::string detail,
                        Time at) {
    AuditEvent e;
    e.at = at;
    e.actor = who.identity;
    e.action = action;
    e.ca = c.ca;
    e.request_id = c.request_id;
    e.serial = c.serial;
    e.outcome = "ok";
    e.detail = std::move(detail);
    return e;
}

// A status change the certificate's state does not allow: audited as refused, then thrown.
[[noreturn]] void refuse(const IssuanceContext& ctx, const Requester& who, const char* action, const CertificateRecord& c,
                         const std::string& why) {
    AuditEvent e = status_event(who, action, c, why, ctx.clock.now());
    e.outcome = "refused";
    ctx.store.append_audit(e);
    throw ConflictError(why);
}

}  // namespace

CertificateRecord revoke(const IssuanceContext& ctx, const std::string& serial, RevocationReason reason,
                         const Requester& who, std::optional<Time> invalidity_date, const std::string& ca) {
    if (reason == RevocationReason::CertificateHold) return hold(ctx, serial, who, ca);
    CertificateRecord c = find_certificate(ctx, serial, ca);
    if (c.status == CertStatus::Revoked)
        refuse(ctx, who, "revoke", c,
               "certificate " + c.serial + " is already revoked (" + to_string(c.revocation->reason) + " at " +
                   format_time(c.revocation->revoked_at) + ")");
    const CertificateAuthority& issuer = find_ca(ctx, c.ca);
    if (issuer.is_root() && serial_to_hex(X509_get0_serialNumber(issuer.certificate())) == c.serial)
        refuse(ctx, who, "revoke", c,
               "certificate " + c.serial + " is root CA " + issuer.name() +
                   "'s own certificate: nothing can revoke a trust anchor; remove it from the trust stores instead");
    const Time now = ctx.clock.now();
    if (invalidity_date && *invalidity_date > now)
        throw InputError("revoke", "--invalidity-date",
                         "the invalidity date " + format_time(*invalidity_date) + " is after the revocation (" +
                             format_time(now) + ")",
                         "give the time the key was or may have been compromised, no later than now (RFC 5280 5.3.2)");
    Revocation r{reason, now, invalidity_date};
    ctx.store.set_status(c.ca, c.serial, CertStatus::Revoked, r,
                         status_event(who, "revoke", c, std::string("reason ") + to_string(reason), now));
    notify_plugins(ctx.policies, {PKILAB_EVENT_REVOKED, c.ca, c.request_id, c.serial, to_string(reason), now});
    c.status = CertStatus::Revoked;
    c.revocation = r;
    return c;
}

CertificateRecord hold(const IssuanceContext& ctx, const std::string& serial, const Requester& who, const std::string& ca) {
    CertificateRecord c = find_certificate(ctx, serial, ca);
    if (c.status != CertStatus::Valid)
        refuse(ctx, who, "hold", c,
               "certificate " + c.serial + " is " + to_string(c.status) + "; only a valid certificate can be put on hold");
    const Time now = ctx.clock.now();
    Revocation r{RevocationReason::CertificateHold, now, std::nullopt};
    ctx.store.set_status(c.ca, c.serial, CertStatus::OnHold, r, status_event(who, "hold", c, "certificateHold", now));
    notify_plugins(ctx.policies, {PKILAB_EVENT_REVOKED, c.ca, c.request_id, c.serial, "certificateHold", now});
    c.status = CertStatus::OnHold;
    c.revocation = r;
    return c;
}

CertificateRecord release(const IssuanceContext& ctx, const std::string& serial, const Requester& who,
                          const std::string& ca) {
    CertificateRecord c = find_certificate(ctx, serial, ca);
    if (c.status != CertStatus::OnHold)
        refuse(ctx, who, "release", c,
               "certificate " + c.serial + " is " + to_string(c.status) + "; only a certificate on hold can be released");
    const Time now = ctx.clock.now();
    ctx.store.set_status(c.ca, c.serial, CertStatus::Valid, std::nullopt, status_event(who, "release", c, "released from hold", now));
    c.status = CertStatus::Valid;
    c.revocation.reset();
    return c;
}

}  // namespace pkilab
