// A hostile HTTPS request through the front door (webenroll/front_door.hpp) of a router like the
// server's: the path, the method, every header (Authorization, Cookie, Origin, Sec-Fetch-Site,
// Host...) and the body come from the input. The handlers read the body with the REST API's
// JSON reader and a form field, as the real ones do.
//
// Input: "METHOD\nPATH\nHeader: value\n...\n\nBODY"; a first byte 'h' sends it over plain HTTP.
//
// Properties, on every input:
//  - no crash, no exception out of handle(), a status from 200 to 599;
//  - a handler runs only for a caller its route admits (anonymous only on public routes, a
//    token of the wrong role never), and never over plain HTTP for a non-public route;
//  - a request carrying credentials over plain HTTP is never handled;
//  - a state-changing request with a foreign Origin is never handled.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_support.hpp"
#include "webenroll/api/json_body.hpp"
#include "webenroll/front_door.hpp"

namespace {

using namespace pkilab;
using namespace pkilab::web;

struct World {
    Router router;
    Accounts accounts{users(), std::nullopt};
    Sessions sessions;
    RateLimiter limiter{0};
    FrontDoor front{router, accounts, sessions, limiter, "https://127.0.0.1:8443"};
    // What the last handler saw.
    bool ran = false;
    Access ran_access = Access::Public;
    std::optional<WebRole> ran_role;

    static std::vector<WebUser> users() {
        // Tokens only: a password check costs a PBKDF2, which would slow the fuzzer to a crawl.
        std::vector<WebUser> u(2);
        u[0].name = "alice";
        u[0].role = WebRole::Enrollee;
        u[0].token_sha256 = "9c220f200955d76c0a38d308225e0ef10c5f971acaf2f8d1d8f732affa5bd1dc";  // "alice-token"
        u[1].name = "olivia";
        u[1].role = WebRole::Officer;
        u[1].token_sha256 = "d2c0abfa5ae0d85b3a52fa2ad61e4a6b36f8d6e6f5cc7ed6a1c5ec2a3e0d5d0a";  // not guessable
        return u;
    }

    static const std::vector<BodyField>& fields() {
        static const std::vector<BodyField> f = [] {
            std::vector<BodyField> v(2);
            v[0].name = "template";
            v[0].required = true;
            v[1].name = "csr";
            v[1].max_length = 64 * 1024;
            v[1].multiline = true;
            return v;
        }();
        return f;
    }

    void add(const std::string& method, const std::string& pattern, Access access, RouteStyle style, bool nocase = false) {
        Route r;
        r.method = method;
        r.pattern = pattern;
        r.access = access;
        r.style = style;
        r.case_insensitive = nocase;
        r.handler = [this, access](const WebRequest& w, httplib::Response& res) {
            ran = true;
            ran_access = access;
            ran_role = w.caller.role;
            if (w.http.method == "POST" && w.http.get_header_value("Content-Type") == "application/json")
                (void)parse_json_body(w.http.body, fields());
            (void)w.http.get_param_value("csrf_token");
            for (const auto& p : w.params) fuzz::require(!p.empty(), "an empty path parameter");
            res.set_content("ok", "text/plain");
        };
        router.add(std::move(r));
    }

    World() {
        add("GET", "/", Access::Public, RouteStyle::Page);
        add("GET", "/certsrv/certnew.cer", Access::Authenticated, RouteStyle::Page, true);
        add("POST", "/certsrv/certfnsh.asp", Access::Enroll, RouteStyle::Page, true);
        add("POST", "/api/v1/requests", Access::Enroll, RouteStyle::Api);
        add("GET", "/api/v1/requests/{ca}/{id}", Access::Authenticated, RouteStyle::Api);
        add("POST", "/api/v1/requests/{ca}/{id}/approve", Access::Officer, RouteStyle::Api);
        add("GET", "/console", Access::Read, RouteStyle::Console);
        add("POST", "/console/certificates/{ca}/{serial}/revoke", Access::Officer, RouteStyle::Console);
        add("GET", "/api/v1/admin", Access::Admin, RouteStyle::Api);
    }
};

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static World world;
    std::string_view in(reinterpret_cast<const char*>(data), size);
    bool tls = true;
    if (!in.empty() && in.front() == 'h') {
        tls = false;
        in.remove_prefix(1);
    }
    auto line = [&in]() {
        const size_t nl = in.find('\n');
        std::string_view l = in.substr(0, nl);
        in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        return std::string(l);
    };
    httplib::Request req;
    req.method = line();
    std::string target = line();
    const size_t q = target.find('?');
    req.path = httplib::detail::decode_url(target.substr(0, q), false);  // as httplib does
    if (q != std::string::npos) httplib::detail::parse_query_text(target.substr(q + 1), req.params);
    for (std::string h = line(); !h.empty(); h = line()) {
        const size_t colon = h.find(':');
        if (colon == std::string::npos) continue;
        std::string value = h.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        req.headers.emplace(h.substr(0, colon), value);
    }
    req.body = std::string(in);
    if (req.get_header_value("Content-Type") == "application/x-www-form-urlencoded")
        httplib::detail::parse_query_text(req.body, req.params);
    req.remote_addr = "127.0.0.1";

    world.ran = false;
    httplib::Response res;
    bool handled = false;
    try {
        handled = world.front.handle(req, res, tls);
    } catch (const std::exception& e) {
        pkilab::fuzz::finding("exception out of FrontDoor::handle", e.what());
    }
    if (!handled) {
        pkilab::fuzz::require(!world.ran, "a handler ran for a request handle() did not take");
        return 0;
    }
    // -1: left to httplib, which sends 200.
    pkilab::fuzz::require(res.status == -1 || (res.status >= 200 && res.status <= 599), "status " + std::to_string(res.status));
    if (!world.ran) return 0;
    pkilab::fuzz::require(role_allows(world.ran_role, world.ran_access),
                          std::string("a handler of access ") + to_string(world.ran_access) + " ran for role " +
                              (world.ran_role ? to_string(*world.ran_role) : "anonymous"));
    pkilab::fuzz::require(tls || world.ran_access == Access::Public, "a non-public route was handled over plain HTTP");
    pkilab::fuzz::require(tls || (!req.has_header("Authorization") && cookie_value(req, kSessionCookie).empty()),
                          "credentials over plain HTTP reached a handler");
    if (req.method != "GET" && req.method != "HEAD" && req.has_header("Origin") &&
        lower(req.get_header_value("Origin")).rfind("https://" + lower(req.get_header_value("Host")), 0) != 0)
        pkilab::fuzz::finding("property violated", "a state-changing request with a foreign Origin was handled");
    return 0;
}
