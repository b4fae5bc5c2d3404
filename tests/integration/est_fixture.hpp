#pragma once
// The default lab served for the EST tests, with a template that waits for approval and a
// name policy that refuses *.forbidden.test, and helpers that speak EST with curl and openssl.
#include <string>

#include <gtest/gtest.h>

#include "web_fixture.hpp"

namespace pkilab::test {

inline const std::string kEstIssuingTemplates = "templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning]";

struct EstAnswer {
    int status = -1;
    std::string head;  // status line and headers
    std::string body;
};

class EstLab : public WebLab {
protected:
    std::string file(const std::string& name) const { return (dir / name).string(); }
    std::string est_base() const { return https_base + "/.well-known/est"; }

    std::string est_lab_text() const {
        std::string lab = lab_text();
        const size_t published = lab.find(kEstIssuingTemplates);
        EXPECT_NE(published, std::string::npos);
        lab.replace(published, kEstIssuingTemplates.size(),
                    "templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning, PendingWeb]\n"
                    "    policy: [names]");
        const size_t own = lab.find("\ntemplates: []");
        EXPECT_NE(own, std::string::npos);
        lab.replace(own, 14,
                    "\ntemplates:\n"
                    "  - name: PendingWeb\n"
                    "    base: WebServer\n"
                    "    issuance: {pend_all_requests: true}\n");
        lab += "plugins:\n  load:\n"
               "    - name: names\n      file: libpkilab_name_policy.so\n      config: {dns_deny: [\".forbidden.test\"]}\n"
               "protocols:\n  est:\n    retry_after: 1\n"
               "    labels:\n      - {label: waiting, template: PendingWeb}\n";
        return lab;
    }

    void serve_est() {
        lab_up(est_lab_text());
        start();
    }

    // A fresh P-256 key NAME.key and its CSR for `cn` (CN and DNS SAN), DER, NAME.csr; returns
    // the CSR's path.
    std::string der_csr(const std::string& name, const std::string& cn) const {
        const std::string key = file(name + ".key"), csr = file(name + ".csr");
        RunResult r = run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + quote(key) +
                          " && openssl req -new -key " + quote(key) + " -subj " + quote("/CN=" + cn) + " -addext " +
                          quote("subjectAltName=DNS:" + cn) + " -outform DER -out " + quote(csr));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return csr;
    }

    // POST the base64 of `csr_der` to OP (under `label`, "" for the default), with curl options
    // `auth`; the body as base64 goes to NAME.b64.
    EstAnswer post(const std::string& op, const std::string& csr_der, const std::string& auth,
                   const std::string& label = "", const std::string& base = "") const {
        const std::string b64 = csr_der + ".b64";
        EXPECT_EQ(run("base64 -w 64 " + quote(csr_der) + " > " + quote(b64)).exit_code, 0);
        return ask("-H 'Content-Type: application/pkcs10' --data-binary @" + quote(b64) + " " + auth,
                   path(op, label), base);
    }

    std::string path(const std::string& op, const std::string& label = "") const {
        return "/.well-known/est/" + (label.empty() ? "" : label + "/") + op;
    }

    EstAnswer ask(const std::string& options, const std::string& p, const std::string& base = "") const {
        const std::string head = file("answer.head"), body = file("answer.body");
        const RunResult r = run("curl -sS --max-time 20 --cacert " + quote(root_pem()) + " " + options + " -D " +
                                quote(head) + " -o " + quote(body) + " -w '%{http_code}' " +
                                quote((base.empty() ? https_base : base) + p));
        EstAnswer a;
        a.status = std::atoi(r.out.c_str());
        a.head = slurp(head);
        a.body = slurp(body);
        return a;
    }

    // The certificates of a base64 certs-only PKCS#7 answer, PEM, in NAME.pem.
    std::string certs_of(const EstAnswer& a, const std::string& name) const {
        spit(file(name + ".p7.b64"), a.body);
        const RunResult r = run("base64 -d " + quote(file(name + ".p7.b64")) + " > " + quote(file(name + ".p7.der")) +
                                " && openssl pkcs7 -inform DER -in " + quote(file(name + ".p7.der")) + " -print_certs -out " +
                                quote(file(name + ".pem")));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return file(name + ".pem");
    }

    std::string public_key_of_cert(const std::string& pem) const {
        return run("openssl x509 -in " + quote(pem) + " -noout -pubkey").out;
    }
    std::string public_key_of_key(const std::string& key) const {
        return run("openssl pkey -in " + quote(key) + " -pubout").out;
    }
    std::string subject_of(const std::string& pem) const {
        return run("openssl x509 -in " + quote(pem) + " -noout -subject").out;
    }

    // openssl verify -crl_check of `cert` against the CRL its CDP names, fetched over HTTP.
    RunResult verify_with_served_crl(const std::string& cert) const {
        const RunResult cdp = run("openssl x509 -in " + quote(cert) + " -noout -ext crlDistributionPoints");
        const size_t at = cdp.out.find("URI:");
        EXPECT_NE(at, std::string::npos) << cdp.out;
        if (at == std::string::npos) return cdp;
        std::string url = cdp.out.substr(at + 4);
        url = url.substr(0, url.find_first_of("\r\n"));
        EXPECT_EQ(url.rfind(http_base + "/", 0), 0u) << url;
        const std::string crl_der = file("cdp.crl"), crl_pem = file("cdp.crl.pem");
        EXPECT_EQ(run("curl -sS --fail --max-time 20 -o " + quote(crl_der) + " " + quote(url)).exit_code, 0);
        EXPECT_EQ(run("openssl crl -inform DER -in " + quote(crl_der) + " -out " + quote(crl_pem)).exit_code, 0);
        return run("openssl verify -CAfile " + quote(root_pem()) + " -untrusted " + quote(file("issuing.pem")) +
                   " -crl_check -CRLfile " + quote(crl_pem) + " " + quote(cert));
    }

    static std::string header(const EstAnswer& a, const std::string& name) {
        const std::string lower_head = lower(a.head), key = lower(name) + ":";
        const size_t at = lower_head.find("\n" + key);
        if (at == std::string::npos) return {};
        std::string v = a.head.substr(at + 1 + key.size());
        v = v.substr(0, v.find_first_of("\r\n"));
        while (!v.empty() && v.front() == ' ') v.erase(0, 1);
        return v;
    }
    static std::string lower(std::string s) {
        for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }
};

}  // namespace pkilab::test
