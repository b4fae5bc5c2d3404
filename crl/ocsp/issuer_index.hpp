#pragma once
// Which CA of the lab a CertID names, by issuerNameHash and issuerKeyHash (RFC 6960 4.1.1),
// precomputed for every hash a client may use, so that dispatch is one hash-table lookup.
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ca/authority/certificate_authority.hpp"
#include "ca/bytes.hpp"

namespace pkilab::crl {

class IssuerIndex {
public:
    explicit IssuerIndex(const std::vector<CertificateAuthority>& cas);
    // The position in `cas` of the CA that issued what the CertID names, or nothing.
    std::optional<std::size_t> find(int hash_nid, ByteView name_hash, ByteView key_hash) const;

private:
    std::unordered_map<std::string, std::size_t> by_hashes_;
};

}  // namespace pkilab::crl
