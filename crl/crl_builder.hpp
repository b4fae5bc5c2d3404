#pragma once
// Building one CRL (RFC 5280 5): version 2, the CA's name and key identifier, the CRL number,
// Delta CRL Indicator or Freshest CRL, optionally the Issuing Distribution Point and Microsoft's
// Next CRL Publish, and the revoked list, signed by the CA.
#include <optional>
#include <string>
#include <vector>

#include "ca/authority/certificate_authority.hpp"
#include "ca/store/store.hpp"
#include "crl/revoked_list_der.hpp"

namespace pkilab::crl {

// What a CRL says about itself.
struct CrlHeader {
    CrlKind kind = CrlKind::Base;
    std::int64_t number = 0;
    std::optional<std::int64_t> base_number;  // required for a delta CRL
    Time this_update{};
    Time next_update{};
    std::optional<Time> next_publish;            // Microsoft Next CRL Publish, when wanted
    std::vector<std::string> freshest_crl;       // base CRLs of a CA with deltas: where the delta is
    std::vector<std::string> distribution_point; // Issuing Distribution Point names, when wanted
};

// Wraps the revoked list in a CRL and signs it. `entries` is consumed: its buffer becomes the
// CRL's, so a million-entry list is never copied whole more than once.
Bytes build_crl(const CertificateAuthority& ca, const CrlHeader& header, RevokedListWriter&& entries);

}  // namespace pkilab::crl
