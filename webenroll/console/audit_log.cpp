#include "webenroll/console/audit_log.hpp"

#include <algorithm>
#include <limits>
#include <optional>

#include "webenroll/console/console_page.hpp"
#include "webenroll/pages/html.hpp"

namespace pkilab::web::console {

namespace {

constexpr std::size_t kRequestAuditChunk = 500;

std::optional<std::int64_t> first_id_after(const Store& store, std::int64_t id) {
    const auto events = store.list_audit(1, id);
    if (events.empty()) return std::nullopt;
    return events.front().id;
}

}  // namespace

std::int64_t newest_audit_id(const Store& store) {
    // Ids only grow but may have gaps (a rolled-back write), so probe "is there anything after
    // X" rather than assume the count: gallop past the end, then halve the gap.
    const auto first = first_id_after(store, 0);
    if (!first) return 0;
    std::int64_t known = *first;  // an id that exists
    std::int64_t beyond = std::numeric_limits<std::int64_t>::max();  // nothing after it
    for (std::int64_t step = 1024;; step *= 2) {
        if (step > (std::numeric_limits<std::int64_t>::max() - known) / 2) break;
        const std::int64_t probe = known + step;
        const auto next = first_id_after(store, probe);
        if (!next) {
            beyond = probe;
            break;
        }
        known = *next;
    }
    while (known < beyond) {
        const std::int64_t mid = known + (beyond - known) / 2;
        if (const auto next = first_id_after(store, mid)) known = *next;
        else beyond = mid;
    }
    return known;
}

std::vector<AuditEvent> audit_window(const Store& store, std::size_t limit, std::int64_t after) {
    std::vector<AuditEvent> events = store.list_audit(limit, std::max<std::int64_t>(after, 0));
    std::reverse(events.begin(), events.end());
    return events;
}

RequestAudit audit_of_request(const Store& store, const std::string& ca, std::int64_t id, std::size_t max_searched) {
    RequestAudit out;
    std::int64_t end = newest_audit_id(store);
    while (end > 0 && out.searched < max_searched) {
        const std::size_t span = std::min(kRequestAuditChunk, max_searched - out.searched);
        const std::int64_t after = std::max<std::int64_t>(0, end - static_cast<std::int64_t>(span));
        for (auto& e : store.list_audit(static_cast<std::size_t>(end - after), after))
            if (e.ca == ca && e.request_id == id) out.events.push_back(std::move(e));
        out.searched += static_cast<std::size_t>(end - after);
        end = after;
    }
    out.cut = end > 0;
    std::sort(out.events.begin(), out.events.end(), [](const AuditEvent& a, const AuditEvent& b) { return a.id > b.id; });
    return out;
}

std::string audit_table(const std::vector<AuditEvent>& events) {
    if (events.empty()) return "<p class=\"muted\">No audit events.</p>";
    std::string html = "<table class=\"audit\"><thead><tr><th>#</th><th>Time</th><th>Actor</th><th>Action</th><th>CA</th>"
                       "<th>Request</th><th>Serial</th><th>Outcome</th><th>Detail</th></tr></thead><tbody>";
    for (const auto& e : events) {
        html += "<tr><td class=\"num\">" + std::to_string(e.id) + "</td><td>" + time_html(e.at) +
                "</td><td>" + html_escape(e.actor) + "</td><td><code>" + html_escape(e.action) + "</code></td><td class=\"ca\">" +
                html_escape(e.ca) + "</td><td>";
        if (e.request_id && !e.ca.empty())
            html += "<a href=\"" + html_escape(request_url(e.ca, *e.request_id)) + "\">#" + std::to_string(*e.request_id) + "</a>";
        else if (e.request_id)
            html += "#" + std::to_string(*e.request_id);
        html += "</td><td class=\"mono wrap\">";
        if (!e.serial.empty() && !e.ca.empty())
            html += "<a href=\"" + html_escape(certificate_url(e.ca, e.serial)) + "\">" + short_serial_html(e.serial) + "</a>";
        else
            html += cell_text(e.serial, 48);
        html += "</td><td>" + (e.outcome.empty() ? std::string() : badge(e.outcome)) + "</td><td class=\"detail\">" +
                cell_text(e.detail) + "</td></tr>";
    }
    return html + "</tbody></table>";
}

}  // namespace pkilab::web::console
