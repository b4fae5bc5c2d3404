#pragma once
// A real lab in a temporary folder, on a fixed clock, for pipeline tests.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <stdlib.h>

#include "ca/authority/lab.hpp"
#include "ca/keys/key.hpp"
#include "ca/x509/csr.hpp"

namespace pkilab::test {

// Two-tier lab with an open template list at the end, so tests can append templates.
inline constexpr const char* kTestLab = R"(lab:
  name: test
cas:
  - name: root
    subject: "CN=Test Root CA, O=pkilab tests"
    key: ecdsa-p256
    validity: 20y
    templates: [SubCA]
  - name: issuing
    subject: "CN=Test Issuing CA, O=pkilab tests"
    key: ecdsa-p256
    parent: root
    validity: 5y
    path_length: 0
    cdp: ["http://<ServerDNSName>:8080/CertEnroll/<CaName><CRLNameSuffix><DeltaCRLAllowed>.crl"]
    aia: ["http://<ServerDNSName>:8080/CertEnroll/<ServerDNSName>_<CaName><CertificateName>.crt"]
    ocsp: ["http://<ServerDNSName>:8080/ocsp"]
    templates: [WebServer, User, LyncServer, Approved, Fixed]
templates:
  - name: Approved
    base: WebServer
    issuance: {pend_all_requests: true}
  - name: Fixed
    base: WebServer
    subject: {source: template, dn: "CN=fixed.lab.test, O=Fixed"}
    san:
      dns: {patterns: ["*.lab.test"], max: 2}
)";

class LabFixture {
public:
    explicit LabFixture(const std::string& yaml = kTestLab)
        : clock_(std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours{12}) {
        std::string tmpl = (std::filesystem::temp_directory_path() / "pkilab-unit-XXXXXX").string();
        dir_ = mkdtemp(tmpl.data());
        std::ofstream(dir_ / "lab.yaml") << yaml;
        lab_up(dir_ / "state", dir_ / "lab.yaml", clock_);
        lab_ = Lab::open(dir_ / "state", clock_);
    }
    ~LabFixture() {
        lab_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    LabFixture(const LabFixture&) = delete;
    LabFixture& operator=(const LabFixture&) = delete;

    Lab& lab() { return *lab_; }
    FixedClock& clock() { return clock_; }
    IssuanceContext ctx() { return lab_->context(); }
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
    FixedClock clock_;
    std::unique_ptr<Lab> lab_;
};

inline Bytes ec_csr(const std::string& subject, std::vector<GeneralName> sans, std::string curve = "P-256") {
    ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, std::move(curve)});
    return csr_to_der(make_csr(key.get(), subject, sans).get());
}

inline GeneralName dns(std::string name) { return GeneralName{NameType::Dns, std::move(name)}; }

}  // namespace pkilab::test
