#include "ca/pipeline/issuance.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ca/finding_json.hpp"
#include "ca/lint/lint.hpp"
#include "ca/ossl/error.hpp"
#include "ca/pipeline/plugin_events.hpp"
#include "ca/pipeline/serial.hpp"
#include "ca/plugin/policy_host.hpp"
#include "ca/plugin/policy_request.hpp"
#include "ca/pipeline/tbs_builder.hpp"
#include "ca/pipeline/template_rules.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/name.hpp"
#include "ca/x509/pem.hpp"

namespace pkilab {

namespace {

constexpr int kSerialAttempts = 3;

// The outcome of the CA's rules for one request: every finding, and the certificate it
// would sign when nothing refused it.
struct Decision {
    Findings findings;
    Serial serial;
    ossl::X509Ptr tbs;
    std::vector<GeneralName> sans;  // the names written into the certificate
    bool pend = false;              // a policy plugin asked for a CA manager's approval
    Bytes tbs_der;                  // the draft's encoding, when plugins needed it already
    std::vector<std::string> unavailable;  // plugins that gave no answer, for the audit log
    std::string verdicts_json = "{}";      // the lab's plugins' verdicts, for the store
};

// The CA's chain, then the template's: the plugins this request must pass, in order.
std::vector<std::string> policy_chain(const CertificateAuthority& ca, const CertificateTemplate& tmpl) {
    std::vector<std::string> chain = ca.config().policy;
    for (const auto& p : tmpl.policy)
        if (std::find(chain.begin(), chain.end(), p) == chain.end()) chain.push_back(p);
    return chain;
}

// Policy plugins see the request and, when one was built, the exact certificate the CA would
// sign; their findings join the template's and lint's, so a refusal lists every reason.
void run_policy(const IssuanceContext& ctx, const CertificateAuthority& ca, const CertificateTemplate& tmpl,
                const ParsedCsr& csr, const Requester& who, std::uint32_t kind, Time now, Decision& d) {
    const std::vector<std::string> chain = ctx.policies != nullptr ? policy_chain(ca, tmpl) : std::vector<std::string>{};
    const bool extra = ctx.extra != nullptr && ctx.extra->host != nullptr && !ctx.extra->chain.empty();
    if (chain.empty() && !extra) return;
    PolicySubject subject;
    subject.kind = kind;
    subject.now = now;
    subject.ca_name = ca.name();
    subject.template_name = tmpl.name;
    subject.template_version = tmpl.version_string();
    subject.requester = who;
    subject.csr = &csr;
    subject.cert = d.tbs.get();
    if (d.tbs) {
        d.tbs_der = tbs_der(d.tbs.get(), ca);
        subject.draft_tbs = d.tbs_der;
    }
    subject.issuer_not_after = from_asn1_time(X509_get0_notAfter(ca.certificate()));
    const PolicyRequest request(subject);
    auto apply = [&](const PolicyHost& host, const std::vector<std::string>& names) {
        PolicyVerdict v = host.evaluate(names, request.view());
        d.findings.insert(d.findings.end(), v.findings.begin(), v.findings.end());
        d.pend = d.pend || v.pend;
        d.unavailable.insert(d.unavailable.end(), v.unavailable.begin(), v.unavailable.end());
        return v;
    };
    if (!chain.empty()) {
        nlohmann::json verdicts = nlohmann::json::object();
        for (const auto& [plugin, said] : apply(*ctx.policies, chain).verdicts) verdicts[plugin] = said;
        d.verdicts_json = verdicts.dump();
    }
    if (extra) apply(*ctx.extra->host, ctx.extra->chain);  // command-line profiles: not the lab's plugins
}

const CertificateAuthority* find_ca_or_null(const IssuanceContext& ctx, std::string_view name) {
    for (const auto& ca : ctx.cas)
        if (ca.name() == name) return &ca;
    return nullptr;
}

// The certificates of the CAs above `ca`, parent first: their constraints bind what it issues.
std::vector<const X509*> ancestors_of(const IssuanceContext& ctx, const CertificateAuthority& ca) {
    std::vector<const X509*> out;
    const CertificateAuthority* at = &ca;
    while (at->config().parent && out.size() < ctx.cas.size()) {
        at = find_ca_or_null(ctx, *at->config().parent);
        if (at == nullptr) break;
        out.push_back(at->certificate());
    }
    return out;
}

// A CA outside its own validity can issue nothing that verifies; saying so beats the
// validity arithmetic that would otherwise fail later with a puzzling message.
Findings ca_validity(const CertificateAuthority& ca, Time now) {
    const Time not_before = from_asn1_time(X509_get0_notBefore(ca.certificate()));
    const Time not_after = from_asn1_time(X509_get0_notAfter(ca.certificate()));
    Findings out;
    if (now >= not_after)
        out.push_back(Finding{"ca", "ca.expired", Severity::Error, "ca",
                              "CA " + ca.name() + "'s certificate expired at " + format_time(not_after) +
                                  " (the lab clock reads " + format_time(now) + ")",
                              "renew the CA, or move the lab clock back (`pkilab clock set now`)"});
    else if (now < not_before)
        out.push_back(Finding{"ca", "ca.not_yet_valid", Severity::Error, "ca",
                              "CA " + ca.name() + "'s certificate becomes valid only at " + format_time(not_before) +
                                  " (the lab clock reads " + format_time(now) + ")",
                              "move the lab clock forward (`pkilab clock set now`)"});
    return out;
}

Decision decide(const IssuanceContext& ctx, const CertificateAuthority& ca, const CertificateTemplate& tmpl,
                const ParsedCsr& csr, const Requester& who, Time now, std::uint32_t kind = PKILAB_KIND_ISSUANCE) {
    Decision d;
    d.findings = ca_validity(ca, now);
    if (has_errors(d.findings)) return d;
    d.findings = check_request_against_template(csr, tmpl);
    if (has_errors(d.findings)) {
        // No certificate to show them, but plugins still judge the request: every reason at once.
        run_policy(ctx, ca, tmpl, csr, who, kind, now, d);
        return d;
    }
    d.serial = random_serial();
    TbsCertificate tbs = build_tbs(ca, tmpl, csr, d.serial.integer.get(), now);
    d.findings.insert(d.findings.end(), tbs.notes.begin(), tbs.notes.end());
    const std::vector<const X509*> ancestors = ancestors_of(ctx, ca);
    Findings lint = run_lint(LintContext{tbs.cert.get(), ca.certificate(), ancestors});
    d.findings.insert(d.findings.end(), lint.begin(), lint.end());
    d.tbs = std::move(tbs.cert);
    if (tmpl.san_from_request_extension) d.sans = csr.sans;
    run_policy(ctx, ca, tmpl, csr, who, kind, now, d);
    return d;
}

std::string denial_message(const Findings& findings) {
    std::string msg = "Denied by policy:";
    for (const auto& f : findings)
        if (f.severity == Severity::Error) msg += " " + f.message + ";";
    msg.pop_back();
    return msg;
}

AuditEvent event(const std::string& actor, std::string action, const std::string& ca, std::string outcome,
                 std::string detail, Time at) {
    AuditEvent e;
    e.at = at;
    e.actor = actor;
    e.action = std::move(action);
    e.ca = ca;
    e.outcome = std::move(outcome);
    e.detail = std::move(detail);
    return e;
}

// A plugin that could not answer is a fault someone must look at, not only a refusal: each
// one gets an audit event of its own, next to the request's.
void audit_unavailable(const IssuanceContext& ctx, const Decision& d, const std::string& actor, const std::string& ca,
                       std::int64_t request_id, Time now) {
    for (const auto& why : d.unavailable) {
        AuditEvent e = event(actor, "policy-unavailable", ca, "failed", why, now);
        e.request_id = request_id;
        ctx.store.append_audit(e);
    }
}

const CertificateAuthority& choose_ca(const IssuanceContext& ctx, const std::string& requested,
                                      const CertificateTemplate& tmpl) {
    if (!requested.empty()) {
        const CertificateAuthority& ca = find_ca(ctx, requested);
        if (!ca.publishes(tmpl.name))
            throw InputError("request", "ca", "CA " + ca.name() + " does not issue template " + tmpl.name,
                             "choose a CA that publishes it, or add it to the CA's templates in the lab file");
        return ca;
    }
    // Like an AD CS enterprise, prefer an issuing CA over the root for end-entity work. A CA
    // certificate can only come from a CA whose path length leaves room below it.
    const CertificateAuthority* root = nullptr;
    const CertificateAuthority* no_room = nullptr;
    for (const auto& ca : ctx.cas) {
        if (!ca.publishes(tmpl.name)) continue;
        if (tmpl.is_ca && ca.config().path_length == 0) {
            if (no_room == nullptr) no_room = &ca;
            continue;
        }
        if (!ca.is_root()) return ca;
        if (root == nullptr) root = &ca;
    }
    if (root != nullptr) return *root;
    if (no_room != nullptr) return *no_room;  // lint will say why it cannot issue
    throw InputError("request", "template", "no CA in this lab issues template " + tmpl.name,
                     "add " + tmpl.name + " to a CA's templates in the lab file");
}

ParsedCsr parse_csr_audited(const IssuanceContext& ctx, ByteView csr, const Requester& who,
                            const std::string& ca, Time now) {
    try {
        return parse_certificate_request(csr);
    } catch (const InputError& e) {
        ctx.store.append_audit(event(who.identity, "submit", ca, "rejected", e.what(), now));
        throw;
    }
}

// The request as it will be stored, with what `d` decided about it.
NewRequest request_record(const CertificateAuthority& ca, const CertificateTemplate& tmpl, const Requester& who,
                          const ParsedCsr& csr, const Decision& d, Time now) {
    NewRequest r;
    r.ca = ca.name();
    r.template_name = tmpl.name;
    r.template_version = tmpl.version_string();
    r.requester = who;
    r.csr_der = csr.der;
    r.subject = csr.subject;
    r.findings_json = findings_to_json(d.findings);
    r.verdicts_json = d.verdicts_json;
    r.at = now;
    return r;
}

// Records the intent, signs, records the certificate: in that order, so that whatever is
// handed out is in the store, and whatever was signed can be traced even after a crash.
IssuanceTicket sign_and_record(const IssuanceContext& ctx, const CertificateAuthority& ca,
                                const CertificateTemplate& tmpl, Decision decision, NewRequest record,
                                std::optional<std::int64_t> existing_id, const std::string& actor) {
    X509* cert = decision.tbs.get();
    std::int64_t id = 0;
    for (int attempt = 1;; ++attempt) {
        try {
            id = ctx.store.record_intent(
                IssuanceIntent{ca.name(), existing_id, record, decision.serial.hex,
                               decision.tbs_der.empty() ? tbs_der(cert, ca) : decision.tbs_der, record.at});
            break;
        } catch (const SerialCollision&) {
            // 128 random bits make this practically impossible; a repeat means a broken RNG.
            if (attempt == kSerialAttempts) throw InternalError("serial number collided " + std::to_string(attempt) + " times");
            decision.serial = random_serial();
            decision.tbs_der.clear();  // encoded with the old serial
            ossl::check(X509_set_serialNumber(cert, decision.serial.integer.get()), "X509_set_serialNumber");
        }
    }

    ca.sign(cert);
    // The record's facts come from what was just built, not from re-parsing the certificate.
    CertificateRecord stored;
    stored.ca = ca.name();
    stored.serial = decision.serial.hex;
    stored.request_id = id;
    stored.subject = format_dn(X509_get_subject_name(cert));
    for (const auto& n : decision.sans) stored.sans.push_back(to_string(n));
    stored.template_name = tmpl.name;
    stored.not_before = from_asn1_time(X509_get0_notBefore(cert));
    stored.not_after = from_asn1_time(X509_get0_notAfter(cert));
    stored.issued_at = record.at;
    stored.der = certificate_der(cert);

    AuditEvent e = event(actor, "issue", ca.name(), "ok", "serial " + stored.serial, record.at);
    e.request_id = id;
    e.serial = stored.serial;
    std::future<void> durable = ctx.store.record_issued_async(stored, "Issued", e);

    IssuanceOutcome out;
    out.state = RequestState::Issued;
    out.ca = ca.name();
    out.request_id = id;
    out.disposition = "Issued";
    out.findings = std::move(decision.findings);
    out.certificate = IssuedCertificate{stored.serial, std::move(stored.der)};
    PluginEvent issued{PKILAB_EVENT_ISSUED, ca.name(), id, stored.serial, "Issued", record.at};
    return IssuanceTicket(std::move(out), std::move(durable),
                          [policies = ctx.policies, issued = std::move(issued)] { notify_plugins(policies, issued); });
}

IssuanceOutcome not_issued(std::string ca, std::int64_t id, RequestState state, std::string disposition,
                           Findings findings) {
    IssuanceOutcome out;
    out.state = state;
    out.ca = std::move(ca);
    out.request_id = id;
    out.disposition = std::move(disposition);
    out.findings = std::move(findings);
    return out;
}

// Re-runs the rules on a stored request and acts on the answer (approve and resubmit).
IssuanceOutcome redecide(const IssuanceContext& ctx, const RequestRecord& stored, const Requester& officer,
                         bool honour_pending) {
    const Time now = ctx.clock.now();
    const CertificateAuthority& ca = find_ca(ctx, stored.ca);
    const CertificateTemplate& tmpl = find_template(ctx, stored.template_name);
    const ParsedCsr csr = parse_certificate_request(stored.csr_der);
    Decision decision = decide(ctx, ca, tmpl, csr, stored.requester, now);
    auto set_state = [&](RequestState state, const std::string& disposition, const char* action) {
        AuditEvent e = event(officer.identity, action, ca.name(), to_string(state), disposition, now);
        e.request_id = stored.id;
        ctx.store.set_request_state(ca.name(), stored.id, state, disposition, findings_to_json(decision.findings),
                                    decision.verdicts_json, e);
        if (state == RequestState::Denied) audit_unavailable(ctx, decision, officer.identity, ca.name(), stored.id, now);
        notify_plugins(ctx.policies, {state == RequestState::Denied ? PKILAB_EVENT_DENIED : PKILAB_EVENT_PENDING, ca.name(),
                             stored.id, "", disposition, now});
        return not_issued(ca.name(), stored.id, state, disposition, decision.findings);
    };
    if (has_errors(decision.findings)) return set_state(RequestState::Denied, denial_message(decision.findings), "deny");
    if (honour_pending && (tmpl.pend_all_requests || decision.pend))
        return set_state(RequestState::Pending, "Taken Under Submission", "pend");
    NewRequest record = request_record(ca, tmpl, stored.requester, csr, decision, now);
    return sign_and_record(ctx, ca, tmpl, std::move(decision), std::move(record), stored.id, officer.identity).wait();
}

RequestRecord stored_request(const IssuanceContext& ctx, const std::string& ca, std::int64_t id) {
    auto r = ctx.store.find_request(ca, id);
    if (!r) throw NotFoundError("CA " + ca + " has no request " + std::to_string(id));
    return std::move(*r);
}

}  // namespace

const CertificateAuthority& find_ca(const IssuanceContext& ctx, std::string_view name) {
    for (const auto& ca : ctx.cas)
        if (ca.name() == name) return ca;
    std::string names;
    for (const auto& ca : ctx.cas) names += (names.empty() ? "" : ", ") + ca.name();
    throw NotFoundError("no CA named '" + std::string(name) + "' in this lab (CAs: " + names + ")");
}

const CertificateTemplate& find_template(const IssuanceContext& ctx, std::string_view name) {
    if (const CertificateTemplate* t = ctx.config.find_template(name)) return *t;
    std::string names;
    for (const auto& t : ctx.config.templates) names += (names.empty() ? "" : ", ") + t.name;
    throw NotFoundError("no template named '" + std::string(name) + "' (templates: " + names + ")");
}

IssuanceOutcome IssuanceTicket::wait() {
    if (durable_.valid()) durable_.get();
    if (on_durable_) on_durable_();
    return std::move(outcome_);
}

IssuanceOutcome submit(const IssuanceContext& ctx, const EnrollmentRequest& request) {
    return submit_pipelined(ctx, request).wait();
}

namespace {

// EDITF_ATTRIBUTESUBJECTALTNAME2, for labs that teach ESC6: the attribute's names stand in for
// the CSR's, outside anything the requester signed, and every rule then judges those.
Findings take_attribute_sans(ParsedCsr& csr, const std::vector<GeneralName>& attribute_sans) {
    if (attribute_sans.empty()) return {};
    csr.sans = attribute_sans;
    return {Finding{"request", "request.san_from_attribute", Severity::Warning, "attributes",
                    "the subject alternative names come from a request attribute, not from the signed CSR "
                    "(EDITF_ATTRIBUTESUBJECTALTNAME2, the ESC6 weakness: anyone who may enroll can name any host or user)",
                    "turn web.san_from_request_attributes off outside ESC6 training"}};
}

// submit() once the CA is chosen.
IssuanceTicket submit_to(const IssuanceContext& ctx, const EnrollmentRequest& request, const CertificateAuthority& ca,
                         const CertificateTemplate& tmpl, ParsedCsr& csr, Time now,
                         const std::vector<GeneralName>& attribute_sans = {}) {
    const Requester& who = request.requester;

    const Findings attribute_notes = take_attribute_sans(csr, attribute_sans);
    Decision decision = decide(ctx, ca, tmpl, csr, who, now);
    decision.findings.insert(decision.findings.begin(), attribute_notes.begin(), attribute_notes.end());
    if (!attribute_notes.empty() && (tmpl.pend_all_requests || decision.pend))
        decision.findings.push_back(
            Finding{"request", "request.san_from_attribute.pending", Severity::Error, "attributes",
                    "a request whose names come from a request attribute cannot wait for approval: the store keeps "
                    "the CSR only, so an approval would issue it without those names",
                    "use a template that issues without approval to show ESC6"});
    NewRequest record = request_record(ca, tmpl, who, csr, decision, now);

    if (has_errors(decision.findings)) {
        record.state = RequestState::Denied;
        record.disposition = denial_message(decision.findings);
        std::int64_t id = ctx.store.add_request(record, event(who.identity, "deny", ca.name(), "denied", record.disposition, now));
        audit_unavailable(ctx, decision, who.identity, ca.name(), id, now);
        notify_plugins(ctx.policies, {PKILAB_EVENT_DENIED, ca.name(), id, "", record.disposition, now});
        return IssuanceTicket(not_issued(ca.name(), id, RequestState::Denied, record.disposition, std::move(decision.findings)), {});
    }
    if (tmpl.pend_all_requests || decision.pend) {
        record.state = RequestState::Pending;
        record.disposition = "Taken Under Submission";
        std::int64_t id = ctx.store.add_request(
            record, event(who.identity, "pend", ca.name(), "pending",
                          tmpl.pend_all_requests ? "template requires CA manager approval"
                                                 : "a policy plugin asked for CA manager approval",
                          now));
        notify_plugins(ctx.policies, {PKILAB_EVENT_PENDING, ca.name(), id, "", record.disposition, now});
        return IssuanceTicket(not_issued(ca.name(), id, RequestState::Pending, record.disposition, std::move(decision.findings)), {});
    }
    return sign_and_record(ctx, ca, tmpl, std::move(decision), std::move(record), std::nullopt, who.identity);
}

}  // namespace

IssuanceTicket submit_pipelined(const IssuanceContext& ctx, const EnrollmentRequest& request) {
    const Time now = ctx.clock.now();
    ParsedCsr csr = parse_csr_audited(ctx, request.csr, request.requester, request.ca, now);
    const CertificateTemplate& tmpl = find_template(ctx, request.template_name);
    return submit_to(ctx, request, choose_ca(ctx, request.ca, tmpl), tmpl, csr, now);
}

IssuanceOutcome submit_with_attribute_sans(const IssuanceContext& ctx, const EnrollmentRequest& request,
                                           const std::vector<GeneralName>& attribute_sans) {
    const Time now = ctx.clock.now();
    ParsedCsr csr = parse_csr_audited(ctx, request.csr, request.requester, request.ca, now);
    const CertificateTemplate& tmpl = find_template(ctx, request.template_name);
    return submit_to(ctx, request, choose_ca(ctx, request.ca, tmpl), tmpl, csr, now, attribute_sans).wait();
}

IssuanceOutcome submit_for_ca_infrastructure(const IssuanceContext& ctx, const EnrollmentRequest& request) {
    const Time now = ctx.clock.now();
    ParsedCsr csr = parse_csr_audited(ctx, request.csr, request.requester, request.ca, now);
    const CertificateTemplate& tmpl = find_template(ctx, request.template_name);
    return submit_to(ctx, request, find_ca(ctx, request.ca), tmpl, csr, now).wait();
}

Evaluation evaluate(const IssuanceContext& ctx, const EnrollmentRequest& request) {
    const ParsedCsr csr = parse_certificate_request(request.csr);
    const CertificateTemplate& tmpl = find_template(ctx, request.template_name);
    const CertificateAuthority& ca = choose_ca(ctx, request.ca, tmpl);
    Decision decision = decide(ctx, ca, tmpl, csr, request.requester, ctx.clock.now(), PKILAB_KIND_PREFLIGHT);
    Evaluation out{ca.name(), tmpl.name, std::move(decision.findings), tmpl.pend_all_requests || decision.pend, {}};
    if (decision.tbs) out.tbs_der = decision.tbs_der.empty() ? tbs_der(decision.tbs.get(), ca) : decision.tbs_der;
    return out;
}

namespace {

// An officer action the request's state does not allow: audited as refused, then thrown.
[[noreturn]] void refuse_action(const IssuanceContext& ctx, const Requester& officer, const char* action,
                                const std::string& ca, std::int64_t request_id, const std::string& why) {
    AuditEvent e = event(officer.identity, action, ca, "refused", why, ctx.clock.now());
    e.request_id = request_id;
    ctx.store.append_audit(e);
    throw ConflictError(why);
}

}  // namespace

IssuanceOutcome approve(const IssuanceContext& ctx, const std::string& ca, std::int64_t request_id,
                        const Requester& officer) {
    const RequestRecord stored = stored_request(ctx, ca, request_id);
    if (stored.state != RequestState::Pending)
        refuse_action(ctx, officer, "approve", ca, request_id,
                      "request " + std::to_string(request_id) + " on CA " + ca + " is " + to_string(stored.state) +
                          "; only pending requests can be approved");
    return redecide(ctx, stored, officer, false);
}

IssuanceOutcome resubmit(const IssuanceContext& ctx, const std::string& ca, std::int64_t request_id,
                         const Requester& officer) {
    const RequestRecord stored = stored_request(ctx, ca, request_id);
    if (stored.state == RequestState::Issued)
        refuse_action(ctx, officer, "resubmit", ca, request_id,
                      "request " + std::to_string(request_id) + " on CA " + ca + " is already issued (serial " +
                          stored.serial + ")");
    // An officer resubmitting a pending request issues it, as in AD CS; a denied or failed
    // one goes through the whole policy again, pending included.
    return redecide(ctx, stored, officer, stored.state != RequestState::Pending);
}

IssuanceOutcome deny(const IssuanceContext& ctx, const std::string& ca, std::int64_t request_id,
                     const Requester& officer, const std::string& reason) {
    const RequestRecord stored = stored_request(ctx, ca, request_id);
    if (stored.state != RequestState::Pending)
        refuse_action(ctx, officer, "deny", ca, request_id,
                      "request " + std::to_string(request_id) + " on CA " + ca + " is " + to_string(stored.state) +
                          "; only pending requests can be denied");
    const Time now = ctx.clock.now();
    const std::string disposition =
        "Denied by " + officer.identity + (reason.empty() ? std::string() : ": " + reason);
    AuditEvent e = event(officer.identity, "deny", ca, "denied", disposition, now);
    e.request_id = request_id;
    ctx.store.set_request_state(ca, request_id, RequestState::Denied, disposition, stored.findings_json,
                                stored.verdicts_json, e);
    notify_plugins(ctx.policies, {PKILAB_EVENT_DENIED, ca, request_id, "", disposition, now});
    return not_issued(ca, request_id, RequestState::Denied, disposition, findings_from_json(stored.findings_json));
}

}  // namespace pkilab
