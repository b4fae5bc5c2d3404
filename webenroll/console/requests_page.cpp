// GET /console/requests: the requests of the lab by state and CA, pending ones first in an
// officer's day, with Approve and Deny; POST .../approve and .../deny act through the pipeline
// (approve re-runs the rules and lint before signing) and send the officer back with a notice.
#include <algorithm>

#include "ca/errors.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/text.hpp"
#include "webenroll/console/console_page.hpp"
#include "webenroll/console/console_pages.hpp"
#include "webenroll/console/officer_forms.hpp"
#include "webenroll/pages/html.hpp"

namespace pkilab::web::console {

namespace {

using httplib::Response;

constexpr std::size_t kFetchLimit = 5000;
constexpr std::size_t kShown = 500;
constexpr std::size_t kMaxReasonBytes = 500;
constexpr const char* kStates[] = {"pending", "issued", "denied", "failed", "all"};

std::string state_filter(const httplib::Request& req) {
    const std::string state = text_param(req, "state", 16);
    if (state.empty()) return "pending";
    for (const char* s : kStates)
        if (state == s) return state;
    throw InputError("query", "state", "'" + printable(state) + "' is not a request state",
                     "use pending, issued, denied, failed or all");
}

std::string filter_form(const Lab& lab, const std::string& state, const std::string& ca) {
    std::string html = "<form method=\"get\" action=\"/console/requests\" class=\"filters\"><span class=\"pair\">"
                       "<label for=\"f-state\">State</label><select id=\"f-state\" name=\"state\" data-autosubmit>";
    for (const char* s : kStates)
        html += std::string("<option value=\"") + s + "\"" + (state == s ? " selected" : "") + ">" + s + "</option>";
    html += "</select></span><span class=\"pair\"><label for=\"f-ca\">CA</label><select id=\"f-ca\" name=\"ca\" data-autosubmit>"
            "<option value=\"\">every CA</option>";
    for (const auto& c : lab.cas())
        html += "<option value=\"" + html_escape(c.name()) + "\"" + (ca == c.name() ? " selected" : "") + ">" +
                html_escape(c.name()) + "</option>";
    return html + "</select></span><button type=\"submit\" class=\"secondary\">Show</button></form>";
}

std::string requester_text(const Requester& who) {
    std::string html = html_escape(who.identity);
    if (!who.role.empty()) html += " <span class=\"muted\">" + html_escape(who.role) + "</span>";
    if (!who.channel.empty()) html += " <span class=\"muted\">via " + html_escape(who.channel) + "</span>";
    return html;
}

void list(const WebServices& s, const WebRequest& r, Response& res) {
    const Lab& lab = s.lab;
    const std::string state = state_filter(r.http);
    const std::string ca = ca_filter(lab, text_param(r.http, "ca", 128), "ca");
    RequestQuery q;
    q.ca = ca;
    if (state != "all") q.state = parse_request_state(state);
    q.limit = kFetchLimit;
    std::vector<RequestRecord> requests = lab.store().list_requests(q);
    const bool fetch_cut = requests.size() >= kFetchLimit;
    std::stable_sort(requests.begin(), requests.end(), [](const RequestRecord& a, const RequestRecord& b) {
        return a.submitted_at != b.submitted_at ? a.submitted_at > b.submitted_at : a.id > b.id;
    });

    std::string body = action_notice(lab, r.http) + filter_form(lab, state, ca);
    const bool officer = shows_officer_actions(r.caller);
    if (requests.empty()) {
        body += "<p class=\"muted\">No " + (state == "all" ? std::string() : state + " ") + "requests" +
                (ca.empty() ? "" : " on " + html_escape(ca)) + ".</p>";
    } else {
        body += "<table><thead><tr><th>CA</th><th>Request</th><th>State</th><th>Template</th><th>Subject</th><th>Requester</th>"
                "<th>Submitted</th><th>Disposition</th>" + std::string(officer ? "<th>Actions</th>" : "") + "</tr></thead><tbody>";
        for (std::size_t i = 0; i < requests.size() && i < kShown; ++i) {
            const RequestRecord& x = requests[i];
            body += "<tr><td class=\"ca\">" + html_escape(x.ca) + "</td><td><a href=\"" + html_escape(request_url(x.ca, x.id)) + "\">#" +
                    std::to_string(x.id) + "</a></td><td>" + badge(to_string(x.state)) + "</td><td>" + html_escape(x.template_name) +
                    "</td><td class=\"wrap\">" + cell_text(x.subject, 200) + "</td><td>" + requester_text(x.requester) +
                    "</td><td>" + short_time_html(x.submitted_at) + "</td><td class=\"wrap\">" + cell_text(x.disposition) +
                    "</td>" + (officer ? "<td>" + request_action_forms(r.caller, x, ReturnTo::List) + "</td>" : std::string()) +
                    "</tr>";
        }
        body += "</tbody></table>";
        if (fetch_cut)  // the store answers by CA and id, so what a bounded query leaves out is the newest
            body += "<p class=\"warning\">More than " + std::to_string(kFetchLimit) +
                    " requests match and only the first were read: newer ones are missing here. Choose a state or a CA.</p>";
        else if (requests.size() > kShown)
            body += "<p class=\"muted\">Showing the newest " + std::to_string(kShown) + " of " + std::to_string(requests.size()) +
                    " requests: choose a state or a CA to see others.</p>";
    }
    send_console_page(res, r, Tab::Requests, "Requests", body);
}

void redirect_after(const WebRequest& r, Response& res, const std::string& ca, std::int64_t id, const std::string& done) {
    const bool story = r.http.has_param("from") && r.http.get_param_value("from") == "story";
    const std::string to = (story ? request_url(ca, id) : std::string("/console/requests")) + "?done=" + done + "&on=" + query_value(ca);
    res.status = 303;
    res.set_header("Location", to);
    set_page_headers(res);
}

void approve_action(const WebServices& s, const WebRequest& r, Response& res) {
    const CertificateAuthority& ca = path_ca(s.lab, r.params.at(0));
    const std::int64_t id = path_request_id(r.params.at(1));
    const IssuanceOutcome o = approve(s.lab.context(), ca.name(), id, console_requester(r.caller));
    redirect_after(r, res, ca.name(), id, done_code(o.state, false, id));
}

void deny_action(const WebServices& s, const WebRequest& r, Response& res) {
    const CertificateAuthority& ca = path_ca(s.lab, r.params.at(0));
    const std::int64_t id = path_request_id(r.params.at(1));
    std::string reason = text_param(r.http, "reason", kMaxReasonBytes);
    while (!reason.empty() && reason.back() == ' ') reason.pop_back();
    const IssuanceOutcome o = deny(s.lab.context(), ca.name(), id, console_requester(r.caller), reason);
    redirect_after(r, res, ca.name(), id, done_code(o.state, true, id));
}

}  // namespace

void add_requests_page(Router& router, WebServices& s) {
    router.add({"GET", "/console/requests", Access::Read, RouteStyle::Console, "Requests by state and CA",
                [&s](const WebRequest& r, Response& res) { list(s, r, res); }});
    router.add({"POST", "/console/requests/{ca}/{id}/approve", Access::Officer, RouteStyle::Console,
                "Approve a pending request (the rules and lint run again, then the CA signs)",
                [&s](const WebRequest& r, Response& res) { approve_action(s, r, res); }});
    router.add({"POST", "/console/requests/{ca}/{id}/deny", Access::Officer, RouteStyle::Console,
                "Deny a pending request (form field reason, for the requester)",
                [&s](const WebRequest& r, Response& res) { deny_action(s, r, res); }});
}

}  // namespace pkilab::web::console
