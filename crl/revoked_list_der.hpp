#pragma once
// The revokedCertificates list of a CRL, written as DER in one pass (RFC 5280 5.1.2.6, 5.3).
//
// Why by hand: a CRL's size is its revoked list, and OpenSSL's CRL API builds it one
// X509_REVOKED object per entry (several allocations each, then a sort and an encoding pass).
// On this machine kind that costs about 7.7 s and 344 MiB for 1,000,000 entries through the
// API alone (../shared/peers.md; `openssl ca -gencrl` takes 12 s and 564 MiB), against a
// target of 2 s and 150 MiB for the whole CRL; bench/crl prints both ways side by side. This file writes only that list: serial INTEGER, revocation
// Time, and the three entry extensions we emit (reasonCode, invalidityDate, holdInstructionCode).
// Everything else in a CRL (names, times, extensions, algorithm identifiers) is encoded by
// OpenSSL. tests/unit/revoked_list_der_test.cpp checks every entry shape byte for byte against
// OpenSSL's own encoding of the same X509_REVOKED.
#include <cstdint>
#include <optional>
#include <string_view>

#include "ca/bytes.hpp"
#include "ca/clock.hpp"
#include "ca/store/store.hpp"

namespace pkilab::crl {

// RFC 3280 5.3.2 hold instructions (RFC 5280 dropped the extension; clients still read it).
enum class HoldInstruction { Omit, None, CallIssuer, Reject };
// "" -> Omit, "none", "call-issuer", "reject" (the lab file has checked the text).
HoldInstruction parse_hold_instruction(std::string_view text);

class RevokedListWriter {
public:
    explicit RevokedListWriter(HoldInstruction hold = HoldInstruction::Omit) : hold_(hold) {}

    // Appends one entry. `serial` is the certificate's serial as hex (the store's lower-case
    // form, at most 42 digits); InternalError when it is not. Reason Unspecified writes no
    // reasonCode (RFC 5280 5.3.1: "SHOULD be absent instead of using unspecified");
    // CertificateHold adds the hold instruction.
    void add(std::string_view serial_hex, RevocationReason reason, Time revoked_at,
             std::optional<Time> invalidity_date = std::nullopt);

    std::uint64_t count() const { return count_; }
    // The entries' DER, each a complete RevokedCertificate SEQUENCE, without the outer SEQUENCE OF.
    const Bytes& entries() const { return out_; }
    Bytes& entries() { return out_; }

private:
    HoldInstruction hold_;
    Bytes out_;
    std::uint64_t count_ = 0;
};

// DER helpers shared with the CRL writer.
void append_der_length(Bytes& out, std::size_t length);
std::size_t der_length_size(std::size_t length);
// Time as RFC 5280 4.1.2.5 requires: UTCTime through 2049, GeneralizedTime from 2050.
void append_der_time(Bytes& out, Time t);

}  // namespace pkilab::crl
