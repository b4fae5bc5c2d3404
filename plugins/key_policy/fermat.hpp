#pragma once
// Fermat's factorisation: an RSA modulus whose primes are close together (|p - q| small, as
// with some broken key generators, e.g. CVE-2022-26320) is factored in a few steps.
#include <cstddef>
#include <cstdint>

namespace pkilab::key_policy {

// True when the modulus (big-endian) factors within `rounds` Fermat steps.
bool fermat_factorable(const std::uint8_t* modulus, std::size_t len, int rounds);

}  // namespace pkilab::key_policy
