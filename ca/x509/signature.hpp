#pragma once
// How the CA signs: hash, padding, and the guard rails for legacy choices.
#include <string>
#include <string_view>

#include "ca/bytes.hpp"
#include "ca/keys/key.hpp"
#include "ca/ossl/ptr.hpp"

namespace pkilab {

enum class HashAlgorithm { Sha1, Sha256, Sha384, Sha512 };

const char* to_string(HashAlgorithm h);  // "sha1", "sha256", ...
// Throws InputError naming `where` for an unknown hash.
HashAlgorithm parse_hash(std::string_view text, std::string_view where);

struct SignatureSpec {
    HashAlgorithm hash = HashAlgorithm::Sha256;
    bool rsa_pss = false;  // RSASSA-PSS (salt length = hash length, MGF1 with the same hash)
};

// Signs a certificate, CSR or CRL with `key`. Ed25519 ignores the hash; PSS needs an RSA key.
// Throws InputError for an impossible combination (PSS with EC), InternalError on failure.
void sign_certificate(X509* cert, EVP_PKEY* key, const SignatureSpec& spec);
void sign_crl(X509_CRL* crl, EVP_PKEY* key, const SignatureSpec& spec);
// Signs `message` (a DER to-be-signed encoding built elsewhere) and returns the signature value.
Bytes sign_message(ByteView message, EVP_PKEY* key, const SignatureSpec& spec);
// Checks a signature made by sign_message with the same spec, using a public key (a CA
// certificate's): true when it verifies.
bool verify_message(ByteView message, ByteView signature, EVP_PKEY* public_key, const SignatureSpec& spec);
// Signs an OCSP response; `signer` is the certificate of `key` (the responder ID is its key hash).
void sign_ocsp_response(OCSP_BASICRESP* response, X509* signer, EVP_PKEY* key, const SignatureSpec& spec,
                        STACK_OF(X509)* extra_certs, unsigned long flags);

// The signature algorithm name of a signed object ("sha256WithRSAEncryption", "RSASSA-PSS", ...).
std::string signature_algorithm_name(const X509* cert);

}  // namespace pkilab
