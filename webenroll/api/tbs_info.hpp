#pragma once
// The certificate a preflight says the CA would sign, described like an issued one. The
// pipeline hands out the to-be-signed part only (nothing was signed); it is wrapped, by OpenSSL's
// encoder, into a Certificate with an empty signature so that the same describer reads it.
#include "ca/bytes.hpp"
#include "ca/x509/certificate_info.hpp"

namespace pkilab::web {

// InternalError when `tbs_der` is not a TBSCertificate (the pipeline made it: our fault).
// The fingerprint is left empty: an unsigned certificate has none.
CertificateInfo describe_tbs(ByteView tbs_der);

}  // namespace pkilab::web
