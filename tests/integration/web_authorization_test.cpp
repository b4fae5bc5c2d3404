// The authorization matrix: every route `pkilab serve --routes` lists, asked by anonymous and by
// each role (HTTP Basic, and bearer tokens for the API), under the path variants that trip
// naive routers (a trailing slash, a percent-encoded letter, another case, a doubled slash).
// The expected access of each route is written here, independently of the server's own table:
// a route the server adds without this table knowing it fails the test.
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "web_fixture.hpp"

namespace pkilab::test {
namespace {

// What each route demands, as the roles define it.
const std::map<std::string, std::string>& expected_access() {
    static const std::map<std::string, std::string> table{
        {"GET /", "public"},
        {"GET /login", "public"},
        {"POST /login", "public"},
        {"POST /logout", "authenticated"},
        {"GET /static/pkilab.css", "public"},
        {"GET /static/pkilab.js", "public"},
        {"GET /certsrv", "authenticated"},
        {"GET /certsrv/default.asp", "authenticated"},
        {"GET /certsrv/certrqus.asp", "authenticated"},
        {"GET /certsrv/certrqxt.asp", "authenticated"},
        {"POST /certsrv/certfnsh.asp", "enroll"},
        {"GET /certsrv/certfnsh.asp", "authenticated"},
        {"GET /certsrv/certnew.cer", "authenticated"},
        {"GET /certsrv/certnew.p7b", "authenticated"},
        {"GET /certsrv/certcrl.crl", "authenticated"},
        {"GET /certsrv/certcarc.asp", "authenticated"},
        {"GET /certsrv/certckpn.asp", "authenticated"},
        {"GET /api/v1", "authenticated"},
        {"GET /api/v1/whoami", "authenticated"},
        {"GET /api/v1/templates", "authenticated"},
        {"GET /api/v1/templates/{name}", "authenticated"},
        {"GET /api/v1/cas", "authenticated"},
        {"GET /api/v1/cas/{ca}/certificate", "public"},
        {"GET /api/v1/cas/{ca}/chain", "public"},
        {"GET /api/v1/crls", "read"},
        {"GET /api/v1/audit", "read"},
        {"POST /api/v1/requests", "enroll"},
        {"GET /api/v1/requests", "authenticated"},
        {"GET /api/v1/requests/{ca}/{id}", "authenticated"},
        {"POST /api/v1/requests/{ca}/{id}/approve", "officer"},
        {"POST /api/v1/requests/{ca}/{id}/deny", "officer"},
        {"POST /api/v1/requests/{ca}/{id}/resubmit", "officer"},
        {"POST /api/v1/check", "enroll"},
        {"GET /api/v1/certificates", "authenticated"},
        {"GET /api/v1/certificates/{serial}", "authenticated"},
        {"GET /api/v1/certificates/{serial}/download", "authenticated"},
        {"POST /api/v1/certificates/{serial}/revoke", "officer"},
        {"POST /api/v1/certificates/{serial}/hold", "officer"},
        {"POST /api/v1/certificates/{serial}/release", "officer"},
        {"GET /api/v1/openapi.json", "public"},
        {"GET /console", "read"},
        {"GET /console/templates", "read"},
        {"GET /console/requests", "read"},
        {"POST /console/requests/{ca}/{id}/approve", "officer"},
        {"POST /console/requests/{ca}/{id}/deny", "officer"},
        {"GET /console/requests/{ca}/{id}", "read"},
        {"GET /console/certificates", "read"},
        {"POST /console/certificates/{ca}/{serial}/revoke", "officer"},
        {"POST /console/certificates/{ca}/{serial}/hold", "officer"},
        {"POST /console/certificates/{ca}/{serial}/release", "officer"},
        {"GET /console/certificates/{ca}/{serial}", "read"},
        {"GET /console/audit", "read"},
// The enrollment protocols, one file each.
#include "expected_routes/est.inc"
#include "expected_routes/acme.inc"
#include "expected_routes/scep.inc"
#include "expected_routes/cmp.inc"
    };
    return table;
}

// Which roles an access level admits (anonymous is "").
bool admits(const std::string& access, const std::string& role) {
    if (access == "public") return true;
    if (role.empty()) return false;
    if (access == "authenticated") return true;
    if (access == "enroll") return role != "auditor";
    if (access == "read") return role != "enrollee";
    if (access == "officer") return role == "officer" || role == "admin";
    if (access == "admin") return role == "admin";
    ADD_FAILURE() << "unknown access " << access;
    return false;
}

struct Answer {
    int status = -1;
    std::string head;  // status line and headers
    std::string body;
};

class WebAuthorization : public WebLab {
protected:
    // One request with `credentials` (curl options); the path is sent as written.
    Answer ask(const std::string& method, const std::string& path, const std::string& credentials) const {
        std::string data;
        if (method != "GET") data = path.rfind("/api/", 0) == 0 ? " -H 'Content-Type: application/json' --data '{}'" : " --data x=1";
        const std::string head = (dir / "head").string(), body_file = (dir / "body").string();
        const RunResult r = run("curl -sS --path-as-is --max-time 20 --cacert " + quote(root_pem()) + " -X " + method + " " +
                                credentials + data + " -D " + quote(head) + " -o " + quote(body_file) + " -w '%{http_code}' " +
                                quote(https_base + path));
        Answer a;
        a.status = std::atoi(r.out.c_str());
        a.head = slurp(head);
        a.body = slurp(body_file);
        return a;
    }

    // A success is what a refused caller must never get: a 2xx, or a 3xx that is not the
    // console sending it to the log-in form.
    static bool success(const Answer& a) {
        if (a.status >= 200 && a.status < 300) return true;
        if (a.status >= 300 && a.status < 400) return a.head.find("Location: /login") == std::string::npos;
        return false;
    }
    // The front door's refusal of a role (not a handler's own 403, e.g. a certificate of someone else).
    static bool refused_for_role(const Answer& a) {
        return a.status == 401 || (a.status == 403 && a.body.find(" access") != std::string::npos &&
                                   a.body.find("it needs ") != std::string::npos) ||
               (a.status == 303 && a.head.find("Location: /login") != std::string::npos);
    }
};

std::string upper_first_letter_of_last_literal(const std::string& path) {
    std::string p = path;
    for (size_t i = p.size(); i-- > 1;)
        if (p[i - 1] == '/' && std::isalpha(static_cast<unsigned char>(p[i]))) {
            p[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(p[i])));
            return p;
        }
    return p;
}

// "/api/v1/cas" -> "/api/v1/%63as": httplib decodes it to the same route, which must demand the same.
std::string percent_encode_a_letter(const std::string& path) {
    for (size_t i = path.size(); i-- > 1;)
        if (path[i - 1] == '/' && std::isalpha(static_cast<unsigned char>(path[i]))) {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02x", static_cast<unsigned char>(path[i]));
            return path.substr(0, i) + hex + path.substr(i + 1);
        }
    return path;
}

// Every occurrence of `from` in `s` replaced by `to`.
std::string replaced(std::string s, const std::string& from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
    return s;
}

// The string value of "key": "..." after position `from` in a JSON text, or "" (`from` moves past it).
std::string string_field(const std::string& json, const std::string& key, size_t& from) {
    const std::string marker = "\"" + key + "\": \"";
    const size_t at = json.find(marker, from);
    if (at == std::string::npos) return {};
    const size_t end = json.find('"', at + marker.size());
    from = end;
    return json.substr(at + marker.size(), end - at - marker.size());
}

bool key_is_login(const std::string& method, const std::string& pattern) { return method == "POST" && pattern == "/login"; }

TEST_F(WebAuthorization, EveryRouteAdmitsExactlyItsRolesUnderEveryPathVariant) {
    serve_default();
    // Things for the {parameters} to name: a request and a certificate of the issuing CA.
    const RunResult issued = pkilab("--json request submit --template WebServer --csr " + quote(make_csr("matrix.lab.test")));
    ASSERT_EQ(issued.exit_code, 0) << issued.out;
    size_t pos = 0;
    const std::string serial = string_field(issued.out, "serial", pos);
    ASSERT_FALSE(serial.empty()) << issued.out;
    const size_t id_at = issued.out.find("\"request_id\": ");
    ASSERT_NE(id_at, std::string::npos) << issued.out;
    const std::string request_id = std::to_string(std::atol(issued.out.c_str() + id_at + 14));

    // The server's own table.
    const RunResult listed = pkilab("--json serve --routes");
    ASSERT_EQ(listed.exit_code, 0) << listed.out;
    // Objects with their keys in order (nlohmann sorts them): access, method, path, summary.
    std::vector<std::tuple<std::string, std::string, std::string>> routes;  // method, pattern, access
    for (size_t from = 0;;) {
        const std::string access = string_field(listed.out, "access", from);
        if (access.empty()) break;
        const std::string method = string_field(listed.out, "method", from);
        const std::string path = string_field(listed.out, "path", from);
        routes.emplace_back(method, path, access);
    }
    ASSERT_GE(routes.size(), 40u) << listed.out;

    std::set<std::string> seen;
    for (const auto& [method, pattern, access] : routes) {
        const std::string key = method + " " + pattern;
        seen.insert(key);
        const auto want = expected_access().find(key);
        ASSERT_NE(want, expected_access().end()) << "a route this test does not know: " << key << " [" << access
                                                 << "]; add it to expected_access() with the access it should demand";
        EXPECT_EQ(access, want->second) << key;
    }
    for (const auto& [key, access] : expected_access()) EXPECT_TRUE(seen.count(key)) << "the server no longer has " << key;

    const std::vector<std::string> roles{"", "enrollee", "auditor", "officer", "admin"};
    std::map<std::string, int> privileged_successes;  // anonymous and enrollee on officer/admin routes
    for (const auto& [method, pattern, access_declared] : routes) {
        const std::string& access = expected_access().at(method + " " + pattern);
        std::string path = replaced(pattern, "{ca}", "lab-issuing-ca");
        path = replaced(path, "{id}", request_id);
        path = replaced(path, "{serial}", serial);
        path = replaced(path, "{name}", "WebServer");
        std::vector<std::string> variants{path};
        if (path != "/") {
            variants.push_back(path + "/");
            variants.push_back(percent_encode_a_letter(path));
            variants.push_back(upper_first_letter_of_last_literal(path));
            variants.push_back("/" + path);  // "//api/..."
        }
        for (const auto& role : roles) {
            const std::vector<std::string> credentials =
                role.empty() ? std::vector<std::string>{""} : std::vector<std::string>{basic(role), bearer(role)};
            for (const auto& cred : credentials) {
                const Answer plain = ask(method, path, cred);
                const std::string who = (role.empty() ? "anonymous" : role) + (cred.find("Bearer") != std::string::npos ? " (token)" : "");
                if (admits(access, role)) {
                    // The log-in form answers 401 to the dummy form; everything else lets the caller in.
                    if (key_is_login(method, pattern)) continue;
                    EXPECT_FALSE(refused_for_role(plain)) << who << " " << method << " " << path << " -> " << plain.status
                                                          << "\n" << plain.body.substr(0, 400);
                    continue;
                }
                EXPECT_TRUE(refused_for_role(plain)) << who << " " << method << " " << path << " -> " << plain.status;
                for (const auto& v : variants) {
                    const Answer a = v == path ? plain : ask(method, v, cred);
                    EXPECT_FALSE(success(a)) << who << " got in through " << method << " " << v << " -> " << a.status;
                    if (success(a) && (role.empty() || role == "enrollee") && (access == "officer" || access == "admin"))
                        ++privileged_successes[who];
                }
            }
        }
    }
    EXPECT_TRUE(privileged_successes.empty()) << "anonymous or enrollee got into officer/admin routes";
}

}  // namespace
}  // namespace pkilab::test
