#pragma once
// The last look at a CRL before it is published: does it say what we meant, and would a
// client accept it from this CA? Independent of how it was built: the DER is walked with
// OpenSSL's parser and the signature checked with the public key of the CA *certificate*
// (not the signing key), so a CRL signed by the wrong key or naming the wrong issuer is caught.
#include "ca/authority/certificate_authority.hpp"
#include "crl/crl_builder.hpp"

namespace pkilab::crl {

// Throws InternalError naming the check that failed: structure, issuer, signature algorithm,
// signature, authority key identifier, CRL number, delta indicator, thisUpdate/nextUpdate.
void verify_crl_against_ca(const CertificateAuthority& ca, ByteView der, const CrlHeader& expected);

}  // namespace pkilab::crl
