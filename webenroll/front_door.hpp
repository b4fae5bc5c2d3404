#pragma once
// Every request for a page or an API route passes here before its handler: the path made
// canonical, the route found, the transport checked (no credentials over plain HTTP), the rate
// limit, the credentials (HTTP Basic, a bearer token, a session cookie), the route's access,
// and for state-changing requests the Origin and the session's CSRF token.
#include <string>

#include <httplib.h>

#include "webenroll/auth/accounts.hpp"
#include "webenroll/auth/client_certificates.hpp"
#include "webenroll/auth/rate_limiter.hpp"
#include "webenroll/auth/sessions.hpp"
#include "webenroll/router.hpp"

namespace pkilab::web {

inline constexpr const char* kSessionCookie = "pkilab_session";

class FrontDoor {
public:
    // `https_base`: "https://127.0.0.1:8443", where plain-HTTP page requests are sent; empty
    // when the server has no HTTPS listener. All must outlive the front door.
    // `certificates`: TLS client certificate log-in, null when no user may log in that way.
    FrontDoor(const Router& router, const Accounts& accounts, Sessions& sessions, RateLimiter& limiter,
              std::string https_base, const ClientCertificates* certificates = nullptr);

    // True when the request was for a route (answered, or refused); false when no route has
    // that path, for the caller to answer.
    bool handle(const httplib::Request& req, httplib::Response& res, bool tls) const;

    // The caller a request's credentials name (anonymous when it has none): an Authorization
    // header, else a session cookie, else the connection's TLS client certificate. Sets `bad`
    // (and `why`) when it carries credentials that do not check out.
    Caller identify(const httplib::Request& req, bool& bad, std::string* why = nullptr) const;

private:
    void refuse(const httplib::Request& req, httplib::Response& res, const Route& route, int status,
                const std::string& tag, const std::string& title, const std::string& detail) const;
    bool cross_origin(const httplib::Request& req) const;

    const Router& router_;
    const Accounts& accounts_;
    Sessions& sessions_;
    RateLimiter& limiter_;
    std::string https_base_;
    const ClientCertificates* certificates_;
};

// An Authorization header or a session cookie: what plain HTTP must never carry.
bool carries_credentials(const httplib::Request& req);

// The value of cookie `name` in the request's Cookie headers, or empty.
std::string cookie_value(const httplib::Request& req, std::string_view name);

}  // namespace pkilab::web
