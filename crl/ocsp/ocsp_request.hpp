#pragma once
// Reading an OCSPRequest (RFC 6960 4.1) from outside: every byte is hostile.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ca/bytes.hpp"
#include "ca/ossl/ptr.hpp"

namespace pkilab::crl {

// Real requests are a few hundred bytes; the caps keep a hostile one from costing much.
inline constexpr std::size_t kMaxOcspRequestBytes = 16 * 1024;
inline constexpr std::size_t kMaxCertIdsPerRequest = 32;
// RFC 8954 2.1: a responder may answer without a nonce longer than 32 octets. The limit is on the
// extension value (the nonce in its OCTET STRING, as OpenSSL and most clients send it).
inline constexpr std::size_t kMaxNonceValueBytes = 34;

struct RequestedCert {
    OCSP_CERTID* id = nullptr;  // owned by the request
    int hash_nid = 0;           // NID of hashAlgorithm (NID_undef when unknown)
    ByteView name_hash;         // borrowed from the request
    ByteView key_hash;
    // As the store keeps serials (normalize_serial); empty when the INTEGER is negative or longer
    // than 20 octets: no CA issued it.
    std::string serial;
    Bytes der;                  // the CertID as encoded again by OpenSSL (what a response repeats)
};

struct ParsedOcspRequest {
    ossl::OcspRequestPtr request;
    std::vector<RequestedCert> certs;  // at least one
    bool nonce = false;                // a nonce the response must echo
};

// Nothing (a malformedRequest answer) for bytes that are not exactly one DER OCSPRequest with
// 1 to kMaxCertIdsPerRequest CertIDs, each of which OpenSSL can encode and read back (a response
// copies them that way). Never throws for bad input.
std::optional<ParsedOcspRequest> parse_ocsp_request(ByteView der);

// The serial of a CertID in the store's form, or empty (see RequestedCert::serial).
std::string serial_key(const ASN1_INTEGER* serial);


}  // namespace pkilab::crl
