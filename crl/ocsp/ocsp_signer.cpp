#include "crl/ocsp/ocsp_signer.hpp"

#include "ca/x509/certificate_info.hpp"
#include "ca/x509/signature.hpp"

namespace pkilab::crl {

namespace {
// OCSP_NOTIME: producedAt comes from the lab clock (set by the caller), never from time(2).
constexpr unsigned long kSignFlags = OCSP_RESPID_KEY | OCSP_NOTIME;
}  // namespace

OcspSigner::OcspSigner(const CertificateAuthority& ca, ossl::X509Ptr cert, ossl::PkeyPtr key)
    : ca_(&ca), cert_(std::move(cert)), key_(std::move(key)) {
    not_before_ = from_asn1_time(X509_get0_notBefore(cert_.get()));
    not_after_ = from_asn1_time(X509_get0_notAfter(cert_.get()));
}

OcspSigner::OcspSigner(const CertificateAuthority& ca) : ca_(&ca) {
    not_before_ = from_asn1_time(X509_get0_notBefore(ca.certificate()));
    not_after_ = from_asn1_time(X509_get0_notAfter(ca.certificate()));
}

void OcspSigner::sign(OCSP_BASICRESP* response) const {
    if (!cert_) {
        ca_->sign_ocsp_response(response, kSignFlags);
        return;
    }
    // OpenSSL only takes up a reference to the signer certificate and reads it.
    pkilab::sign_ocsp_response(response, cert_.get(), key_.get(), ca_->config().signature, nullptr, kSignFlags);
}

}  // namespace pkilab::crl
