// AD CS web enrollment ("certsrv") end to end: the real `pkilab serve`, driven by curl the way
// certsrv clients drive AD CS (the acceptance kit's certsrv.sh replays magnuswatn/certsrv), and
// what it hands out checked by openssl.
#include <filesystem>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "web_fixture.hpp"

namespace pkilab::test {
namespace {

const std::string kAcceptanceScript = std::string(PKILAB_SOURCE_DIR) + "/../shared/acceptance/certsrv.sh";
const std::string kIssuingTemplates = "templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning]";

class Certsrv : public WebLab {
protected:
    // The default lab with two more templates on the issuing CA: PendingWeb waits for an
    // officer, OfficerWeb only officers may enroll for.
    std::string lab_with_templates(const std::string& extra_web = "  rate_limit_per_minute: 0\n") const {
        std::string lab = lab_text(extra_web);
        const size_t published = lab.find(kIssuingTemplates);
        EXPECT_NE(published, std::string::npos);
        lab.replace(published, kIssuingTemplates.size(),
                    "templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning, PendingWeb, OfficerWeb]");
        const size_t own = lab.find("\ntemplates: []");
        EXPECT_NE(own, std::string::npos);
        lab.replace(own, 14,
                    "\ntemplates:\n"
                    "  - name: PendingWeb\n"
                    "    base: WebServer\n"
                    "    issuance: {pend_all_requests: true}\n"
                    "  - name: OfficerWeb\n"
                    "    base: WebServer\n"
                    "    enroll: [officer]\n");
        return lab;
    }

    void serve(const std::string& extra_web = "  rate_limit_per_minute: 0\n") {
        lab_up(lab_with_templates(extra_web));
        start();
    }

    std::string file(const std::string& name) const { return (dir / name).string(); }

    // certfnsh.asp Mode=newreq as certsrv clients send it; the page goes to `page`. Returns curl's
    // "STATUS TYPE SIZE".
    std::string submit(const std::string& auth, const std::string& csr, const std::string& attrib, const std::string& page,
                       const std::string& extra = "") const {
        const std::string attrib_file = page + ".attrib";
        spit(attrib_file, attrib);
        return curl(auth + " --data-urlencode Mode=newreq --data-urlencode " + quote("CertRequest@" + csr) +
                        " --data-urlencode " + quote("CertAttrib@" + attrib_file) +
                        " --data-urlencode 'FriendlyType=Saved-Request Certificate' --data-urlencode TargetStoreFlags=0"
                        " --data-urlencode SaveCert=yes " + extra,
                    "/certsrv/certfnsh.asp", page);
    }

    // The ReqID of an issued page, as magnuswatn/certsrv finds it; -1 when there is none.
    static long issued_id(const std::string& html) {
        std::smatch m;
        return std::regex_search(html, m, std::regex(R"(certnew.cer\?ReqID=(\d+)&)")) ? std::stol(m[1]) : -1;
    }
    static long pending_id(const std::string& html) {
        std::smatch m;
        if (html.find("Certificate Pending") == std::string::npos) return -1;
        return std::regex_search(html, m, std::regex(R"(Your Request Id is (\d+)\.)")) ? std::stol(m[1]) : -1;
    }
    // The disposition message as the client reads it, with the page's escapes undone.
    static std::string disposition(const std::string& html) {
        std::smatch m;
        if (!std::regex_search(html, m, std::regex(R"(The disposition message is "([^"]+))"))) return "";
        std::string text = m[1];
        for (const auto& [from, to] : {std::pair{"&#39;", "'"}, {"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}})
            for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + 1))
                text.replace(at, std::string(from).size(), to);
        return text;
    }

    // Issues a WebServer certificate for `cn` to `role`; returns its request id.
    long issue(const std::string& role, const std::string& cn) {
        const std::string page = file(cn + ".html");
        EXPECT_EQ(submit(basic(role), make_csr(cn), "CertificateTemplate:WebServer\r\n", page).substr(0, 4), "200 ");
        const long id = issued_id(slurp(page));
        EXPECT_GT(id, 0) << slurp(page);
        return id;
    }

    RunResult openssl(const std::string& args) const { return run("openssl " + args); }
};

TEST_F(Certsrv, TheAcceptanceKitsCertsrvScriptPasses) {
    if (!std::filesystem::exists(kAcceptanceScript)) GTEST_SKIP() << "no " << kAcceptanceScript;
    serve();
    const auto& alice = user("enrollee");
    const std::string out = file("acceptance");
    const RunResult r = run("env CERTSRV_URL=" + quote(https_base + "/certsrv") + " CA_CERT=" + quote(root_pem()) +
                            " CERTSRV_USER=" + quote(alice.name) + " CERTSRV_PASS=" + quote(alice.password) +
                            " CERTSRV_TEMPLATE=WebServer CERTSRV_PENDING_TEMPLATE=PendingWeb OUT_DIR=" + quote(out) +
                            " bash " + quote(kAcceptanceScript));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find(" 0 failed"), std::string::npos) << r.out;
}

TEST_F(Certsrv, SubmissionsAnswerInTheShapesClientsParse) {
    serve();
    const std::string csr = make_csr("shapes.lab.test");

    const std::string issued = file("issued.html");
    const std::string answer = submit(basic("enrollee"), csr, "CertificateTemplate:WebServer\r\n", issued);
    EXPECT_EQ(answer, "200 text/html; charset=utf-8 " + std::to_string(std::filesystem::file_size(issued)));
    EXPECT_NE(slurp(issued).find("Certificate Issued"), std::string::npos);
    EXPECT_GT(issued_id(slurp(issued)), 0) << slurp(issued);
    EXPECT_NE(slurp(issued).find("certnew.p7b?ReqID="), std::string::npos);

    const std::string pending = file("pending.html");
    EXPECT_EQ(submit(basic("enrollee"), csr, "CertificateTemplate:PendingWeb\n", pending).substr(0, 4), "200 ");
    EXPECT_GT(pending_id(slurp(pending)), issued_id(slurp(issued))) << slurp(pending);
    EXPECT_EQ(issued_id(slurp(pending)), -1);

    // AD CS's policy module messages, with their codes.
    const struct {
        const char* name;
        std::string attrib;
        std::string disposition;
    } denials[] = {
        {"unknown template", "CertificateTemplate:NoSuchTemplate\r\n",
         "Denied by Policy Module  0x80094800, The requested certificate template is not supported by this CA: NoSuchTemplate."},
        {"template of another CA", "CertificateTemplate:SubCA\r\n",
         "Denied by Policy Module  0x80094800, The requested certificate template is not supported by this CA: SubCA."},
        {"no template", "UserAgent:curl\r\n",
         "Denied by Policy Module  0x80094801, The request contains no certificate template information."},
        {"not permitted", "CertificateTemplate:OfficerWeb\r\n",
         "Denied by Policy Module  0x80094012, The permissions on the certificate template do not allow the current user "
         "to enroll for this type of certificate: user alice (enrollee) is not permitted to enroll for template OfficerWeb."},
    };
    for (const auto& d : denials) {
        const std::string page = file("denied.html");
        EXPECT_EQ(submit(basic("enrollee"), csr, d.attrib, page).substr(0, 4), "200 ") << d.name;
        const std::string html = slurp(page);
        EXPECT_NE(html.find("Certificate Request Denied"), std::string::npos) << d.name << html;
        EXPECT_EQ(disposition(html), d.disposition) << d.name;
        EXPECT_EQ(issued_id(html), -1) << d.name;
    }
    // The officer may enroll for the template the enrollee may not.
    const std::string officer = file("officer.html");
    EXPECT_EQ(submit(basic("officer"), csr, "CertificateTemplate:OfficerWeb\r\n", officer).substr(0, 4), "200 ");
    EXPECT_GT(issued_id(slurp(officer)), 0) << slurp(officer);

    // A CSR that cannot be read is an error page with the reason, still 200 as AD CS answers.
    spit(file("bad.csr"), "-----BEGIN CERTIFICATE REQUEST-----\nnot base64!\n-----END CERTIFICATE REQUEST-----\n");
    const std::string bad = file("bad.html");
    EXPECT_EQ(submit(basic("enrollee"), file("bad.csr"), "CertificateTemplate:WebServer\r\n", bad).substr(0, 4), "200 ");
    EXPECT_NE(slurp(bad).find("<h1>Error</h1>"), std::string::npos) << slurp(bad);
    EXPECT_NE(disposition(slurp(bad)).find("Error Parsing Request: certsrv request: CertRequest: has a character that is not base64"),
              std::string::npos)
        << slurp(bad);
    spit(file("garbage.csr"), "MIIBAAAA");  // base64 of a truncated SEQUENCE: the CSR parser's refusal
    EXPECT_EQ(submit(basic("enrollee"), file("garbage.csr"), "CertificateTemplate:WebServer\r\n", bad).substr(0, 4), "200 ");
    EXPECT_NE(disposition(slurp(bad)).find("Error Parsing Request: CSR"), std::string::npos) << slurp(bad);
}

TEST_F(Certsrv, APolicyDenialCarriesTheDispositionMessageAndTheFindings) {
    serve();
    const std::string csr = file("weak.csr");
    ASSERT_EQ(openssl("req -new -newkey rsa:1024 -nodes -keyout " + quote(file("weak.key")) +
                      " -subj /CN=weak.lab.test -addext subjectAltName=DNS:weak.lab.test -out " + quote(csr))
                  .exit_code,
              0);
    const std::string page = file("weak.html");
    EXPECT_EQ(submit(basic("enrollee"), csr, "CertificateTemplate:WebServer\r\n", page).substr(0, 4), "200 ");
    const std::string html = slurp(page);
    EXPECT_NE(html.find("Certificate Request Denied"), std::string::npos) << html;
    EXPECT_NE(html.find("Your Request Id is "), std::string::npos) << html;
    const std::string message = disposition(html);
    EXPECT_EQ(message.rfind("Denied by policy:", 0), 0u) << html;
    EXPECT_NE(message.find("1024"), std::string::npos) << message;
    EXPECT_NE(html.find("<ul class=\"findings\">"), std::string::npos) << html;
    // The denial is the store's too.
    const RunResult list = pkilab("request list --ca lab-issuing-ca");
    EXPECT_NE(list.out.find("denied"), std::string::npos) << list.out;
}

TEST_F(Certsrv, ASanAttributeIsIgnoredWithANoticeAndTheCertificateHasTheCsrsNamesOnly) {
    serve();
    const std::string page = file("san.html");
    EXPECT_EQ(submit(basic("enrollee"), make_csr("own.lab.test"),
                     "CertificateTemplate:WebServer\r\nSAN:dns=dc01.lab.test&upn=administrator@lab.test\r\n", page)
                  .substr(0, 4),
              "200 ");
    const std::string html = slurp(page);
    EXPECT_NE(html.find("The request attribute SAN:dns=dc01.lab.test&amp;upn=administrator@lab.test was ignored"),
              std::string::npos)
        << html;
    EXPECT_NE(html.find("ESC6"), std::string::npos);
    EXPECT_NE(html.find("EDITF_ATTRIBUTESUBJECTALTNAME2"), std::string::npos);
    const long id = issued_id(html);
    ASSERT_GT(id, 0) << html;
    const std::string cert = file("san.pem");
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certnew.cer?ReqID=" + std::to_string(id) + "&Enc=b64", cert).substr(0, 26),
              "200 application/pkix-cert ");
    const RunResult san = openssl("x509 -in " + quote(cert) + " -noout -ext subjectAltName");
    EXPECT_NE(san.out.find("DNS:own.lab.test"), std::string::npos) << san.out;
    EXPECT_EQ(san.out.find("dc01"), std::string::npos) << san.out;
    EXPECT_EQ(san.out.find("administrator"), std::string::npos) << san.out;
    const RunResult audit = pkilab("audit --limit 1000");
    EXPECT_NE(audit.out.find("san-attribute"), std::string::npos) << audit.out;
}

TEST_F(Certsrv, WithTheEsc6SettingOnAnEnrolleeGetsACertificateForAnyoneItNames) {
    // The lesson: with EDITF_ATTRIBUTESUBJECTALTNAME2 on, alice asks for a User certificate and
    // names the administrator in a request attribute that no signature covers.
    lab_up(lab_with_templates("  rate_limit_per_minute: 0\n  san_from_request_attributes: true\n"));
    const RunResult again = pkilab("lab up " + quote((dir / "lab.yaml").string()));
    EXPECT_NE(again.out.find("web.san_from_request_attributes is ON"), std::string::npos) << again.out;
    start();
    const std::string form = body(basic("enrollee"), "/certsrv/certrqxt.asp");
    EXPECT_NE(form.find("WARNING: this lab takes subject alternative names"), std::string::npos) << form;
    const std::string csr = file("esc6.csr");
    ASSERT_EQ(run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + quote(file("esc6.key")) +
                  " -subj /CN=alice -out " + quote(csr))
                  .exit_code,
              0);
    const std::string page = file("esc6.html");
    EXPECT_EQ(submit(basic("enrollee"), csr, "CertificateTemplate:User\r\nSAN:upn=administrator@lab.test\r\n", page).substr(0, 4),
              "200 ");
    const std::string html = slurp(page);
    EXPECT_NE(html.find("WARNING: the subject alternative names SAN:upn=administrator@lab.test"), std::string::npos) << html;
    EXPECT_NE(html.find("request.san_from_attribute"), std::string::npos) << html;
    const long id = issued_id(html);
    ASSERT_GT(id, 0) << html;
    const std::string cert = file("esc6.pem");
    ASSERT_EQ(curl(basic("enrollee"), "/certsrv/certnew.cer?ReqID=" + std::to_string(id) + "&Enc=b64", cert).substr(0, 4), "200 ");
    const RunResult san = openssl("x509 -in " + quote(cert) + " -noout -ext subjectAltName");
    EXPECT_NE(san.out.find("administrator@lab.test"), std::string::npos) << san.out;
    const RunResult audit = pkilab("audit --limit 1000");
    EXPECT_NE(audit.out.find("ESC6"), std::string::npos) << audit.out;

    // A template that waits for an officer cannot carry attribute names through the approval.
    EXPECT_EQ(submit(basic("enrollee"), make_csr("esc6-pending.lab.test"),
                     "CertificateTemplate:PendingWeb\r\nSAN:dns=dc01.lab.test\r\n", page).substr(0, 4),
              "200 ");
    EXPECT_NE(disposition(slurp(page)).find("cannot wait for approval"), std::string::npos) << slurp(page);
    // Names the templates cannot hold are refused, not dropped.
    EXPECT_EQ(submit(basic("enrollee"), csr, "CertificateTemplate:User\r\nSAN:guid=0123\r\n", page).substr(0, 4), "200 ");
    EXPECT_EQ(issued_id(slurp(page)), -1) << slurp(page);
}

TEST_F(Certsrv, AnEnrolleeSeesOnlyItsOwnRequests) {
    serve();
    const std::string id = std::to_string(issue("officer", "olivias.lab.test"));
    const std::string path = "/certsrv/certnew.cer?ReqID=" + id + "&Enc=b64";
    EXPECT_EQ(status(basic("officer"), path), 200);
    EXPECT_EQ(status(basic("auditor"), path), 200);  // reads everything
    EXPECT_EQ(status(basic("admin"), path), 200);
    const std::string refused = file("refused.html");
    EXPECT_EQ(curl(basic("enrollee"), path, refused).substr(0, 4), "404 ");
    EXPECT_NE(slurp(refused).find("no such request that you may see"), std::string::npos) << slurp(refused);
    EXPECT_EQ(status(basic("enrollee"), "/certsrv/certnew.p7b?ReqID=" + id + "&Enc=bin"), 404);
    EXPECT_EQ(status(basic("enrollee"), "/certsrv/certckpn.asp?ReqID=" + id), 404);
    // ... the same answer as for a request that does not exist.
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certnew.cer?ReqID=999&Enc=b64", refused).substr(0, 4), "404 ");
    EXPECT_NE(slurp(refused).find("no such request that you may see"), std::string::npos);
    // Her own she gets.
    EXPECT_EQ(status(basic("enrollee"), "/certsrv/certnew.cer?ReqID=" + std::to_string(issue("enrollee", "alices.lab.test")) +
                                            "&Enc=bin"),
              200);
}

TEST_F(Certsrv, OnlyRolesThatEnrollMaySubmitAndOnlyUsersMayRead) {
    serve();
    EXPECT_EQ(submit(basic("auditor"), make_csr("audrey.lab.test"), "CertificateTemplate:WebServer\r\n", file("a.html"))
                  .substr(0, 4),
              "403 ");
    const std::string anonymous = fetch("", "/certsrv/");
    EXPECT_EQ(anonymous.rfind("HTTP/1.1 401", 0), 0u) << anonymous;
    EXPECT_NE(anonymous.find("WWW-Authenticate: Basic realm="), std::string::npos) << anonymous;
    for (const char* path : {"/certsrv/certnew.cer?ReqID=CACert&Enc=bin", "/certsrv/certcarc.asp", "/certsrv/certcrl.crl"})
        EXPECT_EQ(status("", path), 401) << path;
    EXPECT_EQ(status("-u 'alice:wrong-password'", "/certsrv/"), 401);
    EXPECT_EQ(status(bearer("enrollee"), "/certsrv/"), 200);
    // Over plain HTTP the pages are sent to HTTPS, and credentials are refused.
    const RunResult plain = run("curl -sS -o /dev/null -w '%{http_code}' " + quote(http_base + "/certsrv/certcarc.asp"));
    EXPECT_EQ(plain.out, "308");
}

TEST_F(Certsrv, DownloadsAreWhatTheySayTheyAre) {
    serve();
    const std::string id = std::to_string(issue("enrollee", "files.lab.test"));
    const std::string pem = file("leaf.pem"), der = file("leaf.der");
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certnew.cer?ReqID=" + id + "&Enc=b64", pem).substr(0, 26),
              "200 application/pkix-cert ");
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certnew.cer?ReqID=" + id + "&Enc=bin", der).substr(0, 26),
              "200 application/pkix-cert ");
    EXPECT_EQ(slurp(pem).rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
    EXPECT_EQ(openssl("x509 -in " + quote(pem) + " -outform DER -out " + quote(file("from-pem.der"))).exit_code, 0);
    EXPECT_EQ(slurp(file("from-pem.der")), slurp(der));
    const RunResult verify = openssl("verify -CAfile " + quote(root_pem()) + " -untrusted " +
                                     quote(file("issuing.pem")) + " " + quote(pem));
    EXPECT_EQ(verify.exit_code, 0) << verify.out;

    for (const char* enc : {"bin", "b64"}) {
        const std::string p7 = file(std::string("leaf-") + enc + ".p7b");
        EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certnew.p7b?ReqID=" + id + "&Enc=" + enc, p7).substr(0, 37),
                  "200 application/x-pkcs7-certificates ");
        const RunResult certs = openssl("pkcs7 -inform " + std::string(enc == std::string("bin") ? "DER" : "PEM") + " -in " +
                                        quote(p7) + " -print_certs -noout");
        EXPECT_EQ(certs.exit_code, 0) << certs.out;
        EXPECT_NE(certs.out.find("CN = files.lab.test"), std::string::npos) << certs.out;
        EXPECT_NE(certs.out.find("CN = pkilab Lab Issuing CA"), std::string::npos) << certs.out;
        EXPECT_NE(certs.out.find("CN = pkilab Lab Root CA"), std::string::npos) << certs.out;
    }
    const std::string chain = file("chain.p7b");
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certnew.p7b?ReqID=CACert&Renewal=0&Enc=bin", chain).substr(0, 4), "200 ");
    const RunResult ca_chain = openssl("pkcs7 -inform DER -in " + quote(chain) + " -print_certs -noout");
    EXPECT_NE(ca_chain.out.find("CN = pkilab Lab Issuing CA"), std::string::npos) << ca_chain.out;
    EXPECT_NE(ca_chain.out.find("CN = pkilab Lab Root CA"), std::string::npos) << ca_chain.out;
    EXPECT_EQ(ca_chain.out.find("files.lab.test"), std::string::npos) << ca_chain.out;
    const std::string ca = file("ca.der");
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certnew.cer?ReqID=CACert&Renewal=0&Enc=bin", ca).substr(0, 4), "200 ");
    EXPECT_EQ(openssl("x509 -in " + quote(file("issuing.pem")) + " -outform DER -out " + quote(file("issuing.der"))).exit_code, 0);
    EXPECT_EQ(slurp(ca), slurp(file("issuing.der")));
    EXPECT_EQ(status(basic("enrollee"), "/certsrv/certnew.cer?ReqID=CACert&Renewal=1&Enc=bin"), 404);

    for (const char* query : {"", "?Type=base&Renewal=0&Enc=bin", "?Type=delta"}) {
        const std::string crl = file("served.crl");
        EXPECT_EQ(curl(basic("enrollee"), std::string("/certsrv/certcrl.crl") + query, crl).substr(0, 25),
                  "200 application/pkix-crl ")
            << query;
        const RunResult parsed = openssl("crl -inform DER -in " + quote(crl) + " -noout -issuer");
        EXPECT_EQ(parsed.exit_code, 0) << query << parsed.out;
        EXPECT_NE(parsed.out.find("pkilab Lab Issuing CA"), std::string::npos) << parsed.out;
    }
    const std::string crl_pem = file("served-crl.pem");
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certcrl.crl?Type=base&Enc=b64", crl_pem).substr(0, 4), "200 ");
    EXPECT_EQ(openssl("crl -in " + quote(crl_pem) + " -noout").exit_code, 0);

    // Bad parameters are named.
    const std::string bad = file("bad-param.html");
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certnew.cer?ReqID=12x&Enc=bin", bad).substr(0, 4), "400 ");
    EXPECT_NE(slurp(bad).find("ReqID: is not a request id"), std::string::npos) << slurp(bad);
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certnew.cer?ReqID=" + id + "&Enc=pem", bad).substr(0, 4), "400 ");
    EXPECT_NE(slurp(bad).find("Enc: must be bin (DER) or b64 (PEM)"), std::string::npos) << slurp(bad);
    EXPECT_EQ(status(basic("enrollee"), "/certsrv/certcrl.crl?Type=full"), 400);
    EXPECT_EQ(status(basic("enrollee"), "/certsrv/certnew.cer?ReqID=1&ReqID=2"), 400);
}

TEST_F(Certsrv, AnOfficerApprovesAPendingRequestAndTheStatusPageShowsItIssued) {
    serve();
    const std::string page = file("pending.html");
    EXPECT_EQ(submit(basic("enrollee"), make_csr("later.lab.test"), "CertificateTemplate:PendingWeb\r\n", page).substr(0, 4),
              "200 ");
    const long pending = pending_id(slurp(page));
    ASSERT_GT(pending, 0) << slurp(page);
    const std::string id = std::to_string(pending);

    // Not yet: AD CS's retrieval error, with the disposition where clients look for it.
    const std::string not_yet = file("not-yet.html");
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certnew.cer?ReqID=" + id + "&Enc=b64", not_yet).substr(0, 4), "404 ");
    std::smatch m;
    const std::string html = slurp(not_yet);
    ASSERT_TRUE(std::regex_search(html, m, std::regex("Disposition message:[^\t]+\t\t([^\r\n]+)"))) << html;
    EXPECT_EQ(m[1], "Taken Under Submission");
    const std::string list = file("list.html");
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certckpn.asp", list).substr(0, 4), "200 ");
    EXPECT_NE(slurp(list).find("certckpn.asp?ReqID=" + id + "\""), std::string::npos) << slurp(list);
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certckpn.asp?ReqID=" + id, list).substr(0, 4), "200 ");
    EXPECT_NE(slurp(list).find("Certificate Pending"), std::string::npos) << slurp(list);
    EXPECT_NE(slurp(list).find("still pending"), std::string::npos);

    const RunResult approve = pkilab("request approve " + id + " --ca lab-issuing-ca");
    ASSERT_EQ(approve.exit_code, 0) << approve.out;

    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certckpn.asp?ReqID=" + id, list).substr(0, 4), "200 ");
    EXPECT_NE(slurp(list).find("Certificate Issued"), std::string::npos) << slurp(list);
    EXPECT_EQ(issued_id(slurp(list)), pending);
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certfnsh.asp?ReqID=" + id, list).substr(0, 4), "200 ");
    EXPECT_EQ(issued_id(slurp(list)), pending);
    // AD CS's own check: certfnsh.asp Mode=chkpnd.
    EXPECT_EQ(curl(basic("enrollee") + " --data-urlencode Mode=chkpnd --data-urlencode ReqID=" + id, "/certsrv/certfnsh.asp",
                   list)
                  .substr(0, 4),
              "200 ");
    EXPECT_EQ(issued_id(slurp(list)), pending) << slurp(list);
    const std::string cert = file("later.pem");
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certnew.cer?ReqID=" + id + "&Enc=b64", cert).substr(0, 26),
              "200 application/pkix-cert ");
    EXPECT_NE(openssl("x509 -in " + quote(cert) + " -noout -subject").out.find("later.lab.test"), std::string::npos);
    // Nothing pending any more.
    EXPECT_EQ(curl(basic("enrollee"), "/certsrv/certckpn.asp", list).substr(0, 4), "200 ");
    EXPECT_NE(slurp(list).find("You have no pending certificate requests."), std::string::npos) << slurp(list);
}

TEST_F(Certsrv, PagesAnswerInAnyCaseAndCarryWhatClientsAndBrowsersNeed) {
    serve();
    EXPECT_EQ(status(basic("enrollee"), "/CertSrv/CertNew.cer?ReqID=CACert&Renewal=0&Enc=bin"), 200);
    EXPECT_EQ(status(basic("enrollee"), "/CERTSRV/"), 200);
    EXPECT_EQ(status(basic("enrollee"), "/certsrv/default.asp"), 200);

    const std::string carc = fetch(basic("enrollee"), "/certsrv/certcarc.asp");
    EXPECT_NE(carc.find("<script type=\"text/plain\" id=\"certsrv-renewals\">var nRenewals=0;</script>"), std::string::npos)
        << carc;
    EXPECT_NE(carc.find("Content-Security-Policy: default-src 'self'; script-src 'self'"), std::string::npos);
    EXPECT_NE(carc.find("certnew.cer?ReqID=CACert&amp;Renewal=0&amp;Enc=bin"), std::string::npos);
    EXPECT_NE(carc.find("certcrl.crl?Type=delta"), std::string::npos);  // the issuing CA publishes deltas

    // The form offers what the caller may enroll for, and carries the CSRF token.
    const std::string alice = body(basic("enrollee"), "/certsrv/certrqxt.asp");
    EXPECT_NE(alice.find("<option value=\"WebServer\">"), std::string::npos) << alice;
    EXPECT_NE(alice.find("<option value=\"PendingWeb\">"), std::string::npos);
    EXPECT_EQ(alice.find("<option value=\"OfficerWeb\">"), std::string::npos);
    EXPECT_EQ(alice.find("<option value=\"SubCA\">"), std::string::npos);
    EXPECT_NE(alice.find("name=\"csrf_token\""), std::string::npos);
    EXPECT_NE(alice.find("data-fills=\"CertRequest\""), std::string::npos);
    EXPECT_NE(alice.find("name=\"CertAttrib\""), std::string::npos);
    EXPECT_NE(body(basic("officer"), "/certsrv/certrqxt.asp").find("<option value=\"OfficerWeb\">"), std::string::npos);
    const std::string audrey = body(basic("auditor"), "/certsrv/certrqxt.asp");
    EXPECT_EQ(audrey.find("<form method=\"post\" action=\"/certsrv/certfnsh.asp\""), std::string::npos) << audrey;
    EXPECT_NE(body(basic("enrollee"), "/certsrv/certrqus.asp").find("/certsrv/certrqxt.asp"), std::string::npos);
    const std::string home = body(basic("enrollee"), "/certsrv");
    for (const char* link : {"/certsrv/certrqus.asp", "/certsrv/certckpn.asp", "/certsrv/certcarc.asp"})
        EXPECT_NE(home.find(link), std::string::npos) << link;
}

TEST_F(Certsrv, ABrowserSessionSubmitsTheFormWithItsCsrfToken) {
    serve();
    const auto& alice = user("enrollee");
    const std::string jar = file("cookies");
    EXPECT_EQ(curl("-c " + quote(jar) + " --data-urlencode username=" + alice.name + " --data-urlencode " +
                       quote("password=" + alice.password) + " --data-urlencode next=/certsrv/certrqxt.asp",
                   "/login")
                  .substr(0, 4),
              "303 ");
    const std::string form = body("-b " + quote(jar), "/certsrv/certrqxt.asp");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(form, m, std::regex("name=\"csrf_token\" value=\"([^\"]+)\""))) << form;
    const std::string token = m[1];
    const std::string csr = make_csr("browser.lab.test");
    const std::string fields = " --data-urlencode Mode=newreq --data-urlencode " + quote("CertRequest@" + csr) +
                               " --data-urlencode CertificateTemplate=WebServer --data-urlencode CertAttrib=";
    const std::string page = file("browser.html");
    EXPECT_EQ(curl("-b " + quote(jar) + fields, "/certsrv/certfnsh.asp", page).substr(0, 4), "403 ");  // no token
    EXPECT_EQ(curl("-b " + quote(jar) + fields + " --data-urlencode csrf_token=" + token, "/certsrv/certfnsh.asp", page)
                  .substr(0, 4),
              "200 ");
    EXPECT_GT(issued_id(slurp(page)), 0) << slurp(page);
    // A template chosen twice, differently, is refused.
    EXPECT_EQ(curl("-b " + quote(jar) + fields + "CertificateTemplate:PendingWeb --data-urlencode csrf_token=" + token,
                   "/certsrv/certfnsh.asp", page)
                  .substr(0, 4),
              "200 ");
    EXPECT_NE(disposition(slurp(page)).find("CertificateTemplate: names template 'WebServer' but CertAttrib names 'PendingWeb'"),
              std::string::npos)
        << slurp(page);
}

}  // namespace
}  // namespace pkilab::test
