#include "ca/pipeline/serial.hpp"

#include <array>

#include <openssl/rand.h>

#include "ca/ossl/error.hpp"
#include "ca/x509/certificate_info.hpp"

namespace pkilab {

Serial random_serial() {
    std::array<unsigned char, 16> random{};
    ossl::check(RAND_bytes(random.data(), static_cast<int>(random.size())), "RAND_bytes for a serial number");
    ossl::BignumPtr bn(ossl::check(BN_bin2bn(random.data(), static_cast<int>(random.size()), nullptr),
                                   "BN_bin2bn for a serial number"));
    Serial s;
    s.integer.reset(ossl::check(BN_to_ASN1_INTEGER(bn.get(), nullptr), "BN_to_ASN1_INTEGER"));
    s.hex = serial_to_hex(s.integer.get());
    return s;
}

}  // namespace pkilab
