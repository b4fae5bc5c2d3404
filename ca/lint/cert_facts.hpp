#pragma once
// Internal to lint: reading the facts rules need from a const certificate. Each reader takes the
// first instance of an extension and treats an undecodable one as absent; the duplicate and
// malformed-extension rules report those cases.
#include <optional>

#include "ca/bytes.hpp"
#include "ca/ossl/ptr.hpp"

namespace pkilab::lint_detail {

X509_EXTENSION* find_extension(const X509* cert, int nid);
bool is_critical(const X509_EXTENSION* ext);

// The first instance decoded by OpenSSL's method for it; empty when absent or undecodable.
void* decode_raw(const X509* cert, int nid);
template <class T, void (*Free)(T*)>
ossl::Ptr<T, Free> decode(const X509* cert, int nid) {
    return ossl::Ptr<T, Free>(static_cast<T*>(decode_raw(cert, nid)));
}

std::optional<Bytes> subject_key_id(const X509* cert);
std::optional<Bytes> authority_key_id(const X509* cert);  // the keyIdentifier field

// keyUsage as a mask, bit n = RFC 5280 bit n; nullopt when absent or undecodable.
std::optional<unsigned> key_usage(const X509* cert);
inline constexpr unsigned ku_bit(int n) { return 1u << n; }
enum KeyUsageBitNumber {
    kDigitalSignature = 0, kNonRepudiation = 1, kKeyEncipherment = 2, kDataEncipherment = 3,
    kKeyAgreement = 4, kKeyCertSign = 5, kCrlSign = 6, kEncipherOnly = 7, kDecipherOnly = 8,
};

struct BasicConstraintsFacts {
    bool critical = false;
    bool ca = false;
    bool has_path_length = false;
};
std::optional<BasicConstraintsFacts> basic_constraints(const X509* cert);

// cA=TRUE in basicConstraints.
bool is_ca(const X509* cert);
bool has_empty_subject(const X509* cert);

}  // namespace pkilab::lint_detail
