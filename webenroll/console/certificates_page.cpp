// GET /console/certificates: find certificates (subject or SAN containing a text, or an exact
// serial; by status, template and CA), with Revoke, Hold and Release for officers. The POSTs
// change the status through the pipeline, publish what crl.publish_on_revoke says at once, and
// show which CRLs went out and why any did not.
#include <algorithm>
#include <map>

#include "ca/errors.hpp"
#include "ca/pipeline/revocation.hpp"
#include "ca/text.hpp"
#include "crl/crl_publisher.hpp"
#include "webenroll/console/console_page.hpp"
#include "webenroll/console/console_pages.hpp"
#include "webenroll/console/officer_forms.hpp"
#include "webenroll/pages/html.hpp"

namespace pkilab::web::console {

namespace {

using httplib::Response;

constexpr std::size_t kFetchLimit = 2000;  // per query (a search runs up to three)
constexpr std::size_t kShown = 500;
constexpr std::size_t kMaxSansShown = 3;
constexpr auto kExpiringSoon = std::chrono::days{30};
constexpr const char* kStatuses[] = {"any", "valid", "expiring", "expired", "revoked", "on-hold"};

std::string status_filter(const httplib::Request& req) {
    const std::string status = text_param(req, "status", 16);
    if (status.empty()) return "any";
    for (const char* s : kStatuses)
        if (status == s) return status;
    throw InputError("query", "status", "'" + printable(status) + "' is not a certificate status",
                     "use any, valid, expiring (within 30 days), expired, revoked or on-hold");
}

std::string template_filter(const Lab& lab, const httplib::Request& req) {
    const std::string name = text_param(req, "template", 128);
    if (name.empty()) return {};
    if (const CertificateTemplate* t = lab.config().find_template(name)) return t->name;
    throw InputError("query", "template", "names no template of this lab: '" + printable(name.substr(0, 64)) + "'",
                     "pick a template from the list");
}

struct Search {
    std::string q, status, template_name, ca;
};

std::vector<CertificateRecord> find(const Lab& lab, const Search& s, Time now, bool& cut) {
    CertificateQuery base;
    base.ca = s.ca;
    base.template_name = s.template_name;
    base.limit = kFetchLimit;
    if (s.status == "revoked") base.status = CertStatus::Revoked;
    if (s.status == "on-hold") base.status = CertStatus::OnHold;
    if (s.status == "valid" || s.status == "expired" || s.status == "expiring") base.status = CertStatus::Valid;
    if (s.status == "expired") base.expiring_before = now;
    if (s.status == "expiring") base.expiring_before = now + kExpiringSoon;

    std::vector<CertificateQuery> queries;
    if (s.q.empty()) {
        queries.push_back(base);
    } else {
        CertificateQuery by_subject = base, by_san = base;
        by_subject.subject_contains = s.q;
        by_san.san_contains = s.q;
        queries.push_back(by_subject);
        queries.push_back(by_san);
        try {
            CertificateQuery by_serial = base;
            by_serial.serial = normalize_serial(s.q);
            queries.push_back(by_serial);
        } catch (const InputError&) {
            // not a serial: the text is searched in names only
        }
    }
    std::map<std::pair<std::string, std::string>, CertificateRecord> found;
    cut = false;
    for (const auto& q : queries) {
        auto rows = lab.store().search_certificates(q);
        cut = cut || rows.size() >= kFetchLimit;
        for (auto& c : rows) found.emplace(std::make_pair(c.ca, c.serial), std::move(c));
    }
    std::vector<CertificateRecord> out;
    for (auto& [key, c] : found) {
        const std::string status = effective_status(c, now);
        if (s.status == "valid" && status != "valid") continue;
        if (s.status == "expiring" && c.not_after < now) continue;
        out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end(), [](const CertificateRecord& a, const CertificateRecord& b) {
        return a.issued_at != b.issued_at ? a.issued_at > b.issued_at : a.serial < b.serial;
    });
    return out;
}

std::string search_form(const Lab& lab, const Search& s) {
    std::string html = "<form method=\"get\" action=\"/console/certificates\" class=\"filters\">"
                       "<span class=\"pair\"><label for=\"f-q\">Subject, SAN or serial</label><input type=\"search\" id=\"f-q\" "
                       "name=\"q\" maxlength=\"256\" value=\"" + html_escape(s.q) + "\" placeholder=\"www.lab.test\"></span>"
                       "<span class=\"pair\"><label for=\"f-status\">Status</label><select id=\"f-status\" name=\"status\" "
                       "data-autosubmit>";
    for (const char* st : kStatuses)
        html += std::string("<option value=\"") + st + "\"" + (s.status == st ? " selected" : "") + ">" +
                (std::string(st) == "expiring" ? "expiring in 30 days" : st) + "</option>";
    html += "</select></span><span class=\"pair\"><label for=\"f-template\">Template</label><select id=\"f-template\" "
            "name=\"template\" data-autosubmit><option value=\"\">any template</option>";
    for (const auto& t : lab.config().templates)
        html += "<option value=\"" + html_escape(t.name) + "\"" + (s.template_name == t.name ? " selected" : "") + ">" +
                html_escape(t.name) + "</option>";
    html += "</select></span><span class=\"pair\"><label for=\"f-ca\">CA</label><select id=\"f-ca\" name=\"ca\" data-autosubmit>"
            "<option value=\"\">every CA</option>";
    for (const auto& c : lab.cas())
        html += "<option value=\"" + html_escape(c.name()) + "\"" + (s.ca == c.name() ? " selected" : "") + ">" +
                html_escape(c.name()) + "</option>";
    return html + "</select></span><button type=\"submit\">Search</button></form>";
}

std::string sans_cell(const std::vector<std::string>& sans) {
    std::string html;
    for (std::size_t i = 0; i < sans.size() && i < kMaxSansShown; ++i) html += "<code>" + cell_text(sans[i], 120) + "</code><br>";
    if (sans.size() > kMaxSansShown) html += "<span class=\"muted\">and " + std::to_string(sans.size() - kMaxSansShown) + " more</span>";
    return html;
}

void list(const WebServices& s, const WebRequest& r, Response& res) {
    const Lab& lab = s.lab;
    const Time now = lab.clock().now();
    Search search{text_param(r.http, "q", 256), status_filter(r.http), template_filter(lab, r.http),
                  ca_filter(lab, text_param(r.http, "ca", 128), "ca")};
    while (!search.q.empty() && search.q.back() == ' ') search.q.pop_back();
    while (!search.q.empty() && search.q.front() == ' ') search.q.erase(0, 1);
    bool cut = false;
    const std::vector<CertificateRecord> certs = find(lab, search, now, cut);
    const bool officer = shows_officer_actions(r.caller);

    std::string body = search_form(lab, search);
    if (certs.empty()) {
        body += "<p class=\"muted\">No certificate matches.</p>";
    } else {
        body += "<table><thead><tr><th>Serial</th><th>Subject</th><th>SANs</th><th>Template</th><th>CA</th><th>Not after</th>"
                "<th>Status</th>" + std::string(officer ? "<th>Actions</th>" : "") + "</tr></thead><tbody>";
        for (std::size_t i = 0; i < certs.size() && i < kShown; ++i) {
            const CertificateRecord& c = certs[i];
            body += "<tr><td class=\"mono\"><a href=\"" + html_escape(certificate_url(c.ca, c.serial)) + "\">" +
                    short_serial_html(c.serial) + "</a></td><td class=\"wrap\">" + cell_text(c.subject, 200) + "</td><td class=\"wrap\">" +
                    sans_cell(c.sans) + "</td><td>" + html_escape(c.template_name) + "</td><td class=\"ca\">" + html_escape(c.ca) +
                    "</td><td>" + date_html(c.not_after) + "</td><td>" + badge(effective_status(c, now)) + "</td>" +
                    (officer ? "<td>" + certificate_action_forms(r.caller, c, true) + "</td>" : std::string()) + "</tr>";
        }
        body += "</tbody></table>";
        if (cut)  // the store answers oldest first, so what a bounded query leaves out is the newest
            body += "<p class=\"warning\">More than " + std::to_string(kFetchLimit) +
                    " certificates match and only the oldest were read: newer ones are missing here. Narrow the search.</p>";
        else if (certs.size() > kShown)
            body += "<p class=\"muted\">Showing the " + std::to_string(kShown) + " newest of " + std::to_string(certs.size()) +
                    " matches: narrow the search to see others.</p>";
    }
    send_console_page(res, r, Tab::Certificates, "Certificates", body);
}

// Which CRLs the change put out at once, or why it did not, or that the lab waits for the schedule.
std::string publication_report(const CertificateAuthority& ca, const std::vector<crl::Attempt>& attempts) {
    std::string html = "<h2>CRLs</h2>";
    if (attempts.empty())
        return html + "<p class=\"notice\">The lab's <code>crl.publish_on_revoke</code> for " + html_escape(ca.name()) +
               " is <code>nothing</code>: CRL clients see this change with the next scheduled CRL.</p>";
    html += "<table><thead><tr><th>CRL</th><th>Result</th><th>Served at</th></tr></thead><tbody>";
    for (const auto& a : attempts) {
        const auto& urls = a.kind == CrlKind::Base ? ca.urls().cdp : ca.urls().freshest_crl;
        html += "<tr><td>" + std::string(to_string(a.kind)) + "</td><td>";
        if (a.published) {
            const CrlRecord& c = a.published->record;
            html += badge("ok", "published") + " number " + std::to_string(c.number) + ", " + std::to_string(c.entries) +
                    (c.entries == 1 ? " entry" : " entries") + ", thisUpdate " + time_html(c.this_update) + ", nextUpdate " +
                    time_html(c.next_update);
        } else {
            html += badge("failed", "not published") + " <span class=\"wrap\">" + html_escape(a.error) +
                    "</span><br><span class=\"muted\">The status change is recorded; the previous CRL stays in place "
                    "until a publication succeeds.</span>";
        }
        html += "</td><td>";
        for (const auto& u : urls) html += "<code>" + html_escape(u) + "</code><br>";
        html += "</td></tr>";
    }
    return html + "</tbody></table>";
}

enum class Change { Revoke, Hold, Release };

void change_status(const WebServices& s, const WebRequest& r, Response& res, Change change) {
    const Lab& lab = s.lab;
    const CertificateAuthority& ca = path_ca(lab, r.params.at(0));
    const std::string serial = normalize_serial(r.params.at(1));
    const Requester who = console_requester(r.caller);
    CertificateRecord after;
    std::string verb;
    if (change == Change::Revoke) {
        const std::string reason_text = text_param(r.http, "reason", 40);
        const RevocationReason reason = reason_text.empty() ? RevocationReason::Unspecified
                                                            : parse_revocation_reason(reason_text, "form");
        if (reason == RevocationReason::CertificateHold)
            throw InputError("form", "reason", "certificateHold puts a certificate on hold; it is not a revocation",
                             "use the Hold button");
        after = revoke(lab.context(), serial, reason, who, std::nullopt, ca.name());
        verb = std::string("revoked (") + to_string(reason) + ")";
    } else if (change == Change::Hold) {
        after = hold(lab.context(), serial, who, ca.name());
        verb = "put on hold";
    } else {
        after = release(lab.context(), serial, who, ca.name());
        verb = "released from hold";
    }
    // As the CLI does: the change is durable first, then the CRLs that show it go out.
    const auto attempts = crl::publish_after_status_change(lab, ca.name(), r.caller.name);

    std::string body = "<p class=\"notice\" role=\"status\">Certificate <a class=\"mono\" href=\"" +
                       html_escape(certificate_url(after.ca, after.serial)) + "\">" + html_escape(after.serial) + "</a> (" +
                       html_escape(after.subject) + ") on " + html_escape(after.ca) + " was " + html_escape(verb) + ".</p>";
    body += publication_report(ca, attempts);
    body += "<p><a href=\"" + html_escape(certificate_url(after.ca, after.serial)) + "\">The certificate</a> &middot; "
            "<a href=\"/console/certificates\">All certificates</a></p>";
    std::string title = change == Change::Revoke ? "Certificate revoked" : change == Change::Hold ? "Certificate on hold"
                                                                                                : "Certificate released";
    send_console_page(res, r, Tab::Certificates, title, body);
}

}  // namespace

void add_certificates_page(Router& router, WebServices& s) {
    router.add({"GET", "/console/certificates", Access::Read, RouteStyle::Console,
                "Search certificates: subject or SAN contains q, or exact serial; status, template, CA",
                [&s](const WebRequest& r, Response& res) { list(s, r, res); }});
    router.add({"POST", "/console/certificates/{ca}/{serial}/revoke", Access::Officer, RouteStyle::Console,
                "Revoke a certificate (form field reason: an RFC 5280 reason) and publish CRLs",
                [&s](const WebRequest& r, Response& res) { change_status(s, r, res, Change::Revoke); }});
    router.add({"POST", "/console/certificates/{ca}/{serial}/hold", Access::Officer, RouteStyle::Console,
                "Put a certificate on hold (certificateHold) and publish CRLs",
                [&s](const WebRequest& r, Response& res) { change_status(s, r, res, Change::Hold); }});
    router.add({"POST", "/console/certificates/{ca}/{serial}/release", Access::Officer, RouteStyle::Console,
                "Release a certificate from hold and publish CRLs",
                [&s](const WebRequest& r, Response& res) { change_status(s, r, res, Change::Release); }});
}

}  // namespace pkilab::web::console
