// `pkilab serve`'s HTTPS front door, end to end: the server certificate the lab issues, no
// credentials over plain HTTP, log-in sessions, CSRF and Origin checks, rate limits, and the
// administrator set up for a lab file without one. The pages and API behind it have suites of
// their own (certsrv_test, rest_api_test, console_test, web_authorization_test).
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "web_fixture.hpp"

namespace pkilab::test {
namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The value of hidden input `csrf_token` in a page.
std::string csrf_of(const std::string& html) {
    const std::string marker = "name=\"csrf_token\" value=\"";
    const size_t at = html.find(marker);
    if (at == std::string::npos) return {};
    const size_t end = html.find('"', at + marker.size());
    return html.substr(at + marker.size(), end - at - marker.size());
}

class WebFrontDoor : public WebLab {};

TEST_F(WebFrontDoor, HttpsCarriesACertificateOfTheLabWithItsChainAndOnlyModernTls) {
    serve_default();
    const RunResult s = run("openssl s_client -connect 127.0.0.1:" + std::to_string(https_port) + " -CAfile " +
                            quote(root_pem()) + " -verify_return_error -verify_ip 127.0.0.1 -showcerts </dev/null");
    EXPECT_TRUE(contains(s.out, "Verify return code: 0 (ok)")) << s.out;
    size_t certs = 0;
    for (size_t at = s.out.find("BEGIN CERTIFICATE"); at != std::string::npos; at = s.out.find("BEGIN CERTIFICATE", at + 1)) ++certs;
    EXPECT_EQ(certs, 2u) << "the leaf and the issuing CA, not the root";
    const RunResult old = run("openssl s_client -connect 127.0.0.1:" + std::to_string(https_port) +
                              " -tls1_1 -cipher DEFAULT@SECLEVEL=0 </dev/null");
    EXPECT_FALSE(contains(old.out, "Cipher is ECDHE")) << old.out;
    // GnuTLS, the second TLS stack, trusts it from the root alone.
    const RunResult g = run("gnutls-cli --x509cafile=" + quote(root_pem()) + " --port=" + std::to_string(https_port) +
                            " 127.0.0.1 </dev/null");
    EXPECT_TRUE(contains(g.out, "The certificate is trusted")) << g.out;

    // The certificate is in the store like every other (request by pkilab-serve), and the same
    // one is used after a restart.
    const RunResult list = pkilab("--json cert list");
    EXPECT_TRUE(contains(list.out, "O=pkilab web enrollment")) << list.out;
    const std::string first = slurp(dir / "state" / "web" / "tls" / "server.pem");
    ASSERT_EQ(::kill(server->pid(), SIGTERM), 0);
    ASSERT_EQ(server->wait_exit(), 0) << server->err();
    start();
    EXPECT_EQ(slurp(dir / "state" / "web" / "tls" / "server.pem"), first);
}

TEST_F(WebFrontDoor, PlainHttpTakesNoCredentialsAndSendsPagesToHttps) {
    serve_default();
    const auto& alice = user("enrollee");
    auto http = [&](const std::string& options, const std::string& path) {
        return run("curl -sS -i --max-time 20 " + options + " " + quote(http_base + path)).out;
    };
    const std::string redirect = http("", "/login");
    EXPECT_TRUE(contains(redirect, "HTTP/1.1 308")) << redirect;
    EXPECT_TRUE(contains(redirect, "Location: " + https_base + "/login")) << redirect;
    // A password sent in clear is refused, even for a public file, and the answer says to change it.
    const std::string clear = http("-u " + quote(alice.name + ":" + alice.password), "/CertEnroll/lab-issuing-ca.crl");
    EXPECT_TRUE(contains(clear, "HTTP/1.1 403")) << clear;
    EXPECT_TRUE(contains(clear, "change the password")) << clear;
    const std::string token = http("-H " + quote("Authorization: Bearer " + alice.token), "/");
    EXPECT_TRUE(contains(token, "HTTP/1.1 403")) << token;
    const std::string form = http("-d username=alice -d password=x", "/login");
    EXPECT_TRUE(contains(form, "HTTP/1.1 403")) << form;
    // What relying parties fetch stays on plain HTTP.
    EXPECT_TRUE(contains(http("", "/CertEnroll/lab-issuing-ca.crl"), "HTTP/1.1 200"));
}

TEST_F(WebFrontDoor, LogInOpensASessionWhoseFormsNeedItsCsrfToken) {
    serve_default();
    const std::string jar = (dir / "jar").string();
    const auto& olivia = user("officer");
    const std::string login = fetch("-c " + quote(jar) + " --data-urlencode username=" + olivia.name +
                                        " --data-urlencode " + quote("password=" + olivia.password) +
                                        " --data-urlencode next=/somewhere",
                                    "/login");
    EXPECT_TRUE(contains(login, "HTTP/1.1 303")) << login;
    EXPECT_TRUE(contains(login, "Location: /somewhere")) << login;
    EXPECT_TRUE(contains(login, "Secure; HttpOnly; SameSite=Strict")) << login;

    const std::string page = body("-b " + quote(jar), "/");
    EXPECT_TRUE(contains(page, "olivia")) << page;
    const std::string csrf = csrf_of(page);
    ASSERT_EQ(csrf.size(), 43u) << page;

    EXPECT_EQ(status("-b " + quote(jar) + " -d x=1", "/logout"), 403);                     // no token
    EXPECT_EQ(status("-b " + quote(jar) + " -d csrf_token=" + std::string(43, 'A'), "/logout"), 403);  // a wrong one
    EXPECT_EQ(status("-b " + quote(jar) + " -H 'Origin: https://evil.example' -d csrf_token=" + csrf, "/logout"), 403);
    EXPECT_EQ(status("-b " + quote(jar) + " -d csrf_token=" + csrf, "/logout"), 303);
    // The session is over: the page no longer knows olivia.
    EXPECT_FALSE(contains(body("-b " + quote(jar), "/"), "olivia"));

    // An open redirect is not: next must be a path of this server.
    const std::string evil = fetch("--data-urlencode username=" + olivia.name + " --data-urlencode " +
                                       quote("password=" + olivia.password) + " --data-urlencode next=//evil.example/x",
                                   "/login");
    EXPECT_TRUE(contains(evil, "Location: /console/")) << evil;
}

TEST_F(WebFrontDoor, WrongCredentialsAre401WithAChallengeAndAreAudited) {
    serve_default();
    const std::string wrong = fetch("-u alice:not-her-password -d x=1", "/logout");
    EXPECT_TRUE(contains(wrong, "HTTP/1.1 401")) << wrong;
    EXPECT_TRUE(contains(wrong, "WWW-Authenticate: Basic realm=\"pkilab\"")) << wrong;
    EXPECT_EQ(status("-H 'Authorization: Bearer nope' -d x=1", "/logout"), 401);
    EXPECT_EQ(status("-H 'Authorization: Basic !!!' -d x=1", "/logout"), 401);
    EXPECT_EQ(status("-d x=1", "/logout"), 401);
    EXPECT_EQ(status(basic("enrollee") + " -d x=1", "/logout"), 303);
    EXPECT_EQ(status(bearer("auditor") + " -d x=1", "/logout"), 303);

    EXPECT_EQ(status("--data-urlencode username=alice --data-urlencode password=guess", "/login"), 401);
    const RunResult audit = pkilab("--json audit");
    ASSERT_EQ(audit.exit_code, 0) << audit.out;
    EXPECT_TRUE(contains(audit.out, "\"action\": \"web-login\"")) << audit.out;
    EXPECT_TRUE(contains(audit.out, "\"outcome\": \"denied\"")) << audit.out;
}

TEST_F(WebFrontDoor, StateChangesFromAnotherOriginAreRefused) {
    serve_default();
    const std::string b = basic("enrollee");
    EXPECT_EQ(status(b + " -H 'Origin: https://evil.example' -d x=1", "/logout"), 403);
    EXPECT_EQ(status(b + " -H 'Origin: null' -d x=1", "/logout"), 403);
    EXPECT_EQ(status(b + " -H 'Sec-Fetch-Site: cross-site' -d x=1", "/logout"), 403);
    // Another port of the same host is the same site, and still another origin.
    EXPECT_EQ(status(b + " -H 'Sec-Fetch-Site: same-site' -d x=1", "/logout"), 403);
    EXPECT_EQ(status(b + " -H " + quote("Referer: https://127.0.0.1:1/x") + " -d x=1", "/logout"), 403);
    EXPECT_EQ(status(b + " -H " + quote("Origin: " + https_base) + " -d x=1", "/logout"), 303);
    EXPECT_EQ(status(b + " -H 'Sec-Fetch-Site: same-origin' -d x=1", "/logout"), 303);
}

TEST_F(WebFrontDoor, ClientsOverTheRateLimitGet429WithRetryAfter) {
    serve_default("  rate_limit_per_minute: 5\n");
    const std::string b = basic("enrollee");
    for (int i = 0; i < 5; ++i) ASSERT_EQ(status(b + " -d x=1", "/logout"), 303) << i;
    const std::string limited = fetch(b + " -d x=1", "/logout");
    EXPECT_TRUE(contains(limited, "HTTP/1.1 429")) << limited;
    EXPECT_TRUE(contains(limited, "Retry-After: ")) << limited;
    // Public files are not counted: relying parties fetch CRLs as often as they like.
    EXPECT_EQ(run("curl -s -o /dev/null -w '%{http_code}' " + quote(http_base + "/CertEnroll/lab-issuing-ca.crl")).out, "200");
}

TEST_F(WebFrontDoor, PathsThatOnlyTraversalWritesAreRefused) {
    serve_default();
    // Each request is one access-log line; an encoded line break cannot forge another.
    EXPECT_EQ(status("", "/no%0aforged%20line"), 400);  // a control character in a path is refused too
    EXPECT_TRUE(eventually([&] { return contains(server->err(), "\"GET /no\\x0aforged line\" 400"); })) << server->err();
    EXPECT_FALSE(contains(server->err(), "\nforged")) << server->err();
    EXPECT_EQ(status("--path-as-is", "/static/../pkilab.db"), 400);
    EXPECT_EQ(status("--path-as-is", "//login"), 400);
    EXPECT_EQ(status("", "/static/pkilab.css/"), 200);  // one trailing slash is the same path
    EXPECT_EQ(status("", "/no/such/page"), 404);
    EXPECT_EQ(status("-X DELETE", "/login"), 405);
}

TEST_F(WebFrontDoor, ALabFileWithoutAnAdministratorGetsAGeneratedOne) {
    lab_up(default_lab_on_port(http_port));
    start();
    const std::string out = server->out();
    const std::string marker = "administrator: user admin, password ";
    const size_t at = out.find(marker);
    ASSERT_NE(at, std::string::npos) << out;
    const std::string password = out.substr(at + marker.size(), out.find(' ', at + marker.size()) - at - marker.size());
    EXPECT_GE(password.size(), 20u);
    EXPECT_EQ(status("-u " + quote("admin:" + password) + " -d x=1", "/logout"), 303);
    EXPECT_EQ(status("-u " + quote("admin:" + password + "x") + " -d x=1", "/logout"), 401);
    struct stat st {};
    ASSERT_EQ(::stat((dir / "state" / "web" / "admin-password").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // The same password after a restart.
    ASSERT_EQ(::kill(server->pid(), SIGTERM), 0);
    ASSERT_EQ(server->wait_exit(), 0) << server->err();
    start();
    EXPECT_TRUE(contains(server->out(), marker + password)) << server->out();
}

TEST_F(WebFrontDoor, AClientCertificateOfTheLabLogsItsUserIn) {
    // carol logs in with a certificate only, named by its CN; dave@lab.test by its UPN.
    std::string lab = lab_text();
    lab += "    - name: carol\n      role: officer\n      client_certificate: true\n";
    lab += "    - name: dave@lab.test\n      role: auditor\n      client_certificate: true\n";
    lab_up(lab);
    auto issue = [&](const std::string& name, const std::string& upn) {
        const std::string key = (dir / (name + ".key")).string(), csr = (dir / (name + ".csr")).string();
        const std::string san = upn.empty() ? std::string()
                                            : " -addext " + quote("subjectAltName=otherName:1.3.6.1.4.1.311.20.2.3;UTF8:" + upn);
        RunResult r = run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + quote(key) +
                          " -subj " + quote("/CN=" + name) + san + " -out " + quote(csr));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        r = pkilab("--json request submit --template User --csr " + quote(csr) + " --out " + quote((dir / (name + ".pem")).string()));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        const size_t at = r.out.find("\"serial\": \"");
        return at == std::string::npos ? std::string() : r.out.substr(at + 11, r.out.find('"', at + 11) - at - 11);
    };
    const std::string serial = issue("carol", "");
    issue("dave", "dave@lab.test");  // the UPN wins over the CN
    issue("mallory", "");            // a certificate of the lab, but no such web user
    start();
    auto with_cert = [&](const std::string& name) {
        return "--cert " + quote((dir / (name + ".pem")).string()) + " --key " + quote((dir / (name + ".key")).string());
    };
    const std::string who = body(with_cert("carol"), "/api/v1/whoami");
    EXPECT_TRUE(contains(who, "\"carol\"")) << who;
    EXPECT_TRUE(contains(who, "officer")) << who;
    EXPECT_TRUE(contains(who, "client-certificate")) << who;
    const std::string dave = body(with_cert("dave"), "/api/v1/whoami");
    EXPECT_TRUE(contains(dave, "\"dave@lab.test\"")) << dave;
    EXPECT_TRUE(contains(dave, "auditor")) << dave;
    const std::string stranger = fetch(with_cert("mallory"), "/api/v1/whoami");
    EXPECT_TRUE(contains(stranger, "HTTP/1.1 401")) << stranger;
    EXPECT_TRUE(contains(stranger, "no web user with client_certificate")) << stranger;
    // Without a certificate the handshake still works: the certificate is asked for, not required.
    EXPECT_EQ(status("", "/api/v1/whoami"), 401);
    EXPECT_EQ(status(basic("enrollee"), "/api/v1/whoami"), 200);
    // A certificate from outside the lab is refused, saying why.
    ASSERT_EQ(run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=carol -keyout " +
                  quote((dir / "self.key").string()) + " -out " + quote((dir / "self.pem").string()))
                  .exit_code,
              0);
    const std::string outsider = fetch(with_cert("self"), "/api/v1/whoami");
    EXPECT_TRUE(contains(outsider, "HTTP/1.1 401")) << outsider;
    EXPECT_TRUE(contains(outsider, "does not verify")) << outsider;
    // Revoked, it logs nobody in any more.
    ASSERT_EQ(pkilab("revoke " + serial + " --reason keyCompromise").exit_code, 0);
    const std::string revoked = fetch(with_cert("carol"), "/api/v1/whoami");
    EXPECT_TRUE(contains(revoked, "HTTP/1.1 401")) << revoked;
    EXPECT_TRUE(contains(revoked, "revoked")) << revoked;
}

}  // namespace
}  // namespace pkilab::test
