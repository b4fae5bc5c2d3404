#pragma once
// A lab on disk: the state folder that `pkilab lab up` creates, holding a copy of the lab
// file, every CA's certificate and key, and the store.
//
//   STATE/lab.yaml                 the lab file in force (copied at `lab up`)
//   STATE/pkilab.db                the store (SQLite)
//   STATE/cas/NAME/ca.pem          the CA certificate
//   STATE/cas/NAME/ca.key          its private key, mode 0600 (PKCS#8, encrypted if configured)
//   STATE/cas/NAME/chain.pem       the CA certificate and its issuers up to the root
//   STATE/cas/NAME/ocsp/           the CA's delegated OCSP responder certificate and key (crl/ocsp)
//   STATE/crl/NAME/                the CA's latest CRLs (crl/crl_publisher.hpp)
//   STATE/publish/                 what `pkilab serve` answers at the CDP and AIA paths (crl/publication.hpp)
//   STATE/serve.pid, serve.reload  the running server (webenroll/server_state.hpp)
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ca/authority/certificate_authority.hpp"
#include "ca/clock.hpp"
#include "ca/config/lab_config.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/plugin/policy_host.hpp"
#include "ca/store/store.hpp"

namespace pkilab {

class Lab final {
public:
    // Opens a lab that `lab up` made. NotFoundError (with the hint to run `pkilab lab up`)
    // when `state_dir` holds none. `base_clock` must outlive the Lab.
    static std::unique_ptr<Lab> open(const std::filesystem::path& state_dir, const Clock& base_clock);

    Lab(const Lab&) = delete;
    Lab& operator=(const Lab&) = delete;
    ~Lab();

    const LabConfig& config() const { return config_; }
    const std::vector<CertificateAuthority>& cas() const { return cas_; }
    const CertificateAuthority& ca(std::string_view name) const;
    Store& store() const { return *store_; }
    // The lab clock: the base clock shifted by the persisted offset.
    const Clock& clock() const { return *clock_; }
    Duration clock_offset() const { return clock_->offset(); }
    // The clock the lab clock is shifted from: the real time, for what is not the CA's business
    // (the Date of an HTTP response).
    const Clock& base_clock() const { return base_clock_; }
    void set_clock_offset(Duration offset, const std::string& actor);
    // Re-reads the offset another process may have set (`pkilab clock` while `pkilab serve` runs).
    // Returns true when it changed.
    bool reload_clock_offset();
    const std::filesystem::path& state_dir() const { return state_dir_; }
    IssuanceContext context() const { return IssuanceContext{config_, cas_, *store_, *clock_, policies_.get()}; }
    // The policy plugins the lab file loads (loaded on first use).
    const PolicyHost& policies() const { return *policies_; }
    // For reloading them (PolicyHost::reload is safe while requests run on the old set).
    PolicyHost& policies() { return *policies_; }

    // The CA certificate followed by its issuers up to the root.
    std::vector<const X509*> chain(const CertificateAuthority& ca) const;

private:
    Lab(std::filesystem::path state_dir, LabConfig config, std::unique_ptr<Store> store, const Clock& base_clock,
        Duration offset);
    std::filesystem::path state_dir_;
    LabConfig config_;
    std::unique_ptr<Store> store_;
    const Clock& base_clock_;
    std::unique_ptr<OffsetClock> clock_;
    std::vector<CertificateAuthority> cas_;
    std::unique_ptr<PolicyHost> policies_;
};

struct LabUpReport {
    struct CaLine {
        std::string name;
        bool created = false;
        std::string subject;
        std::string serial;
        std::vector<std::string> differences;  // lab file vs the CA that exists (or was made: a cut validity)
        std::vector<std::string> warnings;     // legacy choices the lab file made on purpose
    };
    std::filesystem::path state_dir;
    std::filesystem::path lab_file;
    bool created = false;           // a new lab
    bool lab_file_changed = false;  // an existing lab brought up with a changed file
    std::vector<CaLine> cas;
    std::vector<std::string> warnings;  // about the lab as a whole (CAs the file no longer names)
};

// Creates the lab (or reuses it: idempotent), making the CAs that do not exist yet. A
// changed lab file is adopted for templates and URLs; differences that cannot apply to an
// existing CA (subject, key) are reported, and the existing CA is kept.
LabUpReport lab_up(const std::filesystem::path& state_dir, const std::filesystem::path& lab_file,
                   const Clock& base_clock);

std::filesystem::path ca_folder(const std::filesystem::path& state_dir, const std::string& ca_name);

}  // namespace pkilab
