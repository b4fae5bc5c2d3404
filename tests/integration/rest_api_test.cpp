// The REST API v1 end to end: the real `pkilab serve`, driven by curl as each role. Submissions
// (issued, pending, denied by policy as a problem with its findings, bad input naming what is
// wrong), officer actions, what an enrollee may see, revocation reaching the served CRL,
// downloads that OpenSSL reads as one certificate, a preflight that stores nothing, the OpenAPI
// document against the routes the server answers, and bearer tokens.
#include <set>
#include <utility>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "web_fixture.hpp"

namespace pkilab::test {
namespace {

using nlohmann::json;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
// A serial as OpenSSL prints it: upper case, without the zero octet that keeps ours positive.
std::string openssl_serial(std::string serial) {
    while (serial.size() > 2 && serial.starts_with("00")) serial.erase(0, 2);
    for (char& c : serial) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return serial;
}
// A member's text ("" when it is not a string), for contains() and paths.
std::string str(const json& j) { return j.is_string() ? j.get<std::string>() : std::string(); }

// Every route the API module adds: the OpenAPI document must list exactly these.
const std::vector<std::pair<std::string, std::string>> kApiRoutes{
    {"GET", "/api/v1"},
    {"GET", "/api/v1/openapi.json"},
    {"GET", "/api/v1/whoami"},
    {"POST", "/api/v1/requests"},
    {"GET", "/api/v1/requests"},
    {"GET", "/api/v1/requests/{ca}/{id}"},
    {"POST", "/api/v1/requests/{ca}/{id}/approve"},
    {"POST", "/api/v1/requests/{ca}/{id}/deny"},
    {"POST", "/api/v1/requests/{ca}/{id}/resubmit"},
    {"POST", "/api/v1/check"},
    {"GET", "/api/v1/certificates"},
    {"GET", "/api/v1/certificates/{serial}"},
    {"GET", "/api/v1/certificates/{serial}/download"},
    {"POST", "/api/v1/certificates/{serial}/revoke"},
    {"POST", "/api/v1/certificates/{serial}/hold"},
    {"POST", "/api/v1/certificates/{serial}/release"},
    {"GET", "/api/v1/templates"},
    {"GET", "/api/v1/templates/{name}"},
    {"GET", "/api/v1/cas"},
    {"GET", "/api/v1/cas/{ca}/certificate"},
    {"GET", "/api/v1/cas/{ca}/chain"},
    {"GET", "/api/v1/crls"},
    {"GET", "/api/v1/audit"},
};

// Templates for the tests, on the issuing CA: one that waits for an officer, one that refuses
// names outside lab.test, one only officers may enroll for.
const std::string kTemplates = R"(templates:
  - name: ApprovedWeb
    display_name: Web Server (manager approval)
    base: WebServer
    issuance: {pend_all_requests: true}
  - name: LabWeb
    display_name: Lab Web Server
    base: WebServer
    san:
      dns: {required: true, patterns: ["*.lab.test"]}
  - name: OfficerOnly
    base: WebServer
    enroll: [officer]
)";

struct Answer {
    int status = 0;
    std::string type;
    std::string headers;  // lower-cased names as curl prints them: checked with contains()
    std::string text;
    json body;            // discarded when the body is not JSON

    std::string header(const std::string& name) const {
        std::string lower_headers = headers;
        for (char& c : lower_headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const size_t at = lower_headers.find("\n" + name + ":");
        if (at == std::string::npos) return {};
        size_t start = at + name.size() + 2;
        while (start < headers.size() && headers[start] == ' ') ++start;
        const size_t end = headers.find_first_of("\r\n", start);
        return headers.substr(start, end - start);
    }
};

// Every "$ref" under `node` names a schema of the document.
void expect_refs_resolve(const json& node, const json& schemas) {
    if (node.is_object()) {
        if (node.contains("$ref")) {
            const std::string ref = str(node["$ref"]), prefix = "#/components/schemas/";
            EXPECT_TRUE(ref.starts_with(prefix) && schemas.contains(ref.substr(prefix.size()))) << ref;
        }
        for (const auto& [key, value] : node.items()) expect_refs_resolve(value, schemas);
    } else if (node.is_array()) {
        for (const auto& value : node) expect_refs_resolve(value, schemas);
    }
}

class RestApi : public WebLab {
protected:
    void serve() {
        std::string lab = lab_text();
        const std::string list = "templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning]";
        const size_t at = lab.find(list);
        ASSERT_NE(at, std::string::npos);
        lab.replace(at, list.size(), "templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning, ApprovedWeb, LabWeb, OfficerOnly]");
        const size_t own = lab.find("\ntemplates: []");
        ASSERT_NE(own, std::string::npos);
        lab.replace(own + 1, std::string("templates: []").size(), kTemplates);
        lab_up(lab);
        start();
    }

    // One API call: `options` carry the credentials (basic("officer"), bearer("admin")), a
    // non-empty `body` is POSTed as application/json unless `options` say otherwise.
    Answer api(const std::string& options, const std::string& path, const std::string& body = "",
               const std::string& method = "") const {
        const std::string out = (dir / "answer.body").string(), head = (dir / "answer.head").string();
        std::string cmd = "curl -sS --max-time 20 --cacert " + quote(root_pem()) + " " + options + " -o " + quote(out) +
                          " -D " + quote(head) + " -w '%{http_code} %{content_type}'";
        if (!method.empty()) cmd += " -X " + method;
        if (!body.empty()) {
            const std::string file = (dir / "request.json").string();
            spit(file, body);
            if (!contains(options, "Content-Type")) cmd += " -H 'Content-Type: application/json'";
            cmd += " --data-binary @" + quote(file);
        }
        const RunResult r = run(cmd + " " + quote(https_base + path));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        Answer a;
        a.status = std::atoi(r.out.substr(0, 3).c_str());
        a.type = r.out.size() > 4 ? r.out.substr(4) : "";
        a.headers = "\n" + slurp(head);
        a.text = slurp(out);
        a.body = json::parse(a.text, nullptr, false);
        return a;
    }
    Answer post(const std::string& options, const std::string& path, const json& body = json::object()) const {
        return api(options, path, body.dump(), "POST");
    }

    json enrollment(const std::string& tmpl, const std::string& cn) const {
        return {{"template", tmpl}, {"csr", slurp(make_csr(cn))}};
    }
    // Submits as `role` and expects `status`.
    Answer submit(const std::string& role, const std::string& tmpl, const std::string& cn, int status) const {
        Answer a = post(basic(role), "/api/v1/requests", enrollment(tmpl, cn));
        EXPECT_EQ(a.status, status) << a.text;
        return a;
    }
    std::string issued_serial(const std::string& role, const std::string& cn) const {
        const Answer a = submit(role, "WebServer", cn, 201);
        return a.body.value("serial", std::string());
    }
    size_t stored_requests() const {
        const RunResult r = pkilab("--json request list");
        const json j = json::parse(r.out, nullptr, false);
        return j.is_array() ? j.size() : 0;
    }
    std::string sha256_of(const std::string& openssl_args) const {
        const RunResult r = run("openssl " + openssl_args + " | openssl x509 -noout -fingerprint -sha256");
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return r.out;
    }
};

TEST_F(RestApi, ACsrIsIssuedWith201TheCertificateAndTheRequestsLocation) {
    serve();
    const Answer a = submit("enrollee", "WebServer", "www.lab.test", 201);
    EXPECT_EQ(a.type, "application/json");
    EXPECT_EQ(a.body["state"], "issued");
    EXPECT_EQ(a.body["ca"], "lab-issuing-ca");
    const std::string location = a.header("location");
    EXPECT_EQ(location, "/api/v1/requests/lab-issuing-ca/" + std::to_string(a.body["request_id"].get<int>()));
    spit(dir / "issued.pem", a.body["certificate"].get<std::string>());
    const RunResult x = run("openssl x509 -noout -subject -serial -in " + quote((dir / "issued.pem").string()));
    EXPECT_TRUE(contains(x.out, "CN = www.lab.test")) << x.out;
    EXPECT_TRUE(contains(x.out, "serial=" + openssl_serial(str(a.body["serial"])))) << x.out;

    const Answer r = api(basic("enrollee"), location);
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["state"], "issued");
    EXPECT_EQ(r.body["requester"]["identity"], "alice");
    EXPECT_EQ(r.body["requester"]["channel"], "rest");
    EXPECT_TRUE(contains(r.body["csr"].get<std::string>(), "BEGIN CERTIFICATE REQUEST"));
    const Answer c = api(basic("enrollee"), str(a.body["links"]["certificate"]));
    ASSERT_EQ(c.status, 200) << c.text;
    EXPECT_EQ(c.body["status"], "valid");
    EXPECT_EQ(c.body["certificate"]["subject"], "CN=www.lab.test");

    // A CSR as base64 DER is the same request.
    const std::string der = run("openssl req -in " + quote(make_csr("der.lab.test")) + " -outform DER | base64 -w0").out;
    const Answer b = post(basic("enrollee"), "/api/v1/requests", {{"template", "WebServer"}, {"csr", der}});
    EXPECT_EQ(b.status, 201) << b.text;
}

TEST_F(RestApi, APendingRequestIs202AndOnlyAnOfficerApprovesOrDeniesIt) {
    serve();
    const Answer p = submit("enrollee", "ApprovedWeb", "pending.lab.test", 202);
    EXPECT_EQ(p.body["state"], "pending");
    const std::string location = p.header("location");
    ASSERT_FALSE(location.empty()) << p.headers;
    EXPECT_FALSE(p.body.contains("certificate"));

    const Answer refused = post(basic("enrollee"), location + "/approve");
    EXPECT_EQ(refused.status, 403) << refused.text;
    EXPECT_EQ(refused.type, "application/problem+json");
    EXPECT_EQ(post(basic("auditor"), location + "/approve").status, 403);

    const Answer approved = post(basic("officer"), location + "/approve");
    ASSERT_EQ(approved.status, 200) << approved.text;
    EXPECT_EQ(approved.body["state"], "issued");
    EXPECT_TRUE(contains(approved.body.value("certificate", std::string()), "BEGIN CERTIFICATE"));
    const Answer again = post(basic("officer"), location + "/approve");
    EXPECT_EQ(again.status, 409) << again.text;

    const Answer second = submit("enrollee", "ApprovedWeb", "second.lab.test", 202);
    const std::string second_location = second.header("location");
    const Answer denied = post(bearer("officer"), second_location + "/deny", {{"reason", "not in the change plan"}});
    ASSERT_EQ(denied.status, 200) << denied.text;
    EXPECT_EQ(denied.body["state"], "denied");
    EXPECT_TRUE(contains(str(denied.body["disposition"]), "not in the change plan")) << denied.text;
    const Answer seen = api(basic("enrollee"), second_location);
    EXPECT_EQ(seen.body["state"], "denied");
    EXPECT_EQ(post(basic("officer"), second_location + "/deny", {{"reasons", "x"}}).status, 400);

    // Resubmitting the denied request runs policy again: the template pends it once more.
    const Answer resubmitted = post(basic("officer"), second_location + "/resubmit");
    EXPECT_EQ(resubmitted.status, 202) << resubmitted.text;
    const Answer missing = post(basic("officer"), "/api/v1/requests/lab-issuing-ca/9999/approve");
    EXPECT_EQ(missing.status, 404) << missing.text;
}

TEST_F(RestApi, APolicyDenialIsA422ProblemWithTheFindingsInside) {
    serve();
    const Answer d = submit("enrollee", "LabWeb", "evil.example", 422);
    EXPECT_EQ(d.type, "application/problem+json");
    EXPECT_EQ(d.body["status"], 422);
    EXPECT_EQ(d.body["state"], "denied");
    ASSERT_TRUE(d.body["findings"].is_array());
    ASSERT_FALSE(d.body["findings"].empty()) << d.text;
    bool san = false;
    for (const auto& f : d.body["findings"]) san = san || contains(f.value("code", std::string()), "san");
    EXPECT_TRUE(san) << d.text;
    ASSERT_TRUE(d.body["request_id"].is_number()) << d.text;
    // The denial is a decided request: it is stored, and its requester can read it.
    const Answer r = api(basic("enrollee"), d.header("location"));
    EXPECT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["state"], "denied");
    EXPECT_FALSE(r.body["findings"].empty());
}

TEST_F(RestApi, BadBodiesAre400sThatNameWhatIsWrong) {
    serve();
    const size_t before = stored_requests();
    const std::string alice = basic("enrollee");
    const Answer bad_csr = post(alice, "/api/v1/requests", {{"template", "WebServer"}, {"csr", "bm90IGEgQ1NS"}});
    EXPECT_EQ(bad_csr.status, 400);
    EXPECT_EQ(bad_csr.type, "application/problem+json");
    EXPECT_EQ(bad_csr.body["field"], "csr") << bad_csr.text;
    EXPECT_TRUE(contains(str(bad_csr.body["detail"]), "PKCS#10")) << bad_csr.text;

    const Answer not_base64 = post(alice, "/api/v1/requests", {{"template", "WebServer"}, {"csr", "%%%"}});
    EXPECT_EQ(not_base64.status, 400);
    EXPECT_EQ(not_base64.body["field"], "csr") << not_base64.text;

    json extra = enrollment("WebServer", "extra.lab.test");
    extra["san"] = "dns:other.lab.test";
    const Answer unknown = post(alice, "/api/v1/requests", extra);
    EXPECT_EQ(unknown.status, 400);
    EXPECT_EQ(unknown.body["field"], "san") << unknown.text;

    const Answer not_json = api(alice, "/api/v1/requests", "{\"template\": \"WebServer\", csr}", "POST");
    EXPECT_EQ(not_json.status, 400);
    EXPECT_EQ(not_json.type, "application/problem+json");
    EXPECT_EQ(not_json.body["position"], 27) << not_json.text;
    EXPECT_TRUE(contains(str(not_json.body["detail"]), "not JSON")) << not_json.text;

    const Answer array = api(alice, "/api/v1/requests", "[1, 2]", "POST");
    EXPECT_EQ(array.status, 400);
    EXPECT_TRUE(contains(str(array.body["detail"]), "not an object")) << array.text;

    const Answer number = post(alice, "/api/v1/requests", {{"template", 5}, {"csr", "x"}});
    EXPECT_EQ(number.status, 400);
    EXPECT_EQ(number.body["field"], "template") << number.text;

    const Answer missing = post(alice, "/api/v1/requests", {{"template", "WebServer"}});
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(missing.body["field"], "csr") << missing.text;

    const Answer twice = api(alice, "/api/v1/requests", R"({"template": "WebServer", "template": "User", "csr": "x"})", "POST");
    EXPECT_EQ(twice.status, 400);
    EXPECT_EQ(twice.body["field"], "template") << twice.text;

    const Answer no_template = post(alice, "/api/v1/requests", enrollment("NoSuchTemplate", "none.lab.test"));
    EXPECT_EQ(no_template.status, 400);
    EXPECT_EQ(no_template.body["field"], "template") << no_template.text;

    const Answer deep = api(alice, "/api/v1/requests", std::string(200, '[') + std::string(200, ']'), "POST");
    EXPECT_EQ(deep.status, 400) << deep.text;

    const Answer huge = post(alice, "/api/v1/requests", {{"template", "WebServer"}, {"csr", std::string(200 * 1024, 'A')}});
    EXPECT_EQ(huge.status, 413) << huge.text;

    const Answer form = api(alice + " -H 'Content-Type: application/x-www-form-urlencoded'", "/api/v1/requests",
                            "template=WebServer&csr=x", "POST");
    EXPECT_EQ(form.status, 415) << form.text;

    const Answer query = api(alice, "/api/v1/requests?limit=5000");
    EXPECT_EQ(query.status, 400);
    EXPECT_EQ(query.body["field"], "limit") << query.text;
    const Answer unknown_query = api(alice, "/api/v1/requests?owner=bob");
    EXPECT_EQ(unknown_query.status, 400);
    EXPECT_EQ(unknown_query.body["field"], "owner") << unknown_query.text;
    EXPECT_EQ(api(alice, "/api/v1/requests/lab-issuing-ca/abc").status, 400);
    EXPECT_EQ(api(alice, "/api/v1/requests/lab-issuing-ca/-1").status, 400);

    // Nothing of that reached the store as a request.
    EXPECT_EQ(stored_requests(), before);
}

TEST_F(RestApi, EnrolleesSeeOnlyTheirOwnRequestsAndCertificates) {
    serve();
    // The server's own HTTPS certificate is a request and a certificate of the lab too.
    const size_t before = stored_requests();
    const Answer mine = submit("enrollee", "WebServer", "mine.lab.test", 201);
    const Answer theirs = submit("officer", "WebServer", "theirs.lab.test", 201);
    ASSERT_EQ(pkilab("request submit --template WebServer --csr " + quote(make_csr("cli.lab.test"))).exit_code, 0);

    const Answer list = api(basic("enrollee"), "/api/v1/requests");
    ASSERT_EQ(list.status, 200) << list.text;
    ASSERT_EQ(list.body["count"], 1) << list.text;
    EXPECT_EQ(list.body["requests"][0]["request_id"], mine.body["request_id"]);
    EXPECT_EQ(api(basic("enrollee"), theirs.header("location")).status, 404);
    EXPECT_EQ(api(basic("enrollee"), str(theirs.body["links"]["certificate"])).status, 404);
    EXPECT_EQ(api(basic("enrollee"), str(theirs.body["links"]["download"])).status, 404);

    const Answer certs = api(basic("enrollee"), "/api/v1/certificates");
    ASSERT_EQ(certs.status, 200) << certs.text;
    ASSERT_EQ(certs.body["count"], 1) << certs.text;
    EXPECT_EQ(certs.body["certificates"][0]["serial"], mine.body["serial"]);

    // Readers see everything, the command line's requests included.
    EXPECT_EQ(api(basic("auditor"), "/api/v1/requests").body["count"], before + 3);
    EXPECT_EQ(api(basic("auditor"), "/api/v1/certificates").body["count"], before + 3);
    EXPECT_EQ(api(basic("auditor"), theirs.header("location")).status, 200);

    // The template's enroll: list is the enroll permission.
    const Answer forbidden = submit("enrollee", "OfficerOnly", "officer-only.lab.test", 403);
    EXPECT_EQ(forbidden.type, "application/problem+json");
    EXPECT_TRUE(contains(str(forbidden.body["detail"]), "OfficerOnly")) << forbidden.text;
    submit("officer", "OfficerOnly", "officer-only.lab.test", 201);
    EXPECT_EQ(post(basic("auditor"), "/api/v1/requests", enrollment("WebServer", "auditor.lab.test")).status, 403);
}

TEST_F(RestApi, ARevokedCertificateShowsRevokedAndTheServedCrlListsIt) {
    serve();
    const std::string serial = issued_serial("enrollee", "revoke.lab.test");
    ASSERT_FALSE(serial.empty());
    EXPECT_EQ(post(basic("enrollee"), "/api/v1/certificates/" + serial + "/revoke", {{"reason", "keyCompromise"}}).status, 403);

    const Answer bad_reason = post(basic("officer"), "/api/v1/certificates/" + serial + "/revoke", {{"reason", "boredom"}});
    EXPECT_EQ(bad_reason.status, 400);
    EXPECT_EQ(bad_reason.body["field"], "reason") << bad_reason.text;
    const Answer bad_date = post(basic("officer"), "/api/v1/certificates/" + serial + "/revoke",
                                 {{"reason", "keyCompromise"}, {"invalidity_date", "yesterday"}});
    EXPECT_EQ(bad_date.status, 400);
    EXPECT_EQ(bad_date.body["field"], "invalidity_date") << bad_date.text;

    const Answer r = post(basic("officer"), "/api/v1/certificates/" + serial + "/revoke",
                          {{"reason", "keyCompromise"}, {"invalidity_date", "2020-01-02T03:04:05+01:00"}});
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["status"], "revoked");
    EXPECT_EQ(r.body["revocation"]["reason"], "keyCompromise");
    EXPECT_EQ(r.body["revocation"]["invalidity_date"], "2020-01-02T02:04:05Z");
    ASSERT_TRUE(r.body["crl_publication"].is_array()) << r.text;
    bool base = false;
    for (const auto& a : r.body["crl_publication"]) base = base || (a["kind"] == "base" && a.contains("crl"));
    EXPECT_TRUE(base) << r.text;
    EXPECT_EQ(api(basic("enrollee"), "/api/v1/certificates/" + serial).body["status"], "revoked");
    EXPECT_EQ(post(basic("officer"), "/api/v1/certificates/" + serial + "/revoke").status, 409);

    // The CRL that relying parties fetch, at the certificate's CDP over plain HTTP.
    const std::string crl = (dir / "served.crl").string();
    const RunResult fetched = run("curl -sS --max-time 20 -o " + quote(crl) + " -w '%{http_code}' " +
                                  quote(http_base + "/CertEnroll/lab-issuing-ca.crl"));
    ASSERT_EQ(fetched.out, "200");
    const RunResult text = run("openssl crl -inform DER -noout -text -in " + quote(crl));
    EXPECT_TRUE(contains(text.out, "Serial Number: " + openssl_serial(serial))) << text.out;
    EXPECT_TRUE(contains(text.out, "Key Compromise")) << text.out;

    // Hold and release: reversible, and the record says so each time.
    const std::string held = issued_serial("enrollee", "hold.lab.test");
    const Answer h = post(basic("officer"), "/api/v1/certificates/" + held + "/hold");
    ASSERT_EQ(h.status, 200) << h.text;
    EXPECT_EQ(h.body["status"], "on-hold");
    const Answer u = post(basic("officer"), "/api/v1/certificates/" + held + "/release", {{"ca", "lab-issuing-ca"}});
    ASSERT_EQ(u.status, 200) << u.text;
    EXPECT_EQ(u.body["status"], "valid");
    EXPECT_EQ(post(basic("officer"), "/api/v1/certificates/" + held + "/release").status, 409);
    const Answer search = api(basic("auditor"), "/api/v1/certificates?status=revoked");
    ASSERT_EQ(search.body["count"], 1) << search.text;
    EXPECT_EQ(search.body["certificates"][0]["serial"], serial);
}

TEST_F(RestApi, DownloadsInEveryFormatAreTheSameCertificate) {
    serve();
    const std::string serial = issued_serial("enrollee", "download.lab.test");
    const std::string base = "/api/v1/certificates/" + serial + "/download?format=";
    const std::string pem = (dir / "c.pem").string();
    struct Case {
        std::string format, type, openssl;
    };
    const std::vector<Case> cases{
        {"pem", "application/x-pem-file", "x509 -in FILE"},
        {"der", "application/pkix-cert", "x509 -inform DER -in FILE"},
        {"p7b", "application/pkcs7-mime", "pkcs7 -inform DER -print_certs -in FILE"},
        {"p7b-pem", "application/x-pem-file", "pkcs7 -print_certs -in FILE"},
        {"chain-pem", "application/x-pem-file", "x509 -in FILE"},
    };
    std::string expected;
    for (const auto& c : cases) {
        const std::string file = (dir / ("download." + c.format)).string();
        const std::string answer = curl(basic("enrollee"), base + c.format, file);
        EXPECT_EQ(answer.substr(0, 4 + c.type.size()), "200 " + c.type) << c.format << ": " << answer;
        std::string args = c.openssl;
        args.replace(args.find("FILE"), 4, quote(file));
        const std::string fingerprint = sha256_of(args);
        if (expected.empty()) expected = fingerprint;
        EXPECT_EQ(fingerprint, expected) << c.format;
    }
    // The PKCS#7 and chain forms carry the issuing CA and the root as well.
    EXPECT_EQ(run("openssl pkcs7 -inform DER -print_certs -noout -in " + quote((dir / "download.p7b").string()) + " | grep -c subject=").out,
              "3\n");
    EXPECT_EQ(run("grep -c 'BEGIN CERTIFICATE' " + quote((dir / "download.chain-pem").string())).out, "3\n");
    EXPECT_EQ(status(basic("enrollee"), base + "zip"), 400);

    // CA certificates are public: no credentials, and the same as `pkilab ca export`.
    const std::string ca_file = (dir / "ca.der").string();
    EXPECT_EQ(curl("", "/api/v1/cas/lab-issuing-ca/certificate?format=der", ca_file).substr(0, 25), "200 application/pkix-cert");
    EXPECT_EQ(sha256_of("x509 -inform DER -in " + quote(ca_file)),
              sha256_of("x509 -in " + quote((dir / "issuing.pem").string())));
    const std::string chain = (dir / "chain.p7b").string();
    EXPECT_EQ(curl("", "/api/v1/cas/lab-issuing-ca/chain?format=p7b", chain).substr(0, 26), "200 application/pkcs7-mime");
    EXPECT_EQ(run("openssl pkcs7 -inform DER -print_certs -noout -in " + quote(chain) + " | grep -c subject=").out, "2\n");
    EXPECT_EQ(status("", "/api/v1/cas/no-such-ca/certificate"), 404);
    // Over plain HTTP too, where relying parties fetch what certificates point at.
    EXPECT_EQ(run("curl -sS --max-time 20 -o /dev/null -w '%{http_code}' " +
                  quote(http_base + "/api/v1/cas/lab-issuing-ca/certificate")).out,
              "200");
    EXPECT_EQ(run("curl -sS --max-time 20 -o /dev/null -w '%{http_code}' " + quote(http_base + "/api/v1/cas")).out, "308");
}

TEST_F(RestApi, TheCheckEvaluatesARequestAndStoresNothing) {
    serve();
    const size_t before = stored_requests();
    const Answer ok = post(basic("enrollee"), "/api/v1/check", enrollment("WebServer", "check.lab.test"));
    ASSERT_EQ(ok.status, 200) << ok.text;
    EXPECT_EQ(ok.body["passes"], true);
    EXPECT_EQ(ok.body["would_issue"], true);
    EXPECT_EQ(ok.body["would_pend"], false);
    EXPECT_EQ(ok.body["stored"], false);
    EXPECT_EQ(ok.body["certificate"]["subject"], "CN=check.lab.test");
    EXPECT_EQ(ok.body["certificate"]["issuer"], "CN=pkilab Lab Issuing CA, O=pkilab, C=US");
    EXPECT_EQ(ok.body["certificate"]["sans"], json::array({"dns:check.lab.test"}));
    bool san_extension = false;
    for (const auto& e : ok.body["certificate"]["extensions"]) san_extension = san_extension || e["oid"] == "2.5.29.17";
    EXPECT_TRUE(san_extension) << ok.text;

    const Answer pend = post(basic("enrollee"), "/api/v1/check", enrollment("ApprovedWeb", "pend.lab.test"));
    EXPECT_EQ(pend.body["would_pend"], true) << pend.text;
    EXPECT_EQ(pend.body["would_issue"], false);
    const Answer deny = post(basic("enrollee"), "/api/v1/check", enrollment("LabWeb", "outside.example"));
    ASSERT_EQ(deny.status, 200) << deny.text;
    EXPECT_EQ(deny.body["passes"], false);
    EXPECT_FALSE(deny.body["findings"].empty());
    EXPECT_EQ(post(basic("enrollee"), "/api/v1/check", enrollment("OfficerOnly", "x.lab.test")).status, 403);

    EXPECT_EQ(stored_requests(), before);
    EXPECT_EQ(api(basic("auditor"), "/api/v1/requests").body["count"], before);
    // Nor did any of it reach the audit log as a submission.
    Answer audit = api(basic("auditor"), "/api/v1/audit?limit=1000");  // kept alive: the loop reads into it
    for (const auto& e : audit.body["events"])
        EXPECT_FALSE(contains(str(e["detail"]), "check.lab.test") || contains(str(e["detail"]), "pend.lab.test")) << e.dump();
}

TEST_F(RestApi, TheOpenApiDocumentListsEveryApiRouteTheServerAnswers) {
    serve();
    const Answer doc = api("", "/api/v1/openapi.json");
    ASSERT_EQ(doc.status, 200) << doc.text;
    ASSERT_FALSE(doc.body.is_discarded()) << doc.text;
    EXPECT_EQ(doc.body["openapi"], "3.0.3");
    // The document parses for Python too (the tools people point at it are not ours).
    spit(dir / "openapi.json", doc.text);
    EXPECT_EQ(run("python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d[\"paths\"]))' " +
                  quote((dir / "openapi.json").string())).exit_code, 0);

    std::set<std::pair<std::string, std::string>> documented;
    for (const auto& [path, ops] : doc.body["paths"].items())
        for (const auto& [method, op] : ops.items()) {
            std::string m = method;
            for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            documented.insert({m, path});
            EXPECT_TRUE(op.contains("x-pkilab-access")) << m << " " << path;
            EXPECT_TRUE(op.contains("summary")) << m << " " << path;
            const bool open = op["x-pkilab-access"] == "public";
            EXPECT_EQ(op["security"].empty(), open) << m << " " << path;
            for (const char* param : {"{ca}", "{id}", "{serial}", "{name}"})
                if (contains(path, param)) {
                    bool declared = false;
                    for (const auto& p : op["parameters"]) declared = declared || ("{" + p["name"].get<std::string>() + "}" == param);
                    EXPECT_TRUE(declared) << m << " " << path << " " << param;
                }
        }
    const std::set<std::pair<std::string, std::string>> built(kApiRoutes.begin(), kApiRoutes.end());
    EXPECT_EQ(documented, built);
    const json& schemas = doc.body["components"]["schemas"];
    for (const char* s : {"Request", "Certificate", "Problem", "Outcome"}) EXPECT_TRUE(schemas.contains(s)) << s;
    expect_refs_resolve(doc.body, schemas);
    EXPECT_EQ(doc.body["paths"]["/api/v1/requests"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
              "#/components/schemas/EnrollmentRequest");

    // Each documented route is one the server answers: with its parameters filled in, nothing is
    // 404 or 405. POSTs go as the auditor, whom every one of them refuses (403) before it acts.
    const std::string serial = issued_serial("enrollee", "openapi.lab.test");
    EXPECT_EQ(api(basic("admin"), "/api/v1/no-such-route").status, 404);
    for (const auto& [method, path] : documented) {
        std::string p = path;
        for (const auto& [param, value] : std::vector<std::pair<std::string, std::string>>{
                 {"{ca}", "lab-issuing-ca"}, {"{id}", "1"}, {"{serial}", serial}, {"{name}", "WebServer"}})
            if (const size_t at = p.find(param); at != std::string::npos) p.replace(at, param.size(), value);
        const Answer a = method == "GET" ? api(basic("admin"), p) : post(basic("auditor"), p);
        EXPECT_NE(a.status, 404) << method << " " << p << ": " << a.text;
        EXPECT_NE(a.status, 405) << method << " " << p << ": " << a.text;
        if (method == "GET") {
            EXPECT_EQ(a.status, 200) << p << ": " << a.text;
        }
    }
}

TEST_F(RestApi, BearerTokensWorkAndAWrongOneIs401WithABearerChallenge) {
    serve();
    const Answer me = api(bearer("enrollee"), "/api/v1/whoami");
    ASSERT_EQ(me.status, 200) << me.text;
    EXPECT_EQ(me.body["name"], "alice");
    EXPECT_EQ(me.body["role"], "enrollee");
    EXPECT_EQ(me.body["method"], "bearer");
    EXPECT_EQ(api(basic("admin"), "/api/v1/whoami").body["method"], "basic");

    const Answer wrong = api("-H 'Authorization: Bearer not-a-token-of-this-lab'", "/api/v1/whoami");
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.type, "application/problem+json");
    EXPECT_TRUE(contains(wrong.headers, "WWW-Authenticate: Bearer")) << wrong.headers;
    const Answer none = api("", "/api/v1");
    EXPECT_EQ(none.status, 401);
    EXPECT_TRUE(contains(none.headers, "WWW-Authenticate: Bearer")) << none.headers;
    EXPECT_EQ(post(bearer("enrollee"), "/api/v1/requests", enrollment("WebServer", "token.lab.test")).status, 201);
}

TEST_F(RestApi, TheCatalogDescribesTemplatesCasCrlsAndTheAuditLog) {
    serve();
    const Answer templates = api(basic("enrollee"), "/api/v1/templates");
    ASSERT_EQ(templates.status, 200) << templates.text;
    std::map<std::string, json> by_name;
    for (const auto& t : templates.body["templates"]) by_name[str(t["name"])] = t;
    ASSERT_TRUE(by_name.count("WebServer") && by_name.count("OfficerOnly")) << templates.text;
    EXPECT_EQ(by_name["WebServer"]["may_enroll"], true);
    EXPECT_EQ(by_name["OfficerOnly"]["may_enroll"], false);
    EXPECT_EQ(by_name["WebServer"]["cas"], json::array({"lab-issuing-ca"}));
    EXPECT_EQ(by_name["ApprovedWeb"]["pend_all_requests"], true);
    EXPECT_EQ(api(basic("officer"), "/api/v1/templates/OfficerOnly").body["may_enroll"], true);
    EXPECT_EQ(api(basic("officer"), "/api/v1/templates/Nope").status, 404);

    const Answer cas = api(basic("enrollee"), "/api/v1/cas");
    ASSERT_EQ(cas.status, 200) << cas.text;
    ASSERT_EQ(cas.body["count"], 2);
    for (const auto& ca : cas.body["cas"]) {
        if (ca["name"] == "lab-issuing-ca") {
            EXPECT_EQ(ca["parent"], "lab-root-ca");
            EXPECT_FALSE(ca["urls"]["cdp"].empty());
        } else {
            EXPECT_TRUE(ca["parent"].is_null());
        }
    }

    EXPECT_EQ(api(basic("enrollee"), "/api/v1/crls").status, 403);
    const Answer crls = api(basic("auditor"), "/api/v1/crls");
    ASSERT_EQ(crls.status, 200) << crls.text;
    EXPECT_EQ(crls.body["cas"].size(), 2u);
    EXPECT_TRUE(crls.body["cas"][0].contains("base")) << crls.text;
    // The same document as `pkilab crl status --json`, CA by CA.
    const json cli = json::parse(pkilab("--json crl status").out, nullptr, false);
    EXPECT_EQ(crls.body["cas"], cli);

    EXPECT_EQ(api(basic("enrollee"), "/api/v1/audit").status, 403);
    const Answer first = api(basic("auditor"), "/api/v1/audit?limit=2");
    ASSERT_EQ(first.status, 200) << first.text;
    ASSERT_EQ(first.body["count"], 2);
    const auto after = first.body["next_after"].get<long>();
    const Answer next = api(basic("auditor"), "/api/v1/audit?limit=2&after=" + std::to_string(after));
    ASSERT_EQ(next.status, 200) << next.text;
    ASSERT_FALSE(next.body["events"].empty());
    EXPECT_GT(next.body["events"][0]["id"].get<long>(), after);
    EXPECT_EQ(api(basic("auditor"), "/api/v1/audit?after=x").status, 400);
}

}  // namespace
}  // namespace pkilab::test
