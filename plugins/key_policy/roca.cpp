#include "roca.hpp"

#include <array>
#include <memory>
#include <vector>

#include <openssl/bn.h>

namespace pkilab::key_policy {

namespace {

constexpr std::array<unsigned, 17> kPrimes{11, 13, 17, 19, 37, 53, 61, 71, 73, 79, 97, 103, 107, 109, 127, 151, 157};

// Whether `residue` is a power of 65537 modulo `p`: the subgroup is computed, not tabled.
bool in_subgroup_of_65537(unsigned residue, unsigned p) {
    const unsigned g = 65537 % p;
    unsigned x = 1;
    do {
        if (x == residue) return true;
        x = x * g % p;
    } while (x != 1);
    return false;
}

}  // namespace

bool roca_fingerprint(const std::uint8_t* modulus, std::size_t len) {
    std::unique_ptr<BIGNUM, decltype(&BN_free)> n(BN_bin2bn(modulus, static_cast<int>(len), nullptr), &BN_free);
    if (!n || BN_is_zero(n.get())) return false;
    for (unsigned p : kPrimes) {
        const BN_ULONG r = BN_mod_word(n.get(), p);
        if (r == static_cast<BN_ULONG>(-1)) return false;
        if (!in_subgroup_of_65537(static_cast<unsigned>(r), p)) return false;
    }
    return true;
}

}  // namespace pkilab::key_policy
