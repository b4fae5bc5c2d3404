#pragma once
// Revoking, holding and releasing certificates (RFC 5280 reasons; certificateHold is the
// only reversible one).
#include <optional>
#include <string>

#include "ca/pipeline/issuance.hpp"

namespace pkilab {

// Finds a certificate by serial (hex, any case, optional colons). With `ca` empty the serial
// must be unique across the lab. NotFoundError / InputError otherwise.
CertificateRecord find_certificate(const IssuanceContext& ctx, const std::string& serial, const std::string& ca = {});

// Revokes (reason CertificateHold puts it on hold instead). Revoking an already revoked
// certificate is a ConflictError; a certificate on hold may be revoked for good.
CertificateRecord revoke(const IssuanceContext& ctx, const std::string& serial, RevocationReason reason,
                         const Requester& who, std::optional<Time> invalidity_date = std::nullopt,
                         const std::string& ca = {});
CertificateRecord hold(const IssuanceContext& ctx, const std::string& serial, const Requester& who,
                       const std::string& ca = {});
// Only a certificate on hold can be released (ConflictError otherwise).
CertificateRecord release(const IssuanceContext& ctx, const std::string& serial, const Requester& who,
                          const std::string& ca = {});

std::string normalize_serial(std::string_view text);

}  // namespace pkilab
