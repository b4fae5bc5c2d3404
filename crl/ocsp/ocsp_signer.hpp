#pragma once
// What signs one CA's OCSP responses: a delegated responder certificate and its key, or the CA.
#include <memory>

#include "ca/authority/certificate_authority.hpp"
#include "ca/clock.hpp"
#include "ca/ossl/ptr.hpp"

namespace pkilab::crl {

class OcspSigner {
public:
    // Delegated: `cert` (issued by `ca`, EKU OCSPSigning) with its `key`.
    OcspSigner(const CertificateAuthority& ca, ossl::X509Ptr cert, ossl::PkeyPtr key);
    // The CA key signs.
    explicit OcspSigner(const CertificateAuthority& ca);

    // Signs with the responder ID by key hash and the signing certificate included. producedAt
    // must already be set: OpenSSL would write the system time there, not the lab clock's.
    // Safe from many threads.
    void sign(OCSP_BASICRESP* response) const;

    const CertificateAuthority& ca() const { return *ca_; }
    bool delegated() const { return cert_ != nullptr; }
    // The certificate whose key signs: the responder's, or the CA's own.
    const X509* certificate() const { return cert_ ? cert_.get() : ca_->certificate(); }
    const EVP_PKEY* key() const { return key_.get(); }
    Time not_before() const { return not_before_; }
    Time not_after() const { return not_after_; }

private:
    const CertificateAuthority* ca_;
    ossl::X509Ptr cert_;
    ossl::PkeyPtr key_;
    Time not_before_{};
    Time not_after_{};
};

}  // namespace pkilab::crl
