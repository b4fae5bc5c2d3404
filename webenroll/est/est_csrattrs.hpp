#pragma once
// /csrattrs (RFC 7030 §4.5, RFC 8951 §3.4 / RFC 9908): what a template wants in a CSR, as the
// DER of CsrAttrs ::= SEQUENCE OF AttrOrOID: the key algorithms it takes (EC with its curves as
// an attribute, RSA, Ed25519), the signature algorithm to use, and, when it takes SANs from the
// request, an extensionRequest naming subjectAltName.
#include "ca/bytes.hpp"
#include "ca/template/template.hpp"

namespace pkilab::web::est {

// Empty when the template asks for nothing (then the answer is 204).
Bytes csr_attributes_der(const CertificateTemplate& t);

}  // namespace pkilab::web::est
