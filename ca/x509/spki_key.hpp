#pragma once
// Turning a request's SubjectPublicKeyInfo into an EVP_PKEY without OpenSSL 3.0's decoder
// chain, which costs more than the signature it exists to check (see spki_key.cpp).
#include <openssl/x509.h>

#include "ca/bytes.hpp"
#include "ca/ossl/ptr.hpp"

namespace pkilab {

// A library context with no provider but OpenSSL's "null" one. Structures decoded in it
// (ASN1_item_d2i_ex) keep their public keys undecoded; everything else must use the default
// context. Created once per process and never changed: a cache of a library object, like
// OpenSSL's own default context.
OSSL_LIB_CTX* undecoded_key_context();

// The key of `spki`. Named-curve EC keys (P-256, P-384, P-521) and Ed25519 keys are imported
// from their parameters (EVP_PKEY_fromdata, EVP_PKEY_new_raw_public_key), which checks the
// point as the decoder would; every other key goes through d2i_PUBKEY, as before. Returns an
// empty pointer when the key does not decode, with OpenSSL's error queue left as it was.
ossl::PkeyPtr public_key_of(const X509_PUBKEY* spki);

// The DER of a SubjectPublicKeyInfo (empty if it does not encode).
Bytes spki_der(const X509_PUBKEY* spki);

// The same through d2i_PUBKEY alone: the reference the fast path is tested against.
ossl::PkeyPtr public_key_by_decoder(ByteView spki_der);

}  // namespace pkilab
