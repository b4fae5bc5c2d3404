#pragma once
// A served lab with ACME on for certbot and lego: the clients answer http-01 on a free
// loopback port that the lab's protocols.acme.http01_port names, and the issuing CA runs the
// name-policy plugin, which refuses every name under forbidden.lab.test.
#include <string>

#include "web_fixture.hpp"

namespace pkilab::test {

class AcmeLab : public WebLab {
protected:
    int http01_port = free_port();
    std::string directory() const { return https_base + "/acme/directory"; }

    // The web lab with the name policy on the issuing CA and `acme` lines under protocols.acme.
    std::string acme_lab_text(const std::string& acme = "") const {
        std::string lab = lab_text();
        const std::string anchor = "    path_length: 0\n";
        const auto at = lab.find(anchor);
        EXPECT_NE(at, std::string::npos);
        lab.insert(at + anchor.size(), "    policy: [names]\n");
        lab += "\nplugins:\n  load:\n    - name: names\n      file: libpkilab_name_policy.so\n"
               "      config: {dns_allow: [\".lab.test\", localhost], dns_deny: [\".forbidden.lab.test\"]}\n";
        lab += "\nprotocols:\n  acme:\n    http01_port: " + std::to_string(http01_port) + "\n" + acme;
        return lab;
    }

    void serve_acme(const std::string& acme = "") {
        lab_up(acme_lab_text(acme));
        start();
    }

    std::string path(const std::string& name) const { return (dir / name).string(); }

    // certbot with its folders in the test's and our root trusted for the directory's HTTPS.
    RunResult certbot(const std::string& args) const {
        return run("REQUESTS_CA_BUNDLE=" + quote(root_pem()) + " timeout 120 certbot --non-interactive --config-dir " +
                   quote(path("certbot/config")) + " --work-dir " + quote(path("certbot/work")) + " --logs-dir " +
                   quote(path("certbot/logs")) + " --server " + quote(directory()) + " " + args + " 2>&1");
    }
    std::string certbot_http01() const {
        return " --standalone --http-01-address 127.0.0.1 --http-01-port " + std::to_string(http01_port);
    }
    RunResult lego(const std::string& args) const {
        return run("LEGO_CA_CERTIFICATES=" + quote(root_pem()) + " timeout 120 lego --server " + quote(directory()) +
                   " --accept-tos --email a@lab.test --path " + quote(path("lego")) + " " + args + " 2>&1");
    }
    std::string lego_http01() const { return " --http --http.port 127.0.0.1:" + std::to_string(http01_port); }

    // openssl verify -crl_check of the first certificate in `pem` against the CRL its CDP serves
    // (fetched now from the HTTP listener): its output, "OK" or the error.
    std::string verify_with_crl(const std::string& pem) const {
        const std::string leaf = path("leaf.pem"), crl = path("crl.pem");
        EXPECT_EQ(run("openssl x509 -in " + quote(pem) + " -out " + quote(leaf)).exit_code, 0);
        RunResult cdp = run("openssl x509 -in " + quote(leaf) + " -noout -ext crlDistributionPoints | grep -o 'http://[^ ]*' | head -1");
        while (!cdp.out.empty() && (cdp.out.back() == '\n' || cdp.out.back() == '\r')) cdp.out.pop_back();
        EXPECT_EQ(cdp.out.rfind(http_base, 0), 0u) << "CDP: " << cdp.out;
        EXPECT_EQ(run("curl -sS --max-time 10 -o " + quote(crl + ".der") + " " + quote(cdp.out)).exit_code, 0);
        EXPECT_EQ(run("openssl crl -inform DER -in " + quote(crl + ".der") + " -out " + quote(crl)).exit_code, 0);
        return run("openssl verify -CAfile " + quote(root_pem()) + " -untrusted " + quote(path("issuing.pem")) +
                   " -crl_check -CRLfile " + quote(crl) + " " + quote(leaf) + " 2>&1")
            .out;
    }
    static bool verified(const std::string& out) { return out.find(": OK") != std::string::npos; }
    static bool revoked(const std::string& out) {
        return out.find("error 23") != std::string::npos && out.find("certificate revoked") != std::string::npos;
    }
    std::string serial_of(const std::string& pem) const {
        return run("openssl x509 -in " + quote(pem) + " -noout -serial").out;
    }
};

}  // namespace pkilab::test
