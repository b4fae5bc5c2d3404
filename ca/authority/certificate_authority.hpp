#pragma once
// One certificate authority: its configuration, certificate, chain and signing key.
// Non-copyable; the only object in pkilab that holds a CA private key.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ca/bytes.hpp"
#include "ca/config/lab_config.hpp"
#include "ca/ossl/ptr.hpp"

namespace pkilab {

// The URLs written into certificates this CA issues, expanded from the lab file's patterns.
struct PublishedUrls {
    std::vector<std::string> cdp;           // base CRL locations
    std::vector<std::string> freshest_crl;  // delta CRL locations: the cdp patterns with <DeltaCRLAllowed>
                                            // ("+"), when the CA publishes delta CRLs
    std::vector<std::string> aia;           // caIssuers
    std::vector<std::string> ocsp;
};

// The URLs a CA with this configuration writes into certificates (its patterns expanded).
// InputError for a pattern that does not expand.
PublishedUrls expand_published_urls(const CaConfig& config, std::string_view server_dns_name);

class CertificateAuthority final {
public:
    // Checks the invariants: the certificate is a CA certificate (basicConstraints cA, and
    // keyCertSign when keyUsage is present), the key matches it, and `issuers` (parent first,
    // root last) is a chain to a self-signed root. Throws InputError naming the CA otherwise.
    CertificateAuthority(CaConfig config, ossl::X509Ptr certificate, std::vector<ossl::X509Ptr> issuers,
                         ossl::PkeyPtr key, std::string_view server_dns_name);
    // The same with the key loaded on first use: a command that does not sign (listing,
    // exporting, the clock) then needs no passphrase. The key is checked against the
    // certificate when it is loaded; `load` runs at most once successfully, under a lock.
    using KeyLoader = std::function<ossl::PkeyPtr()>;
    CertificateAuthority(CaConfig config, ossl::X509Ptr certificate, std::vector<ossl::X509Ptr> issuers,
                         KeyLoader load, std::string_view server_dns_name);
    CertificateAuthority(const CertificateAuthority&) = delete;
    CertificateAuthority& operator=(const CertificateAuthority&) = delete;
    CertificateAuthority(CertificateAuthority&&) noexcept;
    CertificateAuthority& operator=(CertificateAuthority&&) noexcept;
    ~CertificateAuthority();

    const std::string& name() const { return config_.name; }
    const CaConfig& config() const { return config_; }
    const X509* certificate() const { return certificate_.get(); }
    // Parent first, root last; empty for a root.
    const std::vector<ossl::X509Ptr>& issuers() const { return issuers_; }
    const Bytes& key_id() const { return key_id_; }
    const PublishedUrls& urls() const { return urls_; }
    bool is_root() const { return issuers_.empty(); }
    bool publishes(std::string_view template_name) const;

    // Signs with the CA key and the configured signature algorithm. Safe from many threads.
    // Loads the key first if it is not loaded yet (InputError when its passphrase is missing).
    void sign(X509* cert) const;
    // Signs a to-be-signed encoding (a CRL's TBSCertList) and returns the signature value, to
    // be wrapped with signature_algorithm(). Safe from many threads.
    Bytes sign_message(ByteView tbs) const;
    // Signs an OCSP response as the responder itself (no delegated responder certificate).
    void sign_ocsp_response(OCSP_BASICRESP* response, unsigned long flags) const;
    // The AlgorithmIdentifier this CA signs with, so a to-be-signed encoding can be recorded
    // before the signature exists. Needs the key, like sign().
    const X509_ALGOR* signature_algorithm() const;
    // Loads the key now, so that a failure comes before any work that would need it.
    void load_key() const;

private:
    struct Signer;  // the key and what is learnt from it, behind a once-only loader
    void init(std::string_view server_dns_name);
    const Signer& signer() const;

    CaConfig config_;
    ossl::X509Ptr certificate_;
    std::vector<ossl::X509Ptr> issuers_;
    Bytes key_id_;
    PublishedUrls urls_;
    std::unique_ptr<Signer> signer_;
};

}  // namespace pkilab
