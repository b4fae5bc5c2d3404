#pragma once
// Parsing and checking a certificate request from outside: PKCS#10, or CRMF (crmf_request.hpp).
#include <string>
#include <vector>

#include "ca/bytes.hpp"
#include "ca/keys/key.hpp"
#include "ca/ossl/ptr.hpp"
#include "ca/x509/general_name.hpp"

namespace pkilab {

inline constexpr size_t kMaxCsrBytes = 64 * 1024;

struct RequestedExtension {
    std::string oid;    // dotted
    std::string name;   // OpenSSL short name when known, else the OID
    bool critical = false;
    Bytes value;        // the extnValue contents (DER of the extension's own type)
};

struct ParsedCsr {
    ossl::X509ReqPtr req;          // owns the parsed request; its SPKI is left undecoded (spki_key.hpp)
    ossl::PkeyPtr public_key;      // the request's key, decoded once: use this, not X509_REQ_get0_pubkey
    Bytes der;                     // exactly the request's DER (PEM armour removed)
    std::string subject;           // RFC 4514 form (format_dn)
    std::vector<GeneralName> sans; // from a requested subjectAltName extension
    std::vector<RequestedExtension> extensions;  // all requested extensions, in order
    KeyInfo key;
    std::string signature_algorithm;  // "sha256WithRSAEncryption", "ecdsa-with-SHA256", "ED25519", "RSASSA-PSS"
    bool requests_ca = false;      // basicConstraints cA=TRUE among the requested extensions
    std::string challenge_password;  // PKCS#9 challengePassword attribute, if present
};

// Accepts PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or DER.
// Checks, each failure an InputError("CSR", field, problem, hint):
//  - size <= kMaxCsrBytes (field "size"), nothing after the PEM block or the DER (field "encoding"),
//    DER that does not parse (field "encoding"), exactly one PEM block;
//  - version is v1 (0) (field "version");
//  - the key is one describe_key() supports (field "key");
//  - the self-signature verifies with the request's own key: proof of possession (field "signature");
//  - the subject has no NUL bytes / invalid strings (field "subject");
//  - extensions: unparseable subjectAltName (field "extensions.subjectAltName"), duplicate
//    extensions (field "extensions"), unknown extensions marked critical
//    (field "extensions.<oid>": the CA cannot honour what it does not understand).
ParsedCsr parse_csr(ByteView input);

// A request as the pipeline takes it: a CRMF CertReqMsg (RFC 4211, what CMP's ir, cr and kur
// carry: crmf_request.hpp) when the DER is one, else a PKCS#10 request (parse_csr).
ParsedCsr parse_certificate_request(ByteView input);

// The checks and fields of parse_csr that come from the request's subject, extension request
// and attributes, for `out.req` (set, with its key and proof of possession checked already).
void read_csr_contents(ParsedCsr& out);
// "sha256WithRSAEncryption", "ecdsa-with-SHA256", "ED25519", "RSASSA-PSS", else the dotted OID.
std::string signature_algorithm_name(const X509_ALGOR* alg);

// Builds and signs a CSR (helpers: `pkilab csr new`, server-side key generation, tests).
// `subject` uses parse_dn syntax. RSA/EC sign with SHA-256, Ed25519 with itself.
ossl::X509ReqPtr make_csr(const EVP_PKEY* key, std::string_view subject,
                          const std::vector<GeneralName>& sans);
std::string csr_to_pem(const X509_REQ* req);
Bytes csr_to_der(const X509_REQ* req);

}  // namespace pkilab
