#pragma once
// Builds and signs one OCSPResponse (RFC 6960 4.2) from answers that are already decided.
#include <optional>
#include <span>

#include "ca/bytes.hpp"
#include "ca/clock.hpp"
#include "ca/ossl/ptr.hpp"
#include "ca/store/store.hpp"
#include "crl/ocsp/ocsp_signer.hpp"

namespace pkilab::crl {

// What the store says about one serial, as OCSP reports it (on hold is revoked, certificateHold).
struct CertState {
    enum class Kind { Good, Revoked, Unknown };
    Kind kind = Kind::Unknown;
    RevocationReason reason = RevocationReason::Unspecified;
    Time revoked_at{};
    std::optional<Time> invalidity_date;

    static CertState from_record(const CertificateRecord& record);
};

struct SingleAnswer {
    OCSP_CERTID* id = nullptr;  // borrowed from the request; copied into the response
    CertState state;
};

struct SignedResponse {
    Bytes der;  // the whole OCSPResponse
    Time this_update{};
    Time next_update{};
};

// thisUpdate and producedAt are `now`; nextUpdate is now + validity, cut to the signer's
// certificate's end (a response must not outlive the key that vouches for it). With `nonce_from`
// the request's nonce extension is echoed.
SignedResponse build_response(const OcspSigner& signer, std::span<const SingleAnswer> answers,
                              const OCSP_REQUEST* nonce_from, Time now, Duration validity);

// The unsigned error answers (malformedRequest, internalError, tryLater, unauthorized...).
Bytes error_response(int status);

}  // namespace pkilab::crl
