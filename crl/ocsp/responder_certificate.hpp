#pragma once
// One CA's OCSP signer. Delegated (the default, RFC 6960 4.2.2.2): a certificate the CA issues
// itself (template OCSPResponseSigning: EKU OCSPSigning, id-pkix-ocsp-nocheck, 14 days),
// renewed once two thirds of its life have passed. Otherwise the CA key signs.
//
//   STATE/cas/NAME/ocsp/responder.key   its private key: PKCS#8 PEM, mode 0600, not encrypted, so
//                                       that a restarted server answers without the CA passphrase
//   STATE/cas/NAME/ocsp/responder.pem   its certificate
//   STATE/cas/NAME/ocsp/lock            serializes renewal between processes (flock)
//
// Issued through the normal pipeline (the template's rules, the policy chains, lint, the
// store and the audit trail), whether or not the CA publishes OCSPResponseSigning: a root that
// issues only SubCA still answers for its sub-CAs (submit_for_ca_infrastructure).
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "ca/authority/lab.hpp"
#include "crl/ocsp/ocsp_signer.hpp"

namespace pkilab::crl {

inline constexpr const char* kResponderTemplate = "OCSPResponseSigning";

class ResponderCertificate {
public:
    // Loads the CA key (signer ca) or reuses the certificate on disk when it is current, issuing
    // one otherwise. A responder certificate the CA refuses (a policy plugin, the CA expired)
    // leaves the CA key signing, with problem() saying why. Throws for faults (disk, store, a CA
    // key that cannot be loaded).
    ResponderCertificate(const Lab& lab, const CertificateAuthority& ca);
    ResponderCertificate(const ResponderCertificate&) = delete;
    ResponderCertificate& operator=(const ResponderCertificate&) = delete;

    std::shared_ptr<const OcspSigner> signer() const;
    // Renews when due at `now`; true when the signer changed. Never throws: a failure keeps the
    // signer in use, is kept in problem() and is tried again an hour (of the lab clock) later.
    bool renew_if_due(Time now);
    // Why the CA is not signing as configured, or why the last renewal failed; empty when all is well.
    std::string problem() const;

    static std::filesystem::path folder(const Lab& lab, const CertificateAuthority& ca);

private:
    bool due(const OcspSigner& signer, Time now) const;
    std::shared_ptr<const OcspSigner> load(Time now) const;
    std::shared_ptr<const OcspSigner> issue();
    void renew(Time now);  // under the folder's lock; throws

    const Lab& lab_;
    const CertificateAuthority& ca_;
    std::filesystem::path folder_;
    mutable std::mutex mutex_;  // guards the three below
    std::shared_ptr<const OcspSigner> signer_;
    std::string problem_;
    std::optional<Time> failed_at_;
};

}  // namespace pkilab::crl
