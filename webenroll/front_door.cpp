#include "webenroll/front_door.hpp"

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include "ca/bytes.hpp"
#include "ca/errors.hpp"
#include "webenroll/api/problem.hpp"
#include "webenroll/pages/html.hpp"

namespace pkilab::web {

namespace {

using SteadyClock = std::chrono::steady_clock;

// A refused password or token costs this many requests of the client's budget: guessing is
// throttled well before ordinary use is.
constexpr double kBadCredentialsCost = 10.0;

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// "scheme://host[:port]" of an absolute URL (Origin or Referer), lower-cased scheme and host.
std::string origin_of(std::string_view url) {
    const size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return {};
    size_t host_end = url.find_first_of("/?#", scheme_end + 3);
    if (host_end == std::string_view::npos) host_end = url.size();
    std::string o(url.substr(0, host_end));
    for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool has_client_certificate(const httplib::Request& req) {
    return req.ssl != nullptr && SSL_get0_peer_certificate(req.ssl) != nullptr;
}

void log_failure(const std::string& what) {
    const std::string line = "pkilab serve: " + what + "\n";
    const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
    (void)n;
}

}  // namespace

std::string cookie_value(const httplib::Request& req, std::string_view name) {
    const size_t count = req.get_header_value_count("Cookie");
    for (size_t i = 0; i < count; ++i) {
        const std::string header = req.get_header_value("Cookie", i);
        std::string_view rest(header);
        while (!rest.empty()) {
            size_t end = rest.find(';');
            std::string_view pair = trim(rest.substr(0, end));
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
            const size_t eq = pair.find('=');
            if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name) return std::string(trim(pair.substr(eq + 1)));
        }
    }
    return {};
}

bool carries_credentials(const httplib::Request& req) {
    return req.has_header("Authorization") || (req.has_header("Cookie") && !cookie_value(req, kSessionCookie).empty());
}

FrontDoor::FrontDoor(const Router& router, const Accounts& accounts, Sessions& sessions, RateLimiter& limiter,
                     std::string https_base, const ClientCertificates* certificates)
    : router_(router), accounts_(accounts), sessions_(sessions), limiter_(limiter), https_base_(std::move(https_base)),
      certificates_(certificates) {}

Caller FrontDoor::identify(const httplib::Request& req, bool& bad, std::string* why) const {
    Caller caller;
    caller.address = req.remote_addr;
    bad = false;
    if (req.has_header("Authorization")) {
        const std::string value = req.get_header_value("Authorization");
        std::optional<Account> account;
        if (starts_with_nocase(value, "Basic ")) {
            try {
                const Bytes decoded = base64_decode(trim(std::string_view(value).substr(6)), "Authorization");
                const std::string_view pair = as_chars(decoded);
                const size_t colon = pair.find(':');
                if (colon != std::string_view::npos)
                    account = accounts_.check_password(pair.substr(0, colon), pair.substr(colon + 1));
            } catch (const InputError&) {
                // not base64: bad credentials like any other
            }
            caller.method = AuthMethod::Basic;
        } else if (starts_with_nocase(value, "Bearer ")) {
            account = accounts_.check_token(trim(std::string_view(value).substr(7)));
            caller.method = AuthMethod::Bearer;
        }
        if (!account) {
            bad = true;
            if (why) *why = "the user name and password, or the token, are not those of a user of this lab";
            caller.method = AuthMethod::None;
            return caller;
        }
        caller.name = account->name;
        caller.role = account->role;
        return caller;
    }
    if (const std::string id = cookie_value(req, kSessionCookie); !id.empty()) {
        if (auto s = sessions_.find(id, SteadyClock::now())) {
            caller.name = s->account.name;
            caller.role = s->account.role;
            caller.method = AuthMethod::Session;
            caller.session_id = s->id;
            caller.csrf_token = s->csrf;
        }
        // An expired session is not an attack: the caller is anonymous and is asked to log in.
        return caller;
    }
    if (certificates_ && has_client_certificate(req)) {
        const auto result = certificates_->identify(req.ssl);
        if (!result.account) {
            bad = true;
            if (why) *why = "the TLS client certificate logs nobody in: " + result.problem;
            return caller;
        }
        caller.name = result.account->name;
        caller.role = result.account->role;
        caller.method = AuthMethod::ClientCertificate;
    }
    return caller;
}

bool FrontDoor::cross_origin(const httplib::Request& req) const {
    // Fetch metadata first (every current browser sends it): only same-origin requests and
    // those a person started from the address bar may change anything. "same-site" is refused
    // too: another port on 127.0.0.1 is the same site.
    if (req.has_header("Sec-Fetch-Site")) {
        const std::string site = lower(req.get_header_value("Sec-Fetch-Site"));
        if (site != "same-origin" && site != "none") return true;
    }
    const std::string expected = "https://" + lower(req.get_header_value("Host"));
    if (req.has_header("Origin")) return origin_of(req.get_header_value("Origin")) != expected;
    if (req.has_header("Referer")) return origin_of(req.get_header_value("Referer")) != expected;
    return false;  // no browser: a script, which CSRF cannot drive
}

void FrontDoor::refuse(const httplib::Request& req, httplib::Response& res, const Route& route, int status,
                       const std::string& tag, const std::string& title, const std::string& detail) const {
    if (status == 401) {
        // Basic for certsrv clients and scripts; Bearer too where tokens are taken.
        res.set_header("WWW-Authenticate", "Basic realm=\"pkilab\", charset=\"UTF-8\"");
        if (route.style == RouteStyle::Api) res.set_header("WWW-Authenticate", "Bearer realm=\"pkilab\"");
        if (route.style == RouteStyle::Console && (req.method == "GET" || req.method == "HEAD")) {
            // People at the console are sent to the login form, and back here afterwards.
            res.status = 303;
            res.set_header("Location", "/login?next=" + httplib::detail::encode_query_param(req.path));
            set_page_headers(res);
            return;
        }
    }
    if (route.style == RouteStyle::Api) {
        send_problem(res, status, tag, title, detail);
        return;
    }
    if (route.style == RouteStyle::Text) {
        res.status = status;
        res.set_content(title + ": " + detail + "\n", "text/plain; charset=utf-8");
        return;
    }
    Caller none;
    send_page(res, status, {title, "<p class=\"error\">" + html_escape(detail) + "</p>", "", &none});
}

bool FrontDoor::handle(const httplib::Request& req, httplib::Response& res, bool tls) const {
    const auto path = canonical_path(req.path);
    if (!path) {
        send_problem(res, 400, "bad-path", "Bad request path",
                     "the path has empty, '.' or '..' segments, a backslash or control characters");
        return true;
    }
    RouteMatch m = router_.match(req.method, *path);
    if (!m.route) {
        if (!m.other_method) return false;
        res.set_header("Allow", m.allowed);
        send_problem(res, 405, "method-not-allowed", "Method not allowed", req.method + " " + *path + "; allowed: " + m.allowed);
        return true;
    }
    const Route& route = *m.route;

    if (!tls && carries_credentials(req)) {
        refuse(req, res, route, 403, "credentials-over-http", "Credentials over plain HTTP",
               "this server takes passwords, tokens and session cookies over HTTPS only" +
                   (https_base_.empty() ? std::string() : ": use " + https_base_ + *path) +
                   "; change the password or token that was just sent in clear");
        return true;
    }
    if (!tls && (route.access != Access::Public || route.https_only)) {
        if (!https_base_.empty() && (req.method == "GET" || req.method == "HEAD")) {
            res.status = 308;
            res.set_header("Location", https_base_ + *path);
            return true;
        }
        refuse(req, res, route, 403, "https-required", "HTTPS required",
               "this page is served over HTTPS only" + (https_base_.empty() ? std::string() : ": " + https_base_ + *path));
        return true;
    }

    const auto now = SteadyClock::now();
    if (route.access != Access::Public) {
        if (const auto wait = limiter_.take(req.remote_addr, now)) {
            res.set_header("Retry-After", std::to_string(wait));
            refuse(req, res, route, 429, "rate-limited", "Too many requests",
                   "this address sent more requests than the lab's web.rate_limit_per_minute; retry in " +
                       std::to_string(wait) + " s");
            return true;
        }
    }

    bool bad = false;
    std::string why;
    Caller caller = route.access == Access::Public && !carries_credentials(req) ? Caller{} : identify(req, bad, &why);
    caller.address = req.remote_addr;
    if (bad) {
        limiter_.take(req.remote_addr, now, kBadCredentialsCost);
        log_failure("refused credentials from " + req.remote_addr + " for " + req.method + " " + *path + ": " + why);
        refuse(req, res, route, 401, "bad-credentials", "Wrong credentials", why);
        return true;
    }
    if (!role_allows(caller.role, route.access)) {
        if (caller.anonymous()) {
            refuse(req, res, route, 401, "authentication-required", "Authentication required",
                   "log in, or send HTTP Basic credentials or a bearer token");
        } else {
            refuse(req, res, route, 403, "forbidden", "Not allowed",
                   "user " + caller.name + " (" + to_string(*caller.role) + ") may not " + req.method + " " + *path +
                       ": it needs " + to_string(route.access) + " access");
        }
        return true;
    }
    if (route.changes_state()) {
        if (cross_origin(req)) {
            refuse(req, res, route, 403, "cross-origin", "Cross-origin request refused",
                   "a state-changing request must come from this server's own pages (Origin " +
                       (req.has_header("Origin") ? req.get_header_value("Origin") : std::string("absent")) + ")");
            return true;
        }
        if (caller.method == AuthMethod::Session) {
            std::string token = req.get_header_value("X-CSRF-Token");
            if (token.empty()) token = req.get_param_value("csrf_token");
            if (token.empty() && req.has_file("csrf_token")) token = req.get_file_value("csrf_token").content;
            if (token.size() != caller.csrf_token.size() ||
                CRYPTO_memcmp(token.data(), caller.csrf_token.data(), token.size()) != 0) {
                refuse(req, res, route, 403, "csrf", "Missing or wrong CSRF token",
                       "reload the page and submit the form again");
                return true;
            }
        }
    }

    WebRequest web{req, caller, std::move(m.params), "https://" + req.get_header_value("Host")};
    try {
        route.handler(web, res);
    } catch (const InputError& e) {
        refuse(req, res, route, 400, "bad-input", "Bad request", e.what());
    } catch (const NotFoundError& e) {
        refuse(req, res, route, 404, "not-found", "Not found", e.what());
    } catch (const ConflictError& e) {
        refuse(req, res, route, 409, "conflict", "Conflict", e.what());
    } catch (const std::exception& e) {
        // The details (paths, SQLite or OpenSSL messages) go to the server's log, not to the client.
        log_failure(req.method + " " + *path + " failed: " + e.what());
        refuse(req, res, route, 500, "internal", "Internal error",
               "the server could not answer this request; its log (pkilab serve's standard error) says why");
    }
    return true;
}

}  // namespace pkilab::web
