#pragma once
// The certificates of the CAs themselves: a self-signed root, or a subordinate signed by
// its parent. Built from the lab file's CA entry, linted like any other certificate.
#include "ca/authority/certificate_authority.hpp"
#include "ca/clock.hpp"
#include "ca/config/lab_config.hpp"
#include "ca/pipeline/serial.hpp"

namespace pkilab {

struct CaCertificate {
    ossl::X509Ptr cert;  // signed
    std::string serial;
};

// `parent` is nullptr for a root. Throws InternalError if lint finds an error (that would be
// a bug in pkilab or an impossible lab file, never something to hand out).
CaCertificate make_ca_certificate(const CaConfig& config, EVP_PKEY* key, const CertificateAuthority* parent,
                                  Time now);

}  // namespace pkilab
