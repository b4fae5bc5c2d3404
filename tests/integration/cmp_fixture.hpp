#pragma once
// A lab served for the CMP tests, and `openssl cmp` against it: the default lab on free ports
// with, when asked, templates and a protocols.cmp section of the test's own.
#include <string>

#include "web_fixture.hpp"

namespace pkilab::test {

inline bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

class CmpLab : public WebLab {
protected:
    // Templates for the tests, on the issuing CA: one that waits for an officer, one that
    // refuses names outside lab.test.
    static constexpr const char* kTemplates = R"(templates:
  - name: ApprovedWeb
    base: WebServer
    issuance: {pend_all_requests: true}
  - name: LabWeb
    base: WebServer
    san:
      dns: {required: true, patterns: ["*.lab.test"]}
)";

    // The default lab (no protocols section unless `protocols` gives one) with kTemplates.
    void serve(const std::string& protocols = "") {
        std::string lab = lab_text();
        const std::string list = "templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning]";
        const size_t at = lab.find(list);
        ASSERT_NE(at, std::string::npos);
        lab.replace(at, list.size(), "templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning, ApprovedWeb, LabWeb]");
        const size_t own = lab.find("\ntemplates: []");
        ASSERT_NE(own, std::string::npos);
        lab.replace(own + 1, std::string("templates: []").size(), kTemplates);
        lab_up(lab + protocols);
        start();
    }

    std::string path(const std::string& name) const { return (dir / name).string(); }
    std::string secret_file() const { return state() + "/cmp/secret"; }

    // `openssl cmp` against the HTTP listener; `cmp_path` is the URL path.
    RunResult cmp(const std::string& args, const std::string& cmp_path = "/.well-known/cmp") const {
        return run("openssl cmp -server 127.0.0.1:" + std::to_string(http_port) + " -path " + quote(cmp_path) +
                   " -msg_timeout 20 -total_timeout 30 " + args);
    }
    // MAC protection with the generated secret.
    std::string mac() const { return "-ref pkilab-cmp -secret " + quote("file:" + secret_file()); }
    // Signature protection with a certificate and key, answers checked against the lab root.
    std::string signed_by(const std::string& stem) const {
        return "-cert " + quote(path(stem + ".pem")) + " -key " + quote(path(stem + ".key")) + " -trusted " + quote(root_pem());
    }

    // A fresh P-256 key STEM.key and a CSR STEM.csr for CN=cn with a DNS SAN.
    std::string csr_for(const std::string& stem, const std::string& cn) const {
        const std::string csr = path(stem + ".csr");
        const RunResult r = run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                                quote(path(stem + ".key")) + " -subj " + quote("/CN=" + cn) + " -addext " +
                                quote("subjectAltName=DNS:" + cn) + " -out " + quote(csr));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return csr;
    }

    // The issuing CA's CRL from the CDP the certificate names, over HTTP, as PEM.
    std::string fetch_crl(const std::string& cert) const {
        const RunResult cdp = run("openssl x509 -in " + quote(cert) + " -noout -ext crlDistributionPoints");
        const size_t uri = cdp.out.find("URI:");
        EXPECT_NE(uri, std::string::npos) << cdp.out;
        if (uri == std::string::npos) return {};
        std::string url = cdp.out.substr(uri + 4);
        url = url.substr(0, url.find_first_of("\r\n"));
        const std::string der = path("crl.der"), pem = path("crl.pem");
        EXPECT_EQ(run("curl -sS --max-time 20 -o " + quote(der) + " " + quote(url)).exit_code, 0) << url;
        EXPECT_EQ(run("openssl crl -inform DER -in " + quote(der) + " -out " + quote(pem)).exit_code, 0);
        return pem;
    }
    RunResult verify_with_crl(const std::string& cert) const {
        const std::string crl = fetch_crl(cert);
        return run("openssl verify -crl_check -CRLfile " + quote(crl) + " -CAfile " + quote(root_pem()) + " -untrusted " +
                   quote((dir / "issuing.pem").string()) + " " + quote(cert));
    }
    // The certificate's key is the key's, it chains to the root and the served CRL does not list it.
    void expect_good_certificate(const std::string& stem) const {
        const std::string cert = path(stem + ".pem");
        EXPECT_EQ(run("openssl x509 -in " + quote(cert) + " -noout -pubkey").out,
                  run("openssl pkey -in " + quote(path(stem + ".key")) + " -pubout").out) << stem;
        const RunResult v = verify_with_crl(cert);
        EXPECT_EQ(v.exit_code, 0) << v.out;
        EXPECT_TRUE(has(v.out, ": OK")) << v.out;
    }
};

}  // namespace pkilab::test
