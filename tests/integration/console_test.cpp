// The console end to end: a person logs in through the form (a session cookie in curl's jar),
// reads the pages of their role, and an officer approves, denies and revokes with the CSRF
// token of the page, as a browser would; every refusal is the front door's, every value the
// store or a CSR holds comes back escaped.
#include <regex>

#include <gtest/gtest.h>

#include "web_fixture.hpp"

namespace pkilab::test {
namespace {

const std::string kIssuing = "lab-issuing-ca";
// As the store keeps it (RFC 4514 escapes < and >), then HTML-escaped.
const std::string kEscapedCn = "\\&lt;script\\&gt;alert(1)\\&lt;/script\\&gt;";

// No markup a CSR or the store put there: the page's only script is the one its head links.
bool has_injected_markup(std::string html) {
    const std::string own = "<script src=\"/static/pkilab.js\" defer></script>";
    if (const size_t at = html.find(own); at != std::string::npos) html.erase(at, own.size());
    return html.find("<script") != std::string::npos || html.find("</script") != std::string::npos ||
           html.find("<b>") != std::string::npos;
}

class Console : public WebLab {
protected:
    // The default lab plus ApprovedWeb (WebServer held for an officer), published by the issuing CA.
    std::string console_lab() const {
        std::string lab = lab_text();
        const std::string list = "    templates: [WebServer, Computer";
        const size_t at = lab.find(list);
        EXPECT_NE(at, std::string::npos);
        if (at != std::string::npos) lab.replace(at, list.size(), "    templates: [ApprovedWeb, WebServer, Computer");
        const std::string none = "\ntemplates: []\n";
        const size_t t = lab.find(none);
        EXPECT_NE(t, std::string::npos);
        if (t != std::string::npos)
            lab.replace(t, none.size(),
                        "\ntemplates:\n  - name: ApprovedWeb\n    base: WebServer\n    issuance: {pend_all_requests: true}\n");
        return lab;
    }

    void serve_console() {
        lab_up(console_lab());
        start();
    }

    std::string jar(const std::string& role) const { return (dir / (role + ".jar")).string(); }
    // curl options that send the session cookie of `role` (after login()).
    std::string session(const std::string& role) const { return "-b " + quote(jar(role)) + " -c " + quote(jar(role)); }

    // Logs in through the form; returns the response's headers and body.
    std::string login(const std::string& role, const std::string& next = "") const {
        const auto& u = user(role);
        std::string opts = "-c " + quote(jar(role)) + " --data-urlencode " + quote("username=" + u.name) +
                           " --data-urlencode " + quote("password=" + u.password);
        if (!next.empty()) opts += " --data-urlencode " + quote("next=" + next);
        return fetch(opts, "/login");
    }

    // The CSRF token a page's forms carry.
    std::string csrf(const std::string& role, const std::string& page = "/console") const {
        const std::string html = body(session(role), page);
        std::smatch m;
        if (!std::regex_search(html, m, std::regex("name=\"csrf_token\" value=\"([^\"]+)\""))) return {};
        return m[1];
    }

    // Submits `csr` with the CLI; returns the request id (0 when there is none).
    std::int64_t submit(const std::string& template_name, const std::string& csr, const std::string& out = "") const {
        const RunResult r = pkilab("--json request submit --template " + template_name + " --csr " + quote(csr) +
                                   (out.empty() ? std::string() : " --out " + quote(out)));
        std::smatch m;
        EXPECT_TRUE(std::regex_search(r.out, m, std::regex("\"request_id\": ([0-9]+)"))) << r.out;
        return m.empty() ? 0 : std::stoll(m[1]);
    }

    std::string csr_with(const std::string& name, const std::string& subj, const std::string& san) const {
        const std::string csr = (dir / (name + ".csr")).string();
        const RunResult r = run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                                quote((dir / (name + ".key")).string()) + " -subj " + quote(subj) + " -addext " +
                                quote("subjectAltName=" + san) + " -out " + quote(csr));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return csr;
    }

    // The serial of a PEM certificate file as the store writes it: lower-case hex of the
    // INTEGER's octets, so "00" first when the top bit is set (openssl prints it without).
    std::string serial_of(const std::string& pem) const {
        RunResult r = run("openssl x509 -noout -serial -in " + quote(pem));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        std::string s = r.out.substr(r.out.find('=') + 1);
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
        for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!s.empty() && s.front() >= '8') s = "00" + s;
        return s;
    }

    std::string post(const std::string& options, const std::string& path) const { return fetch("-X POST " + options, path); }

    static int status_of(const std::string& response) {
        return response.size() >= 12 && response.starts_with("HTTP/") ? std::atoi(response.substr(9, 3).c_str()) : -1;
    }
};

TEST_F(Console, LoginGivesASecureHttpOnlyStrictCookieAndTheDashboardShowsBothCas) {
    serve_console();
    const std::string response = login("auditor");
    EXPECT_EQ(status_of(response), 303) << response;
    std::smatch cookie;
    ASSERT_TRUE(std::regex_search(response, cookie, std::regex("Set-Cookie: pkilab_session=[^\r\n]*"))) << response;
    const std::string line = cookie[0];
    EXPECT_NE(line.find("; Secure"), std::string::npos) << line;
    EXPECT_NE(line.find("; HttpOnly"), std::string::npos) << line;
    EXPECT_NE(line.find("; SameSite=Strict"), std::string::npos) << line;
    EXPECT_NE(response.find("Location: /console/"), std::string::npos) << response;
    EXPECT_NE(login("auditor", "/console/audit").find("Location: /console/audit"), std::string::npos);

    const std::string page = (dir / "dashboard.html").string();
    EXPECT_EQ(curl(session("auditor"), "/console", page).substr(0, 28), "200 text/html; charset=utf-8");
    const std::string html = slurp(page);
    for (const char* want : {"lab-root-ca", "lab-issuing-ca", "pkilab Lab Root CA", "pkilab Lab Issuing CA", "Base CRL",
                             "Delta CRL", "Latest audit events", "web-login", "pending requests"})
        EXPECT_NE(html.find(want), std::string::npos) << want << "\n" << html;
    // lab up published every CRL: all fresh.
    EXPECT_NE(html.find("<span class=\"badge fresh\">fresh</span>"), std::string::npos) << html;
    EXPECT_EQ(html.find("badge stale"), std::string::npos) << html;
    EXPECT_NE(html.find("class=\"here\" aria-current=\"page\">Dashboard"), std::string::npos) << html;
    // The CSP forbids inline code: the page has none.
    EXPECT_EQ(html.find("<script>"), std::string::npos) << html;
    EXPECT_EQ(html.find("style=\""), std::string::npos) << html;
    EXPECT_NE(fetch(session("auditor"), "/console").find("Content-Security-Policy: default-src 'self'"), std::string::npos);
    // Basic works for scripts, and "/console/" is the same page.
    EXPECT_EQ(status(basic("admin"), "/console/"), 200);
}

TEST_F(Console, AnonymousIsSentToTheLoginFormAndAnEnrolleeIsRefused) {
    serve_console();
    const std::string anonymous = fetch("", "/console");
    EXPECT_EQ(status_of(anonymous), 303) << anonymous;
    EXPECT_NE(anonymous.find("Location: /login?next=%2Fconsole\r\n"), std::string::npos) << anonymous;
    EXPECT_NE(fetch("", "/console/requests").find("Location: /login?next=%2Fconsole%2Frequests"), std::string::npos);
    // A POST is not redirected: it is refused.
    EXPECT_EQ(status("-X POST -d x=1", "/console/requests/" + kIssuing + "/1/approve"), 401);

    login("enrollee");
    for (const char* page : {"/console", "/console/templates", "/console/requests", "/console/certificates", "/console/audit"}) {
        EXPECT_EQ(status(session("enrollee"), page), 403) << page;
        EXPECT_EQ(status(basic("enrollee"), page), 403) << page;
    }
    // Plain HTTP is sent to HTTPS before anything else.
    RunResult http = run("curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' " + quote(http_base + "/console"));
    EXPECT_EQ(http.out, "308 " + https_base + "/console") << http.out;
}

TEST_F(Console, AnOfficerApprovesAPendingRequestWithThePagesCsrfToken) {
    serve_console();
    const std::int64_t id = submit("ApprovedWeb", make_csr("approve.lab.test"));
    ASSERT_GT(id, 0);
    const std::string story = "/console/requests/" + kIssuing + "/" + std::to_string(id);
    const std::string approve = story + "/approve";

    login("officer");
    const std::string list = body(session("officer"), "/console/requests");
    EXPECT_NE(list.find("approve.lab.test"), std::string::npos) << list;
    EXPECT_NE(list.find("action=\"" + approve + "\""), std::string::npos) << list;
    EXPECT_NE(list.find("action=\"" + story + "/deny\""), std::string::npos) << list;
    const std::string token = csrf("officer", "/console/requests");
    ASSERT_FALSE(token.empty()) << list;

    // Without the token, or from another origin with it: refused by the front door, nothing changes.
    const std::string no_token = post(session("officer") + " -d x=1", approve);
    EXPECT_EQ(status_of(no_token), 403) << no_token;
    EXPECT_NE(no_token.find("CSRF"), std::string::npos) << no_token;
    const std::string foreign = post(session("officer") + " -H 'Origin: https://evil.example' -d csrf_token=" + token, approve);
    EXPECT_EQ(status_of(foreign), 403) << foreign;
    EXPECT_NE(pkilab("request show " + std::to_string(id) + " --ca " + kIssuing).out.find(": pending"), std::string::npos);

    const std::string done = post(session("officer") + " -d csrf_token=" + token, approve);
    EXPECT_EQ(status_of(done), 303) << done;
    const std::string location = "/console/requests?done=approved-" + std::to_string(id) + "&on=" + kIssuing;
    EXPECT_NE(done.find("Location: " + location + "\r\n"), std::string::npos) << done;
    const std::string after = body(session("officer"), location);
    EXPECT_NE(after.find("was approved and its certificate issued."), std::string::npos) << after;
    EXPECT_EQ(after.find("action=\"" + approve + "\""), std::string::npos) << after;  // no longer pending

    const RunResult shown = pkilab("request show " + std::to_string(id) + " --ca " + kIssuing);
    EXPECT_NE(shown.out.find(": issued"), std::string::npos) << shown.out;
    const std::string page = body(session("officer"), story);
    EXPECT_NE(page.find("<span class=\"badge issued\">issued</span>"), std::string::npos) << page;
    EXPECT_NE(page.find("href=\"/console/certificates/" + kIssuing + "/"), std::string::npos) << page;
    // Its audit events: pended for the CLI's user, issued by the officer.
    EXPECT_NE(page.find("<code>pend</code>"), std::string::npos) << page;
    EXPECT_NE(page.find("<td>olivia</td><td><code>issue</code>"), std::string::npos) << page;
    // Approving it again is a conflict, not a second certificate.
    EXPECT_EQ(status_of(post(session("officer") + " -d csrf_token=" + token, approve)), 409);

    // A notice only for the codes the console writes: anything else is not echoed.
    const std::string odd = body(session("officer"), "/console/requests?done=%3Cb%3Ehi%3C%2Fb%3E-1&on=%3Ci%3E");
    EXPECT_EQ(odd.find("<b>hi"), std::string::npos) << odd;
    EXPECT_EQ(odd.find("class=\"notice\""), std::string::npos) << odd;
}

TEST_F(Console, AnOfficerDeniesWithAReasonAndTheStoryShowsIt) {
    serve_console();
    const std::int64_t id = submit("ApprovedWeb", make_csr("deny.lab.test"));
    ASSERT_GT(id, 0);
    const std::string story = "/console/requests/" + kIssuing + "/" + std::to_string(id);
    login("officer");
    const std::string token = csrf("officer", story);
    ASSERT_FALSE(token.empty());
    const std::string done = post(session("officer") + " -d csrf_token=" + token + " -d from=story --data-urlencode " +
                                      quote("reason=not a <lab> name"),
                                  story + "/deny");
    EXPECT_EQ(status_of(done), 303) << done;
    EXPECT_NE(done.find("Location: " + story + "?done=denied-" + std::to_string(id)), std::string::npos) << done;
    const std::string page = body(session("officer"), story + "?done=denied-" + std::to_string(id) + "&on=" + kIssuing);
    EXPECT_NE(page.find("was denied."), std::string::npos) << page;
    EXPECT_NE(page.find("Denied by olivia: not a &lt;lab&gt; name"), std::string::npos) << page;
    EXPECT_NE(page.find("<span class=\"badge denied\">denied</span>"), std::string::npos) << page;

    // A reason with control characters, or too long, is refused and names the field.
    const std::int64_t other = submit("ApprovedWeb", make_csr("deny2.lab.test"));
    const std::string path = "/console/requests/" + kIssuing + "/" + std::to_string(other) + "/deny";
    const std::string bad = post(session("officer") + " -d csrf_token=" + token + " -d reason=a%0Ab", path);
    EXPECT_EQ(status_of(bad), 400) << bad;
    EXPECT_NE(bad.find("form: reason: holds control characters"), std::string::npos) << bad;
    EXPECT_EQ(status_of(post(session("officer") + " -d csrf_token=" + token + " -d reason=" + std::string(600, 'x'), path)), 400);
}

TEST_F(Console, AnAuditorReadsEveryPageButItsApprovalIsRefused) {
    serve_console();
    const std::int64_t id = submit("ApprovedWeb", make_csr("audited.lab.test"));
    ASSERT_GT(id, 0);
    const std::string issued = (dir / "audited-web.pem").string();
    submit("WebServer", make_csr("web.lab.test"), issued);
    const std::string serial = serial_of(issued);
    const std::string story = "/console/requests/" + kIssuing + "/" + std::to_string(id);

    login("auditor");
    for (const std::string& page : {std::string("/console"), std::string("/console/templates"), std::string("/console/requests"),
                                    std::string("/console/requests?state=all"), story, std::string("/console/certificates"),
                                    "/console/certificates/" + kIssuing + "/" + serial, std::string("/console/audit")}) {
        const std::string html = body(session("auditor"), page);
        EXPECT_NE(html.find("<nav class=\"sub\""), std::string::npos) << page << "\n" << html;
        // Read only: no officer button on any page.
        EXPECT_EQ(html.find("/approve\""), std::string::npos) << page;
        EXPECT_EQ(html.find("/revoke\""), std::string::npos) << page;
    }
    const std::string templates = body(session("auditor"), "/console/templates");
    EXPECT_NE(templates.find("ApprovedWeb"), std::string::npos) << templates;
    EXPECT_NE(templates.find("officer approval"), std::string::npos) << templates;
    EXPECT_NE(templates.find("serverAuth"), std::string::npos) << templates;
    const std::string certificate = body(session("auditor"), "/console/certificates/" + kIssuing + "/" + serial);
    EXPECT_NE(certificate.find("web.lab.test"), std::string::npos) << certificate;
    EXPECT_NE(certificate.find("-----BEGIN CERTIFICATE-----"), std::string::npos) << certificate;
    const std::string download = "/api/v1/certificates/" + serial + "/download?format=pem&ca=" + kIssuing;
    EXPECT_NE(certificate.find("/api/v1/certificates/" + serial + "/download?format=pem&amp;ca=" + kIssuing), std::string::npos)
        << certificate;
    // The link works with the console's own session: the REST API's download.
    const std::string downloaded = (dir / "downloaded.pem").string();
    EXPECT_EQ(curl(session("auditor"), download, downloaded).substr(0, 3), "200");
    EXPECT_EQ(slurp(downloaded), slurp(issued));

    const std::string token = csrf("auditor", story);
    ASSERT_FALSE(token.empty());
    const std::string refused = post(session("auditor") + " -d csrf_token=" + token, story + "/approve");
    EXPECT_EQ(status_of(refused), 403) << refused;
    EXPECT_EQ(status(basic("auditor") + " -X POST -d x=1", "/console/certificates/" + kIssuing + "/" + serial + "/revoke"), 403);
    EXPECT_NE(pkilab("request show " + std::to_string(id) + " --ca " + kIssuing).out.find(": pending"), std::string::npos);

    // The audit log pages newest first: each page's ids descend, and Older leads below them.
    auto ids = [](const std::string& html) {
        std::vector<long> out;
        const std::regex row("<tr><td class=\"num\">([0-9]+)</td>");
        for (auto it = std::sregex_iterator(html.begin(), html.end(), row); it != std::sregex_iterator(); ++it)
            out.push_back(std::stol((*it)[1]));
        return out;
    };
    const std::string audit = body(session("auditor"), "/console/audit?limit=3");
    const std::vector<long> newest = ids(audit);
    ASSERT_EQ(newest.size(), 3u) << audit;
    EXPECT_GT(newest[0], newest[1]);
    EXPECT_GT(newest[1], newest[2]);
    std::smatch older;
    ASSERT_TRUE(std::regex_search(audit, older, std::regex("href=\"(/console/audit\\?after=[0-9]+&amp;limit=3)\">Older"))) << audit;
    std::string older_link = older[1];
    older_link.replace(older_link.find("&amp;"), 5, "&");
    const std::vector<long> before = ids(body(session("auditor"), older_link));
    ASSERT_EQ(before.size(), 3u) << older_link;
    EXPECT_EQ(before[0], newest[2] - 1);
    EXPECT_EQ(status(session("auditor"), "/console/audit?limit=100000"), 400);
    EXPECT_EQ(status(session("auditor"), "/console/audit?after=-1"), 400);
    EXPECT_EQ(status(session("auditor"), "/console/audit?after=0&limit=5"), 200);
}

TEST_F(Console, TheDashboardMarksACaCertificateWithFewerThan90DaysLeft) {
    serve_console();
    login("officer");
    EXPECT_EQ(body(session("officer"), "/console").find("badge soon"), std::string::npos);
    // The issuing CA's certificate lives 5 years: 60 days before its end the dashboard says so.
    ASSERT_EQ(pkilab("clock advance 1766d").exit_code, 0);
    EXPECT_TRUE(eventually([&] { return body(session("officer"), "/console").find("badge soon") != std::string::npos; }))
        << body(session("officer"), "/console");
    const std::string html = body(session("officer"), "/console");
    EXPECT_NE(html.find("ahead of the real time"), std::string::npos) << html;
    std::smatch left;
    ASSERT_TRUE(std::regex_search(html, left, std::regex("<span class=\"badge soon\">([0-9]+) days left</span>"))) << html;
    EXPECT_LT(std::stoi(left[1]), 90);
}

TEST_F(Console, ARevocationFromTheConsoleIsOnTheCrlServedAtTheCdp) {
    serve_console();
    const std::string pem = (dir / "revoke-me.pem").string();
    submit("WebServer", make_csr("revoke-me.lab.test"), pem);
    const std::string serial = serial_of(pem);
    ASSERT_FALSE(serial.empty());
    const std::string cdp = "/CertEnroll/" + kIssuing + ".crl";
    EXPECT_NE(run("openssl x509 -noout -text -in " + quote(pem)).out.find(http_base + cdp), std::string::npos);

    login("officer");
    const std::string found = body(session("officer"), "/console/certificates?q=" + serial);
    EXPECT_NE(found.find("revoke-me.lab.test"), std::string::npos) << found;
    EXPECT_NE(found.find("data-confirm=\"Revoke certificate " + serial), std::string::npos) << found;
    EXPECT_NE(body(session("officer"), "/console/certificates?q=REVOKE-ME").find(serial), std::string::npos);  // a SAN or subject part
    const std::string token = csrf("officer", "/console/certificates");

    const std::string done = post(session("officer") + " -d csrf_token=" + token + " -d reason=keyCompromise",
                                  "/console/certificates/" + kIssuing + "/" + serial + "/revoke");
    EXPECT_EQ(status_of(done), 200) << done;
    EXPECT_NE(done.find("revoked (keyCompromise)"), std::string::npos) << done;
    EXPECT_NE(done.find("<span class=\"badge ok\">published</span>"), std::string::npos) << done;

    const std::string crl = (dir / "served.crl").string();
    RunResult got = run("curl -sS --max-time 20 -o " + quote(crl) + " -w '%{http_code}' " + quote(http_base + cdp));
    EXPECT_EQ(got.out, "200");
    RunResult text = run("openssl crl -inform DER -noout -text -in " + quote(crl));
    ASSERT_EQ(text.exit_code, 0) << text.out;
    std::string upper = serial.starts_with("00") ? serial.substr(2) : serial;  // as openssl prints it
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_NE(text.out.find("Serial Number: " + upper), std::string::npos) << serial << "\n" << text.out;
    EXPECT_NE(text.out.find("Key Compromise"), std::string::npos) << text.out;

    const std::string page = body(session("officer"), "/console/certificates/" + kIssuing + "/" + serial);
    EXPECT_NE(page.find("<span class=\"badge revoked\">revoked</span>"), std::string::npos) << page;
    EXPECT_EQ(page.find("/revoke\""), std::string::npos) << page;  // nothing more to revoke
    EXPECT_EQ(status_of(post(session("officer") + " -d csrf_token=" + token + " -d reason=keyCompromise",
                             "/console/certificates/" + kIssuing + "/" + serial + "/revoke")),
              409);
    // Hold and release go through the same path.
    const std::string held_pem = (dir / "hold-me.pem").string();
    submit("WebServer", make_csr("hold-me.lab.test"), held_pem);
    const std::string held = "/console/certificates/" + kIssuing + "/" + serial_of(held_pem);
    EXPECT_NE(post(session("officer") + " -d csrf_token=" + token, held + "/hold").find("was put on hold"), std::string::npos);
    EXPECT_NE(body(session("officer"), held).find("badge on-hold"), std::string::npos);
    EXPECT_NE(post(session("officer") + " -d csrf_token=" + token, held + "/release").find("was released from hold"), std::string::npos);
    // A reason that is not one, or hold dressed as a reason, is bad input.
    EXPECT_EQ(status_of(post(session("officer") + " -d csrf_token=" + token + " -d reason=bored", held + "/revoke")), 400);
    EXPECT_EQ(status_of(post(session("officer") + " -d csrf_token=" + token + " -d reason=certificateHold", held + "/revoke")), 400);
}

TEST_F(Console, EveryPageEscapesAHostileSubjectAndTheStoryShowsTheFindingsOfADeniedRequest) {
    serve_console();
    // openssl's -subj takes '/' as a separator unless escaped.
    const std::string hostile = csr_with("hostile", "/CN=<script>alert(1)<\\/script>/O=<b>Org<\\/b>", "DNS:hostile.lab.test");
    const std::string pem = (dir / "hostile.pem").string();
    const std::int64_t issued_id = submit("WebServer", hostile, pem);
    ASSERT_GT(issued_id, 0);
    const std::int64_t pending_id = submit("ApprovedWeb", hostile);
    const std::int64_t denied_id = submit("WebServer", csr_with("denied", "/CN=<script>alert(1)<\\/script>",
                                                                "DNS:ok.lab.test,email:x@lab.test"));
    ASSERT_GT(denied_id, 0);

    login("admin");
    std::vector<std::string> pages{"/console", "/console/requests?state=all", "/console/requests?state=pending",
                                   "/console/requests?state=denied", "/console/audit",
                                   "/console/certificates", "/console/certificates?q=script",
                                   "/console/requests/" + kIssuing + "/" + std::to_string(issued_id),
                                   "/console/requests/" + kIssuing + "/" + std::to_string(pending_id),
                                   "/console/requests/" + kIssuing + "/" + std::to_string(denied_id)};
    if (std::filesystem::exists(pem)) pages.push_back("/console/certificates/" + kIssuing + "/" + serial_of(pem));
    for (const auto& page : pages) {
        const std::string html = body(session("admin"), page);
        EXPECT_NE(html.find("</html>"), std::string::npos) << page << "\n" << html;
        EXPECT_FALSE(has_injected_markup(html)) << page << "\n" << html;
    }
    EXPECT_NE(body(session("admin"), "/console/requests?state=all").find(kEscapedCn), std::string::npos);
    EXPECT_NE(body(session("admin"), "/console/certificates?q=script").find(kEscapedCn), std::string::npos);

    // The story of the denied request: its state and the template's finding about the email SAN.
    const std::string story = body(session("admin"), "/console/requests/" + kIssuing + "/" + std::to_string(denied_id));
    EXPECT_NE(story.find(kEscapedCn), std::string::npos) << story;
    EXPECT_NE(story.find("<span class=\"badge denied\">denied</span>"), std::string::npos) << story;
    EXPECT_NE(story.find("<h2>Findings</h2><table>"), std::string::npos) << story;
    EXPECT_NE(story.find("<span class=\"badge sev-error\">error</span>"), std::string::npos) << story;
    EXPECT_NE(story.find("template.san.type_not_allowed"), std::string::npos) << story;
    EXPECT_NE(story.find("-----BEGIN CERTIFICATE REQUEST-----"), std::string::npos) << story;
    EXPECT_NE(story.find("<code>email:x@lab.test</code>"), std::string::npos) << story;  // the decoded CSR
    EXPECT_NE(story.find("<code>deny</code>"), std::string::npos) << story;              // its audit event

    // Hostile query parameters: escaped where shown, refused where they must be one of a few.
    const std::string search = body(session("admin"), "/console/certificates?q=%22%3E%3Cscript%3Ex%3C%2Fscript%3E");
    EXPECT_FALSE(has_injected_markup(search)) << search;
    EXPECT_NE(search.find("value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""), std::string::npos) << search;
    const std::string bad_state = fetch(session("admin"), "/console/requests?state=%3Cscript%3E");
    EXPECT_EQ(status_of(bad_state), 400) << bad_state;
    EXPECT_FALSE(has_injected_markup(bad_state)) << bad_state;
    EXPECT_EQ(status(session("admin"), "/console/requests?ca=nope"), 400);
    EXPECT_EQ(status(session("admin"), "/console/certificates?template=nope"), 400);
    EXPECT_EQ(status(session("admin"), "/console/certificates?q=" + std::string(300, 'a')), 400);
    EXPECT_EQ(status(session("admin"), "/console/requests/" + kIssuing + "/abc"), 400);
    EXPECT_EQ(status(session("admin"), "/console/requests/" + kIssuing + "/-1"), 400);
    EXPECT_EQ(status(session("admin"), "/console/requests/" + kIssuing + "/999999"), 404);
    EXPECT_EQ(status(session("admin"), "/console/requests/%3Cscript%3E/1"), 404);
    EXPECT_EQ(status(session("admin"), "/console/certificates/" + kIssuing + "/not-hex"), 400);
    EXPECT_EQ(status(session("admin"), "/console/certificates/" + kIssuing + "/0abc"), 404);
}

}  // namespace
}  // namespace pkilab::test
