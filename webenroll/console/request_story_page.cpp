// GET /console/requests/{ca}/{id}: one request's whole story. Who asked, for what, what every
// rule and plugin said about it, what the CA did, and the audit events that recorded each step.
#include <nlohmann/json.hpp>

#include "ca/errors.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"
#include "webenroll/console/audit_log.hpp"
#include "webenroll/console/console_page.hpp"
#include "webenroll/console/console_pages.hpp"
#include "webenroll/console/officer_forms.hpp"
#include "webenroll/pages/html.hpp"

namespace pkilab::web::console {

namespace {

using httplib::Response;
using nlohmann::json;

// The store has no per-request audit query: this many of the newest events are searched.
constexpr std::size_t kAuditSearched = 20000;
constexpr std::size_t kMaxFindingsShown = 200;

// A member of a stored JSON object as text, whatever it holds; "" when absent.
std::string member(const json& j, const char* key) {
    if (!j.is_object() || !j.contains(key)) return {};
    const json& v = j.at(key);
    return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string severity_badge(const std::string& severity) {
    if (severity == "error" || severity == "warning" || severity == "info") return badge("sev-" + severity, severity);
    return badge("", severity.empty() ? "?" : severity);
}

std::string verdict_badge(const std::string& verdict) {
    if (verdict == "allow") return badge("ok", verdict);
    if (verdict == "deny") return badge("denied", verdict);
    if (verdict == "pend") return badge("pending", verdict);
    if (verdict == "failed") return badge("failed", verdict);
    return badge("", verdict);
}

std::string findings_section(const std::string& findings_json) {
    std::string html = "<h2>Findings</h2>";
    const json parsed = json::parse(findings_json.empty() ? std::string("[]") : findings_json, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_array())
        return html + "<p class=\"error\">The stored findings are not a JSON array; shown as stored:</p><pre>" +
               cell_text(findings_json, 4000) + "</pre>";
    if (parsed.empty()) return html + "<p class=\"muted\">No rule, lint check or plugin had anything to say.</p>";
    html += "<table><thead><tr><th>Severity</th><th>Source</th><th>Rule</th><th>Field</th><th>Message</th><th>Hint</th>"
            "</tr></thead><tbody>";
    std::size_t shown = 0;
    for (const json& f : parsed) {
        if (++shown > kMaxFindingsShown) break;
        html += "<tr><td>" + severity_badge(member(f, "severity")) + "</td><td>" + cell_text(member(f, "source"), 100) +
                "</td><td><code>" + cell_text(member(f, "code"), 120) + "</code></td><td><code>" + cell_text(member(f, "field"), 120) +
                "</code></td><td class=\"wrap\">" + cell_text(member(f, "message"), 1000) + "</td><td class=\"wrap\">" +
                cell_text(member(f, "hint"), 1000) + "</td></tr>";
    }
    html += "</tbody></table>";
    if (parsed.size() > kMaxFindingsShown)
        html += "<p class=\"muted\">" + std::to_string(parsed.size() - kMaxFindingsShown) + " more findings are not shown.</p>";
    return html;
}

std::string verdicts_section(const std::string& verdicts_json) {
    std::string html = "<h2>Policy plugins</h2>";
    const json parsed = json::parse(verdicts_json.empty() ? std::string("{}") : verdicts_json, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object())
        return html + "<p class=\"error\">The stored verdicts are not a JSON object; shown as stored:</p><pre>" +
               cell_text(verdicts_json, 4000) + "</pre>";
    if (parsed.empty()) return html + "<p class=\"muted\">No policy plugin decided on this request.</p>";
    html += "<table><thead><tr><th>Plugin</th><th>Verdict</th></tr></thead><tbody>";
    for (const auto& [name, verdict] : parsed.items()) {
        const std::string v = verdict.is_string() ? verdict.get<std::string>() : verdict.dump();
        html += "<tr><td>" + cell_text(name, 100) + "</td><td>" + verdict_badge(v) + "</td></tr>";
    }
    return html + "</tbody></table>";
}

std::string csr_section(const RequestRecord& x) {
    std::string html = "<h2>Certificate request</h2>";
    if (x.csr_der.empty()) return html + "<p class=\"muted\">No CSR is stored with this request.</p>";
    try {
        const ParsedCsr csr = parse_certificate_request(x.csr_der);
        html += "<dl class=\"facts\"><dt>Subject</dt><dd>" + html_escape(csr.subject) + "</dd><dt>Key</dt><dd>" +
                html_escape(csr.key.description) + "</dd><dt>Signature</dt><dd>" + html_escape(csr.signature_algorithm) +
                "</dd><dt>Subject alternative names</dt><dd>";
        if (csr.sans.empty()) html += "<span class=\"muted\">none</span>";
        for (const auto& n : csr.sans) html += "<code>" + html_escape(to_string(n)) + "</code> ";
        html += "</dd><dt>Requested extensions</dt><dd>";
        if (csr.extensions.empty()) html += "<span class=\"muted\">none</span>";
        for (const auto& e : csr.extensions)
            html += "<code>" + html_escape(e.name) + "</code>" + (e.critical ? " (critical)" : "") + " ";
        html += "</dd>";
        if (csr.requests_ca) html += "<dt>Asks to be a CA</dt><dd>" + badge("sev-warning", "basicConstraints cA=TRUE") + "</dd>";
        // The challenge password is a secret of the requester's: only that there is one.
        if (!csr.challenge_password.empty()) html += "<dt>Challenge password</dt><dd>present (not shown)</dd>";
        html += "</dl>";
    } catch (const InputError& e) {
        html += "<p class=\"error\">The stored CSR does not parse: " + html_escape(e.what()) + "</p>";
    }
    return html + "<details><summary>PEM</summary><pre>" + html_escape(pem_encode("CERTIFICATE REQUEST", x.csr_der)) +
           "</pre></details>";
}

std::string audit_section(const Store& store, const RequestRecord& x) {
    const RequestAudit a = audit_of_request(store, x.ca, x.id, kAuditSearched);
    std::string html = "<h2>Audit events</h2>" + audit_table(a.events);
    if (a.cut)
        html += "<p class=\"muted\">Only the newest " + std::to_string(a.searched) +
                " events of the audit log were searched; older events of this request may exist: "
                "<a href=\"/console/audit?after=0\">read the log from its start</a>.</p>";
    return html;
}

void story(const WebServices& s, const WebRequest& r, Response& res) {
    const Lab& lab = s.lab;
    const CertificateAuthority& ca = path_ca(lab, r.params.at(0));
    const std::int64_t id = path_request_id(r.params.at(1));
    const auto found = lab.store().find_request(ca.name(), id);
    if (!found) throw NotFoundError("CA " + ca.name() + " has no request " + std::to_string(id));
    const RequestRecord& x = *found;

    std::string body = action_notice(lab, r.http);
    body += "<dl class=\"facts\"><dt>State</dt><dd>" + badge(to_string(x.state)) + "</dd><dt>Disposition</dt><dd class=\"wrap\">" +
            html_escape(x.disposition) + "</dd><dt>Subject</dt><dd class=\"wrap\">" + html_escape(x.subject) +
            "</dd><dt>Template</dt><dd><a href=\"/console/templates#t-" + html_escape(x.template_name) + "\">" +
            html_escape(x.template_name) + "</a> <span class=\"muted\">v" + html_escape(x.template_version) +
            "</span></dd><dt>Requester</dt><dd>" + html_escape(x.requester.identity) + " <span class=\"muted\">role</span> " +
            (x.requester.role.empty() ? std::string("<span class=\"muted\">unknown</span>") : html_escape(x.requester.role)) +
            " <span class=\"muted\">via</span> " + html_escape(x.requester.channel) + "</dd><dt>Submitted</dt><dd>" +
            time_html(x.submitted_at) + "</dd>";
    if (x.resolved_at) body += "<dt>Resolved</dt><dd>" + time_html(*x.resolved_at) + "</dd>";
    if (!x.serial.empty()) {
        const auto cert = lab.store().find_certificate(x.ca, x.serial);
        body += "<dt>Certificate</dt><dd><a class=\"mono\" href=\"" + html_escape(certificate_url(x.ca, x.serial)) + "\">" +
                html_escape(x.serial) + "</a>" +
                (cert ? " " + badge(effective_status(*cert, lab.clock().now())) : std::string()) + "</dd>";
    }
    body += "</dl>" + request_action_forms(r.caller, x, ReturnTo::Story);
    body += findings_section(x.findings_json);
    body += verdicts_section(x.verdicts_json);
    body += csr_section(x);
    body += audit_section(lab.store(), x);
    body += "<p><a href=\"/console/requests?state=all&amp;ca=" + query_value(x.ca) + "\">All requests on " + html_escape(x.ca) + "</a></p>";
    send_console_page(res, r, Tab::Requests, "Request " + std::to_string(x.id) + " on " + x.ca, body);
}

}  // namespace

void add_request_story_page(Router& router, WebServices& s) {
    router.add({"GET", "/console/requests/{ca}/{id}", Access::Read, RouteStyle::Console,
                "One request: subject, requester, CSR, findings, plugin verdicts, certificate, audit events",
                [&s](const WebRequest& r, Response& res) { story(s, r, res); }});
}

}  // namespace pkilab::web::console
