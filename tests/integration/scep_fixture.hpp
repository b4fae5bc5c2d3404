#pragma once
// The default lab served for the SCEP tests, and the real clients: curl, certmonger's
// scep-submit helper, the certmonger daemon on a private session bus with private state
// folders (as ../shared/acceptance/scep.sh runs it), micromdm's scepclient; and the checks every
// certificate they obtain must pass (its key, the chain, the CRL served at its CDP).
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "web_fixture.hpp"

namespace pkilab::test {

inline constexpr const char* kScepSubmit = "/usr/lib/certmonger/scep-submit";

class ScepLab : public WebLab {
protected:
    std::string ndes_url() const { return http_base + "/certsrv/mscep/mscep.dll"; }
    std::string path(const std::string& name) const { return (dir / name).string(); }
    std::string challenge() const {
        std::string c = slurp(dir / "state" / "scep" / "challenge");
        while (!c.empty() && (c.back() == '\n' || c.back() == '\r')) c.pop_back();
        return c;
    }
    static bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

    // Skips the test when a client is not installed (CI installs them: quickstart.sh test).
    static bool missing(const std::string& program) { return run("command -v " + quote(program) + " >/dev/null").exit_code != 0; }

    // The default lab with a template PendingWeb that waits for an officer, and a second SCEP
    // endpoint "pending" for it.
    void serve_with_pending_endpoint() {
        std::string lab = lab_text();
        const std::string published = "templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning]";
        const size_t at = lab.find(published);
        ASSERT_NE(at, std::string::npos);
        lab.replace(at, published.size(), "templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning, PendingWeb]");
        const size_t own = lab.find("\ntemplates: []");
        ASSERT_NE(own, std::string::npos);
        lab.replace(own, 14, "\ntemplates:\n  - name: PendingWeb\n    base: WebServer\n    issuance: {pend_all_requests: true}");
        lab += "protocols:\n  scep:\n    endpoints:\n      - name: default\n      - name: pending\n        template: PendingWeb\n";
        lab_up(lab);
        start();
    }

    // certmonger's daemon with its own bus and state in FOLDER: adds the SCEP CA, requests a
    // certificate for `cn` with `challenge` and waits; returns everything it printed.
    std::string certmonger(const std::string& folder, const std::string& url, const std::string& cn,
                           const std::string& challenge) const {
        return certmonger_script(folder, url,
                                 "timeout 60 " + getcert_request(folder, cn, challenge) + " -w -v\ngetcert list -s\n");
    }

    // `getcert request` for `cn` into FOLDER, tracked as "req", without waiting.
    std::string getcert_request(const std::string& folder, const std::string& cn, const std::string& challenge) const {
        const std::string cm = path(folder);
        return "getcert request -s -c LabSCEP -I req -f " + quote(cm + "/cert.pem") + " -k " + quote(cm + "/key.pem") + " -N " +
               quote("CN=" + cn) + " -D " + quote(cn) + " -L " + quote(challenge);
    }

    // The daemon as above, running `script` once the SCEP CA is added.
    std::string certmonger_script(const std::string& folder, const std::string& url, const std::string& script) const {
        const std::string cm = path(folder);
        std::filesystem::create_directories(cm + "/state/cas");
        std::filesystem::create_directories(cm + "/state/requests");
        std::filesystem::create_directories(cm + "/state/local");
        spit(cm + "/inner.sh",
             "getcert add-scep-ca -s -c LabSCEP -u " + quote(url) + "\n"
             "for i in 1 2 3 4 5 6 7 8 9 10; do getcert list-cas -s -c LabSCEP | grep -q 'SCEP CA certificate thumbprint' && break; sleep 1; done\n" +
                 script);
        const std::string s = cm + "/state";
        return run("env HOME=" + quote(cm) + " CERTMONGER_REQUESTS_DIR=" + quote(s + "/requests") + " CERTMONGER_CAS_DIR=" +
                   quote(s + "/cas") + " CERTMONGER_LOCAL_CA_DIR=" + quote(s + "/local") + " CERTMONGER_TMPDIR=" + quote(s) +
                   " CERTMONGER_SYSTEM_LOCK_FILE=" + quote(s + "/lock") + " timeout 120 dbus-run-session -- certmonger -s -n -d 1 -c " +
                   quote("bash " + cm + "/inner.sh"))
            .out;
    }

    // The SHA-256 of the RA certificate, for scepclient -ca-fingerprint (without it scepclient
    // 2.1 encrypts to every certificate of GetCACert, and the CAs' keys are ECDSA).
    std::string ra_fingerprint() const {
        const std::string p7 = path("getcacert.der");
        EXPECT_EQ(run("curl -sS --max-time 20 -o " + quote(p7) + " " + quote(ndes_url() + "?operation=GetCACert&message=ca")).exit_code, 0);
        const RunResult r = run("openssl pkcs7 -inform DER -in " + quote(p7) +
                                " -print_certs | openssl x509 -outform DER | sha256sum | cut -d' ' -f1");
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return r.out.substr(0, 64);
    }

    // micromdm's scepclient in a fresh FOLDER (it writes its CSR and self-signed certificate there).
    RunResult scepclient(const std::string& folder, const std::string& cn, const std::string& challenge) const {
        const std::string d = path(folder);
        std::filesystem::create_directories(d);
        return run("cd " + quote(d) + " && scepclient -server-url " + quote(ndes_url()) +
                   " -private-key key.pem -certificate cert.pem -cn " + quote(cn) + " -challenge " + quote(challenge) +
                   " -ca-fingerprint " + ra_fingerprint());
    }

    // The issuing CA's CRL from the CDP the certificate names, over HTTP, as PEM.
    std::string fetch_crl(const std::string& cert) const {
        const RunResult cdp = run("openssl x509 -in " + quote(cert) + " -noout -ext crlDistributionPoints");
        const size_t uri = cdp.out.find("URI:");
        EXPECT_NE(uri, std::string::npos) << cdp.out;
        if (uri == std::string::npos) return {};
        std::string url = cdp.out.substr(uri + 4);
        url = url.substr(0, url.find_first_of("\r\n"));
        EXPECT_EQ(url.rfind(http_base + "/", 0), 0u) << url;
        const std::string der = path("crl.der"), pem = path("crl.pem");
        EXPECT_EQ(run("curl -sS --max-time 20 -o " + quote(der) + " " + quote(url)).exit_code, 0) << url;
        EXPECT_EQ(run("openssl crl -inform DER -in " + quote(der) + " -out " + quote(pem)).exit_code, 0);
        return pem;
    }

    // The certificate holds the key's public key, chains to the root and the served CRL does not list it.
    void expect_good_certificate(const std::string& cert, const std::string& key, const std::string& cn) const {
        ASSERT_TRUE(std::filesystem::exists(cert)) << cert;
        EXPECT_EQ(run("openssl x509 -in " + quote(cert) + " -noout -pubkey").out,
                  run("openssl pkey -in " + quote(key) + " -pubout").out);
        EXPECT_TRUE(has(run("openssl x509 -in " + quote(cert) + " -noout -subject").out, "CN = " + cn));
        const RunResult v = run("openssl verify -crl_check -CRLfile " + quote(fetch_crl(cert)) + " -CAfile " + quote(root_pem()) +
                                " -untrusted " + quote(path("issuing.pem")) + " " + quote(cert));
        EXPECT_EQ(v.exit_code, 0) << v.out;
        EXPECT_TRUE(has(v.out, ": OK")) << v.out;
    }
};

}  // namespace pkilab::test
