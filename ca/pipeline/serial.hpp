#pragma once
// Certificate serial numbers: 128 bits from the CSPRNG, positive, at most 17 DER octets.
#include <string>

#include "ca/ossl/ptr.hpp"

namespace pkilab {

struct Serial {
    ossl::Asn1IntegerPtr integer;
    std::string hex;  // lower-case, as stored and shown
};

Serial random_serial();

}  // namespace pkilab
