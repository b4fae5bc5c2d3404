#pragma once
// The table of pages and API routes `pkilab serve` answers besides the published CRL/AIA files
// and OCSP: each route names its method, its path pattern, the access it demands and how its
// errors are written. The front door (front_door.hpp) checks the access before the handler
// runs; handlers never check roles themselves, except the template enroll lists.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>

#include "webenroll/auth/caller.hpp"

namespace pkilab::web {

// How a route's errors (401, 403, 404, 429, a failure in the handler) are written.
enum class RouteStyle {
    Page,     // HTML, and 401 with an HTTP Basic challenge (certsrv, whose clients log in that way)
    Console,  // HTML, and an anonymous GET sent to the login form
    Api,      // application/problem+json (RFC 9457)
    Text,     // text/plain, and 401 with an HTTP Basic challenge (EST, SCEP, CMP: machine clients
              // that show a body as it is)
};

struct WebRequest {
    const httplib::Request& http;
    const Caller& caller;
    std::vector<std::string> params;  // the {name} segments of the pattern, in order, percent-decoded
    std::string origin;               // "https://HOST:PORT" as the client addressed us (from Host)
};

using RouteHandler = std::function<void(const WebRequest&, httplib::Response&)>;

struct Route {
    std::string method;   // GET (answers HEAD too), POST, PUT, DELETE
    std::string pattern;  // "/api/v1/requests/{ca}/{id}"; a {name} is one non-empty segment
    Access access = Access::Admin;
    RouteStyle style = RouteStyle::Api;
    std::string summary;  // one line, for the OpenAPI document and `pkilab serve --routes`
    RouteHandler handler;
    bool case_insensitive = false;  // certsrv's paths, as IIS answers them in any case
    bool https_only = false;        // a Public route that takes a password (the login form) or links to those that do
    // State-changing routes that accept no session cookie need no CSRF token (the API with
    // Basic or a bearer token); the Origin check applies to every one of them.
    bool changes_state() const { return method != "GET"; }
};

struct RouteMatch {
    const Route* route = nullptr;   // null: no route for this method and path
    bool other_method = false;      // the path exists with another method (405)
    std::vector<std::string> params;
    std::string allowed;            // for 405's Allow header
};

class Router {
public:
    void add(Route route);
    RouteMatch match(std::string_view method, std::string_view path) const;
    const std::vector<Route>& routes() const { return routes_; }

private:
    std::vector<Route> routes_;
};

// The path a route is matched against: httplib's decoded path, refused (nullopt) when it holds
// what only a traversal or smuggling attempt would write (".", ".." or empty segments, a
// backslash, control characters); one trailing slash is dropped ("/certsrv/" is "/certsrv").
std::optional<std::string> canonical_path(std::string_view decoded);

}  // namespace pkilab::web
