// GET /console: the lab at a glance. Each CA with its certificate's remaining life and the
// freshness of its CRLs, what waits for an officer, and the latest audit events.
#include <algorithm>
#include <array>

#include "ca/x509/certificate_info.hpp"
#include "crl/crl_schedule.hpp"
#include "webenroll/console/audit_log.hpp"
#include "webenroll/console/console_page.hpp"
#include "webenroll/console/console_pages.hpp"
#include "webenroll/pages/html.hpp"

namespace pkilab::web::console {

namespace {

using httplib::Response;

// Counting means listing (the store has no COUNT): bounded, and shown as "5000+" past it.
constexpr std::size_t kCountLimit = 5000;
constexpr std::size_t kLatestEvents = 12;
constexpr std::int64_t kCaWarningDays = 90;
constexpr auto kExpiringSoon = std::chrono::days{30};

enum Metric : std::size_t { kPending, kIssued, kRevoked, kOnHold, kExpiring, kMetrics };

struct Counts {
    std::array<std::size_t, kMetrics> n{};
    std::array<bool, kMetrics> cut{};  // a bounded query stopped at kCountLimit

    void set(std::size_t metric, std::size_t count) {
        n[metric] = count;
        cut[metric] = count >= kCountLimit;
    }
    void add(const Counts& o) {
        for (std::size_t i = 0; i < kMetrics; ++i) {
            n[i] += o.n[i];
            cut[i] = cut[i] || o.cut[i];
        }
    }
    std::string text(std::size_t metric) const { return std::to_string(n[metric]) + (cut[metric] ? "+" : ""); }
};

std::size_t count_certificates(const Store& store, CertificateQuery q) {
    q.limit = kCountLimit;
    return store.search_certificates(q).size();
}

Counts counts_of(const Store& store, const std::string& ca, Time now) {
    Counts c;
    c.set(kPending, store.list_requests(RequestQuery{ca, RequestState::Pending, kCountLimit}).size());
    CertificateQuery q;
    q.ca = ca;
    c.set(kIssued, count_certificates(store, q));
    q.status = CertStatus::Revoked;
    c.set(kRevoked, count_certificates(store, q));
    q.status = CertStatus::OnHold;
    c.set(kOnHold, count_certificates(store, q));
    q.status = CertStatus::Valid;
    q.expiring_before = now + kExpiringSoon;
    q.limit = kCountLimit;
    const auto soon = store.search_certificates(q);
    c.set(kExpiring, static_cast<std::size_t>(std::count_if(soon.begin(), soon.end(), [&](const CertificateRecord& x) {
              return x.not_after >= now;  // not those already expired
          })));
    c.cut[kExpiring] = soon.size() >= kCountLimit;
    return c;
}

// "3d4h ahead of the real time", for a lab whose clock training moved.
std::string offset_text(Duration offset) {
    const bool back = offset.count() < 0;
    return format_duration(back ? -offset : offset) + (back ? " behind" : " ahead of");
}

std::string crl_cell(const Store& store, const std::string& ca, CrlKind kind, Time now) {
    const auto latest = store.latest_crl(ca, kind);
    const crl::Freshness f = crl::freshness(latest, now);
    std::string html = badge(crl::to_string(f));
    if (latest)
        html += " <span class=\"muted\">#" + std::to_string(latest->number) + ", " + std::to_string(latest->entries) +
                (latest->entries == 1 ? " entry" : " entries") + "</span><br><span class=\"small\">thisUpdate&nbsp;" +
                short_time_html(latest->this_update) + "<br>nextUpdate&nbsp;" + short_time_html(latest->next_update) + "</span>";
    else
        html += " <span class=\"muted\">never published</span>";
    return html;
}

std::string validity_cell(Time not_after, Time now) {
    const std::int64_t days = days_until(not_after, now);
    std::string html = short_time_html(not_after) + "<br>";
    if (days < 0) return html + badge("expired", "expired " + std::to_string(-days) + " days ago");
    const std::string left = std::to_string(days) + (days == 1 ? " day left" : " days left");
    return html + (days < kCaWarningDays ? badge("soon", left) : "<span class=\"muted\">" + left + "</span>");
}

// Where each count's figure links: the list it counts. `filter` is "" or "ca=NAME" (encoded).
std::string metric_link(std::size_t metric, const std::string& filter) {
    static constexpr const char* kLinks[kMetrics] = {
        "/console/requests?state=pending", "/console/certificates?status=any", "/console/certificates?status=revoked",
        "/console/certificates?status=on-hold", "/console/certificates?status=expiring"};
    return std::string(kLinks[metric]) + (filter.empty() ? "" : "&amp;" + filter);
}

std::string stat_card(const std::string& label, const std::string& value, const std::string& href) {
    return "<a class=\"card stat-card\" href=\"" + href + "\"><span class=\"stat\">" + value + "</span><span class=\"muted\">" +
           label + "</span></a>";
}

void dashboard(const WebServices& s, const WebRequest& r, Response& res) {
    const Lab& lab = s.lab;
    const Time now = lab.clock().now();
    std::string body = "<p class=\"muted\">Lab <strong>" + html_escape(lab.config().name) + "</strong>. Lab clock " +
                       time_html(now);
    if (lab.clock_offset().count() != 0) body += " (" + html_escape(offset_text(lab.clock_offset())) + " the real time)";
    body += ".</p>";

    Counts total;
    std::string cas = "<table><thead><tr><th>CA</th><th>Subject</th><th>Parent</th><th>Certificate valid until</th>"
                      "<th>Base CRL</th><th>Delta CRL</th></tr></thead><tbody>";
    std::string by_ca = "<table><thead><tr><th>CA</th><th class=\"num\">Pending</th><th class=\"num\">Issued</th>"
                        "<th class=\"num\">Revoked</th><th class=\"num\">On hold</th><th class=\"num\">Expiring in 30 days</th>"
                        "</tr></thead><tbody>";
    for (const auto& ca : lab.cas()) {
        const CertificateInfo info = describe_certificate(ca.certificate());
        const std::string name = html_escape(ca.name());
        cas += "<tr><td class=\"ca\"><strong>" + name + "</strong></td><td class=\"wrap\">" + html_escape(info.subject) + "</td><td class=\"ca\">" +
               (ca.config().parent ? html_escape(*ca.config().parent) : std::string("<span class=\"muted\">root</span>")) +
               "</td><td>" + validity_cell(info.not_after, now) + "</td><td>" +
               crl_cell(lab.store(), ca.name(), CrlKind::Base, now) + "</td><td>" +
               (ca.config().crl.deltas() ? crl_cell(lab.store(), ca.name(), CrlKind::Delta, now)
                                         : std::string("<span class=\"muted\">no delta CRLs</span>")) +
               "</td></tr>";
        const Counts c = counts_of(lab.store(), ca.name(), now);
        total.add(c);
        const std::string q = "ca=" + query_value(ca.name());
        by_ca += "<tr><td class=\"ca\">" + name + "</td>";
        for (std::size_t m = 0; m < kMetrics; ++m)
            by_ca += "<td class=\"num\"><a href=\"" + metric_link(m, q) + "\">" + c.text(m) + "</a></td>";
        by_ca += "</tr>";
    }
    cas += "</tbody></table>";
    by_ca += "</tbody></table>";

    body += "<div class=\"cards stats\">" +
            stat_card("pending requests", total.text(kPending), metric_link(kPending, "")) +
            stat_card("certificates issued", total.text(kIssued), metric_link(kIssued, "")) +
            stat_card("revoked", total.text(kRevoked), metric_link(kRevoked, "")) +
            stat_card("on hold", total.text(kOnHold), metric_link(kOnHold, "")) +
            stat_card("expiring within 30 days", total.text(kExpiring), metric_link(kExpiring, "")) + "</div>";
    body += "<h2>Certification authorities</h2>" + cas;
    body += "<h2>Requests and certificates by CA</h2>" + by_ca;
    if (total.n[kPending] > 0 && shows_officer_actions(r.caller))
        body += "<p class=\"notice\">" + total.text(kPending) + (total.n[kPending] == 1 ? " request waits" : " requests wait") +
                " for an officer: <a href=\"/console/requests?state=pending\">review them</a>.</p>";

    const std::int64_t newest = newest_audit_id(lab.store());
    body += "<h2>Latest audit events</h2>" +
            audit_table(audit_window(lab.store(), kLatestEvents, newest - static_cast<std::int64_t>(kLatestEvents))) +
            "<p><a href=\"/console/audit\">The whole audit log</a></p>";
    send_console_page(res, r, Tab::Dashboard, "Console", body);
}

}  // namespace

void add_dashboard_page(Router& router, WebServices& s) {
    router.add({"GET", "/console", Access::Read, RouteStyle::Console, "The console: CAs, CRL freshness, counts, latest audit events",
                [&s](const WebRequest& r, Response& res) { dashboard(s, r, res); }});
}

}  // namespace pkilab::web::console
