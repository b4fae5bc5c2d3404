#include "fermat.hpp"

#include <memory>

#include <openssl/bn.h>

namespace pkilab::key_policy {

namespace {

struct BnFree {
    void operator()(BIGNUM* b) const { BN_free(b); }
};
struct CtxFree {
    void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

// floor(sqrt(n)) by Newton's method.
bool isqrt(const BIGNUM* n, BIGNUM* out, BN_CTX* ctx) {
    if (BN_is_zero(n)) {
        BN_zero(out);
        return true;
    }
    Bn x(BN_new()), y(BN_new()), q(BN_new());
    if (!x || !y || !q) return false;
    // Start above the root: 2^(ceil(bits/2)).
    if (!BN_set_bit(x.get(), (BN_num_bits(n) + 1) / 2)) return false;
    for (;;) {
        // y = (x + n / x) / 2
        if (!BN_div(q.get(), nullptr, n, x.get(), ctx) || !BN_add(y.get(), x.get(), q.get()) || !BN_rshift1(y.get(), y.get()))
            return false;
        if (BN_cmp(y.get(), x.get()) >= 0) break;
        if (!BN_copy(x.get(), y.get())) return false;
    }
    return BN_copy(out, x.get()) != nullptr;
}

}  // namespace

bool fermat_factorable(const std::uint8_t* modulus, std::size_t len, int rounds) {
    std::unique_ptr<BN_CTX, CtxFree> ctx(BN_CTX_new());
    Bn n(BN_bin2bn(modulus, static_cast<int>(len), nullptr));
    Bn a(BN_new()), b2(BN_new()), b(BN_new()), sq(BN_new());
    if (!ctx || !n || !a || !b2 || !b || !sq || BN_is_zero(n.get())) return false;
    // a = ceil(sqrt(n)); then look for a^2 - n = b^2 with a = ceil(sqrt(n)) + i.
    if (!isqrt(n.get(), a.get(), ctx.get()) || !BN_sqr(sq.get(), a.get(), ctx.get())) return false;
    if (BN_cmp(sq.get(), n.get()) < 0 && !BN_add_word(a.get(), 1)) return false;
    for (int i = 0; i < rounds; ++i) {
        if (!BN_sqr(sq.get(), a.get(), ctx.get()) || !BN_sub(b2.get(), sq.get(), n.get())) return false;
        if (!isqrt(b2.get(), b.get(), ctx.get()) || !BN_sqr(sq.get(), b.get(), ctx.get())) return false;
        if (BN_cmp(sq.get(), b2.get()) == 0) return true;  // n = (a - b)(a + b)
        if (!BN_add_word(a.get(), 1)) return false;
    }
    return false;
}

}  // namespace pkilab::key_policy
