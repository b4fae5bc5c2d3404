// The landing page, the log-in form and log-out, and the static files.
#include <chrono>

#include "ca/clock.hpp"
#include "webenroll/pages/html.hpp"
#include "webenroll/pages/static_files.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::web {

namespace {

using httplib::Response;
using SteadyClock = std::chrono::steady_clock;

constexpr double kFailedLoginCost = 10.0;  // as the front door charges for bad credentials

// Only a path of this server: "/console/requests", not "//evil.example" or "https://...".
std::string safe_next(const std::string& next) {
    if (next.size() < 1 || next.size() > 512 || next.front() != '/' || (next.size() > 1 && next[1] == '/') ||
        next.find('\\') != std::string::npos || next.find_first_of("\r\n") != std::string::npos)
        return "/console/";
    return next;
}

std::string login_form(const std::string& next, const std::string& user, const std::string& error) {
    std::string html;
    if (!error.empty()) html += "<p class=\"error\" role=\"alert\">" + html_escape(error) + "</p>";
    html += "<form method=\"post\" action=\"/login\" class=\"card narrow\">"
            "<input type=\"hidden\" name=\"next\" value=\"" + html_escape(next) + "\">"
            "<label for=\"username\">User name</label><input type=\"text\" id=\"username\" name=\"username\" "
            "autocomplete=\"username\" required autofocus value=\"" + html_escape(user) + "\">"
            "<label for=\"password\">Password</label><input type=\"password\" id=\"password\" name=\"password\" "
            "autocomplete=\"current-password\" required>"
            "<p><button type=\"submit\">Log in</button></p></form>"
            "<p class=\"muted\">Users and roles come from the lab file's <code>web.users</code>; when it names no "
            "administrator, <code>pkilab serve</code> prints the one it set up.</p>";
    return html;
}

void audit_login(const Lab& lab, const std::string& user, const std::string& address, bool ok) {
    AuditEvent e;
    e.at = lab.clock().now();
    e.actor = user.empty() ? std::string("anonymous") : user;
    e.action = "web-login";
    e.outcome = ok ? "ok" : "denied";
    e.detail = "from " + address;
    lab.store().append_audit(e);
}

void landing(const WebServices& s, const WebRequest& r, Response& res) {
    std::string body = "<p>The lab <strong>" + html_escape(s.lab.config().name) + "</strong>, served by pkilab.</p>";
    body += "<div class=\"cards\">"
            "<div class=\"card\"><h2><a href=\"/certsrv/\">Web enrollment</a></h2><p>Request a certificate from a CSR, "
            "download certificates, the CA certificate and its chain, the CRLs (AD CS certsrv).</p></div>"
            "<div class=\"card\"><h2><a href=\"/console/\">Console</a></h2><p>Pending requests, issued certificates, "
            "revocation, CRL freshness and the audit log, for officers, auditors and administrators.</p></div>"
            "<div class=\"card\"><h2><a href=\"/api/v1/openapi.json\">REST API</a></h2><p>The same over JSON, with "
            "HTTP Basic or a bearer token: <code>/api/v1/</code>.</p></div></div>";
    body += "<h2>Certification authorities</h2><table><tr><th>CA</th><th>Subject</th><th>Certificate</th></tr>";
    for (const auto& ca : s.lab.cas())
        body += "<tr><td>" + html_escape(ca.name()) + "</td><td>" + html_escape(ca.config().subject) +
                "</td><td><a href=\"/api/v1/cas/" + html_escape(ca.name()) + "/certificate?format=pem\">PEM</a></td></tr>";
    body += "</table><p class=\"muted\">CRLs, CA certificates and OCSP are also served over plain HTTP at " +
            html_escape(s.http_base) + ", at the paths the certificates name.</p>";
    send_page(res, 200, {"pkilab", body, "", &r.caller});
}

}  // namespace

void add_site_routes(Router& router, WebServices& s) {
    router.add({"GET", "/", Access::Public, RouteStyle::Page, "The landing page",
                [&s](const WebRequest& r, Response& res) { landing(s, r, res); }, false, true});
    router.add({"GET", "/login", Access::Public, RouteStyle::Page, "The log-in form",
                [](const WebRequest& r, Response& res) {
                    send_page(res, 200, {"Log in", login_form(safe_next(r.http.get_param_value("next")), "", ""), "", &r.caller});
                },
                false, true});
    router.add({"POST", "/login", Access::Public, RouteStyle::Page, "Log in (opens a session cookie)",
                [&s](const WebRequest& r, Response& res) {
                    const std::string user = r.http.get_param_value("username");
                    const std::string next = safe_next(r.http.get_param_value("next"));
                    const auto account = s.accounts.check_password(user, r.http.get_param_value("password"));
                    audit_login(s.lab, user, r.caller.address, account.has_value());
                    if (!account) {
                        s.limiter.take(r.caller.address, SteadyClock::now(), kFailedLoginCost);
                        send_page(res, 401, {"Log in", login_form(next, user, "Wrong user name or password."), "", &r.caller});
                        return;
                    }
                    const Session session = s.sessions.open(*account, SteadyClock::now());
                    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + session.id +
                                                     "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
                                                     std::to_string(std::chrono::seconds(Sessions::kLifetime).count()));
                    res.status = 303;
                    res.set_header("Location", next);
                    set_page_headers(res);
                },
                false, true});
    router.add({"POST", "/logout", Access::Authenticated, RouteStyle::Page, "Log out (ends the session)",
                [&s](const WebRequest& r, Response& res) {
                    if (r.caller.method == AuthMethod::Session) s.sessions.close(r.caller.session_id);
                    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
                    res.status = 303;
                    res.set_header("Location", "/");
                    set_page_headers(res);
                }});
    auto asset = [](std::string_view content, const char* type) {
        return [content, type](const WebRequest&, Response& res) {
            res.set_header("Cache-Control", "max-age=300");
            res.set_header("X-Content-Type-Options", "nosniff");
            res.set_content(content.data(), content.size(), type);
        };
    };
    router.add({"GET", "/static/pkilab.css", Access::Public, RouteStyle::Page, "The pages' style sheet",
                asset(kStyleSheet, "text/css; charset=utf-8")});
    router.add({"GET", "/static/pkilab.js", Access::Public, RouteStyle::Page, "The pages' script",
                asset(kScript, "text/javascript; charset=utf-8")});
}

}  // namespace pkilab::web
