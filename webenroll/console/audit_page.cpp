// GET /console/audit?after=&limit=: the audit trail, newest first, a window of `limit` events
// at a time. `after` is the store's own cursor (events with ids above it), so every page is
// one indexed read however long the trail grows; without it, the newest events.
#include <algorithm>
#include <limits>

#include "webenroll/console/audit_log.hpp"
#include "webenroll/console/console_page.hpp"
#include "webenroll/console/console_pages.hpp"
#include "webenroll/pages/html.hpp"

namespace pkilab::web::console {

namespace {

using httplib::Response;

constexpr std::int64_t kDefaultLimit = 50;
constexpr std::int64_t kMaxLimit = 500;

std::string page_link(const char* label, std::int64_t after, std::int64_t limit) {
    return "<a href=\"/console/audit?after=" + std::to_string(after) + "&amp;limit=" + std::to_string(limit) + "\">" + label + "</a>";
}

void audit(const WebServices& s, const WebRequest& r, Response& res) {
    const Store& store = s.lab.store();
    const std::int64_t limit = number_param(r.http, "limit", 1, kMaxLimit).value_or(kDefaultLimit);
    const std::int64_t newest = newest_audit_id(store);
    const auto asked = number_param(r.http, "after", 0, std::numeric_limits<std::int64_t>::max() - kMaxLimit);
    const std::int64_t after = asked ? *asked : std::max<std::int64_t>(0, newest - limit);
    const std::vector<AuditEvent> events = audit_window(store, static_cast<std::size_t>(limit), after);

    std::string pager = "<p class=\"pager\">";
    if (after + limit < newest)
        pager += "<a href=\"/console/audit?limit=" + std::to_string(limit) + "\">&laquo; Newest</a> " +
                 page_link("&lsaquo; Newer", std::min(after + limit, newest - limit), limit) + " ";
    pager += "<span class=\"muted\">";
    if (events.empty())
        pager += "no events here";
    else
        pager += "events " + std::to_string(events.back().id) + " to " + std::to_string(events.front().id);
    pager += " of " + std::to_string(newest) + "</span>";
    if (after > 0)
        pager += " " + page_link("Older &rsaquo;", std::max<std::int64_t>(0, after - limit), limit) + " " +
                 page_link("Oldest &raquo;", 0, limit);
    pager += "</p>";

    std::string body = "<p class=\"muted\">Every submission, decision, issuance, revocation, CRL publication and log-in, "
                       "as the store recorded it (append-only).</p>" +
                       pager + audit_table(events) + pager;
    send_console_page(res, r, Tab::Audit, "Audit log", body);
}

}  // namespace

void add_audit_page(Router& router, WebServices& s) {
    router.add({"GET", "/console/audit", Access::Read, RouteStyle::Console, "The audit log, newest first (after, limit)",
                [&s](const WebRequest& r, Response& res) { audit(s, r, res); }});
}

}  // namespace pkilab::web::console
