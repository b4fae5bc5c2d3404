#pragma once
// Builds the to-be-signed certificate from a checked request, its template and its CA.
// This is the only place that decides what goes into an issued certificate.
#include "ca/authority/certificate_authority.hpp"
#include "ca/clock.hpp"
#include "ca/finding.hpp"
#include "ca/ossl/ptr.hpp"
#include "ca/template/template.hpp"
#include "ca/x509/csr.hpp"

namespace pkilab {

struct TbsCertificate {
    ossl::X509Ptr cert;  // complete but unsigned
    Findings notes;      // informational: validity shortened to the CA's, CSR extensions ignored
};

TbsCertificate build_tbs(const CertificateAuthority& ca, const CertificateTemplate& tmpl, const ParsedCsr& csr,
                         const ASN1_INTEGER* serial, Time now);

// The DER of the to-be-signed part, with the CA's signature AlgorithmIdentifier filled in,
// so that what is recorded before signing is byte for byte what gets signed.
Bytes tbs_der(X509* cert, const CertificateAuthority& ca);

}  // namespace pkilab
