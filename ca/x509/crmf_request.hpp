#pragma once
// CRMF certificate requests (RFC 4211 CertReqMsg), as CMP's ir, cr and kur carry them, read into
// the ParsedCsr a PKCS#10 request gives, so that the pipeline, its plugins, lint and the store
// treat both alike. The store keeps the CertReqMsg's DER, which an approval reads again.
#include "ca/bytes.hpp"
#include "ca/x509/csr.hpp"

namespace pkilab {

// True when `input` is exactly one DER CertReqMsg (a PKCS#10 request, PEM or DER, never is).
bool is_crmf_request(ByteView input);

// Checks, each failure an InputError("CRMF request", field, problem, hint):
//  - size <= kMaxCsrBytes, one CertReqMsg and nothing after it (field "encoding");
//  - a template with a subject (field "subject") and a public key describe_key() supports (field "key");
//  - a signature proof of possession that verifies with that key, by OpenSSL's own
//    OSSL_CRMF_MSGS_verify_popo (field "popo"): raVerified and the encryption-based kinds are
//    refused, since nothing here vouches for them;
//  - then what parse_csr checks of a subject and requested extensions (read_csr_contents).
// `signature_algorithm` is the proof of possession's. The template's validity, serial number
// and issuer are not read: the CA's template decides those.
ParsedCsr parse_crmf_request(ByteView der);

}  // namespace pkilab
