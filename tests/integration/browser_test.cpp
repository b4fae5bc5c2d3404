// The pages in a real browser: Debian's Chromium, headless, driven by playwright-core
// (tests/browser/pages_flow.mjs). This test sets the lab up, runs the browser, and then checks
// what the browser got with independent tools: the downloaded certificate and chain with
// openssl, the approved request with the CLI, the revocation on the CRL served at the CDP.
// Screenshots stay in the build folder's test-artifacts/browser/ for people to look at.
#include <gtest/gtest.h>

#include "web_fixture.hpp"

namespace pkilab::test {
namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The value of "key": "value" or "key": number in a JSON text (the CLI's --json output).
std::string json_field(const std::string& json, const std::string& key) {
    const std::string marker = "\"" + key + "\": ";
    const size_t at = json.find(marker);
    if (at == std::string::npos) return {};
    size_t begin = at + marker.size();
    if (begin < json.size() && json[begin] == '"') ++begin;
    const size_t end = json.find_first_of("\",\n}", begin);
    return json.substr(begin, end - begin);
}

class Browser : public WebLab {};

TEST_F(Browser, EnrolleeUsesCertsrvAndOfficerApprovesAndRevokesInTheConsole) {
    const std::string script = std::string(PKILAB_SOURCE_DIR) + "/tests/browser/pages_flow.mjs";
    ASSERT_TRUE(std::filesystem::exists(std::string(PKILAB_SOURCE_DIR) + "/tests/browser/node_modules/playwright-core"))
        << "playwright-core is missing: ./quickstart.sh test installs it (npm ci in tests/browser)";
    ASSERT_EQ(run("command -v chromium && command -v certutil && command -v node").exit_code, 0)
        << "chromium, certutil (libnss3-tools) and node are installed by ./quickstart.sh test";

    // A template that waits for an officer, published by the issuing CA.
    std::string lab = lab_text();
    const std::string published = "templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning]";
    ASSERT_TRUE(contains(lab, published));
    lab.replace(lab.find(published), published.size(),
                "templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning, PendingWeb]");
    lab.replace(lab.find("\ntemplates: []"), 14,
                "\ntemplates:\n  - name: PendingWeb\n    base: WebServer\n    issuance: {pend_all_requests: true}");
    lab_up(lab);

    const RunResult pending = pkilab("--json request submit --template PendingWeb --csr " + quote(make_csr("pending.lab.test")));
    ASSERT_EQ(pending.exit_code, 0) << pending.out;
    ASSERT_EQ(json_field(pending.out, "state"), "pending") << pending.out;
    const std::string pending_id = json_field(pending.out, "request_id");
    const RunResult issued = pkilab("--json request submit --template WebServer --csr " + quote(make_csr("revoke-me.lab.test")));
    ASSERT_EQ(issued.exit_code, 0) << issued.out;
    const std::string serial = json_field(issued.out, "serial");
    ASSERT_FALSE(serial.empty()) << issued.out;
    start();

    // Chromium's own trust store (NSS, under HOME) holds the lab's root and nothing else.
    const std::string home = (dir / "home").string();
    const std::string nssdb = "sql:" + home + "/.pki/nssdb";
    std::filesystem::create_directories(home + "/.pki/nssdb");
    ASSERT_EQ(run("certutil -N --empty-password -d " + quote(nssdb)).exit_code, 0);
    const RunResult trust = run("certutil -A -n pkilab-lab-root -t C,, -i " + quote(root_pem()) + " -d " + quote(nssdb));
    ASSERT_EQ(trust.exit_code, 0) << trust.out;

    const std::filesystem::path artifacts = std::filesystem::path(PKILAB_ARTIFACT_DIR) / "browser";
    std::filesystem::remove_all(artifacts);
    std::filesystem::create_directories(artifacts);
    const auto& alice = user("enrollee");
    const auto& olivia = user("officer");
    const std::string csr = make_csr("browser.lab.test");
    const RunResult flow = run("HOME=" + quote(home) + " PKILAB_HTTPS=" + quote(https_base) + " OUT_DIR=" +
                               quote(artifacts.string()) + " CSR_FILE=" + quote(csr) + " ENROLLEE_USER=" + alice.name +
                               " ENROLLEE_PASSWORD=" + quote(alice.password) + " OFFICER_USER=" + olivia.name +
                               " OFFICER_PASSWORD=" + quote(olivia.password) + " PENDING_CA=lab-issuing-ca PENDING_ID=" +
                               pending_id + " REVOKE_CA=lab-issuing-ca REVOKE_SERIAL=" + serial + " timeout 240 node " +
                               quote(script));
    ASSERT_EQ(flow.exit_code, 0) << flow.out << "\nserver stderr:\n" << server->err();

    // 1. What the enrollee downloaded: a PEM certificate for the CSR's key, and a PKCS#7 chain
    //    that openssl verifies it with, from the root alone.
    const std::string cert = (artifacts / "certsrv-certificate.cer").string();
    const std::string chain = (artifacts / "certsrv-chain.p7b").string();
    const std::string chain_pem = (dir / "chain.pem").string();
    ASSERT_EQ(run("openssl pkcs7 -in " + quote(chain) + " -print_certs -out " + quote(chain_pem)).exit_code, 0);
    const RunResult verify = run("openssl verify -CAfile " + quote(root_pem()) + " -untrusted " + quote(chain_pem) + " " + quote(cert));
    EXPECT_EQ(verify.exit_code, 0) << verify.out;
    const RunResult subject = run("openssl x509 -in " + quote(cert) + " -noout -subject -ext subjectAltName");
    EXPECT_TRUE(contains(subject.out, "browser.lab.test")) << subject.out;
    EXPECT_EQ(run("openssl x509 -in " + quote(cert) + " -noout -pubkey").out,
              run("openssl pkey -in " + quote((dir / "browser.lab.test.key").string()) + " -pubout").out);

    // 2. The approved request is issued, by the officer.
    const RunResult shown = pkilab("--json request show " + pending_id + " --ca lab-issuing-ca");
    EXPECT_EQ(json_field(shown.out, "state"), "issued") << shown.out;

    // 3. The revoked certificate is on the CRL at the CDP URL the certificate names.
    const std::string crl = (dir / "served.crl").string();
    ASSERT_EQ(run("curl -sS -o " + quote(crl) + " " + quote(http_base + "/CertEnroll/lab-issuing-ca.crl")).exit_code, 0);
    const RunResult listed = run("openssl crl -inform DER -in " + quote(crl) + " -noout -text");
    // openssl prints the serial in upper case and without the sign byte the store keeps.
    std::string upper = serial.rfind("00", 0) == 0 ? serial.substr(2) : serial;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_TRUE(contains(listed.out, upper)) << serial << "\n" << listed.out;
    EXPECT_TRUE(contains(listed.out, "Key Compromise")) << listed.out;
    const std::string revoked_pem = (dir / "revoke-me.pem").string();
    ASSERT_EQ(pkilab("cert export " + serial + " --out " + quote(revoked_pem)).exit_code, 0);
    const RunResult refused = run("openssl verify -crl_check -CRLfile " + quote(crl) + " -CAfile " +
                                  quote(root_pem()) + " -untrusted " + quote((dir / "issuing.pem").string()) + " " + quote(revoked_pem));
    EXPECT_NE(refused.exit_code, 0) << refused.out;
    EXPECT_TRUE(contains(refused.out, "certificate revoked")) << refused.out;

    // The screenshots are there for people.
    size_t shots = 0;
    for (const auto& e : std::filesystem::directory_iterator(artifacts)) shots += e.path().extension() == ".png";
    EXPECT_GE(shots, 9u);
}

}  // namespace
}  // namespace pkilab::test
