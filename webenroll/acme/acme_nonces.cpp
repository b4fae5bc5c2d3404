#include "webenroll/acme/acme_nonces.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "webenroll/acme/acme_base64url.hpp"

namespace pkilab::acme {

std::string Nonces::issue() {
    unsigned char raw[18];
    if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("RAND_bytes failed");
    std::string nonce = b64url_encode(ByteView(raw, sizeof raw));
    const Time now = clock_.now();
    std::lock_guard lock(mu_);
    forget_old(now);
    while ((live_.size() >= capacity_ || order_.size() >= 2 * capacity_) && !order_.empty()) {
        live_.erase(order_.front().first);
        order_.pop_front();
    }
    live_.emplace(nonce, now);
    order_.emplace_back(nonce, now);
    return nonce;
}

bool Nonces::consume(const std::string& nonce) {
    const Time now = clock_.now();
    std::lock_guard lock(mu_);
    forget_old(now);
    return live_.erase(nonce) == 1;
}

std::size_t Nonces::outstanding() const {
    std::lock_guard lock(mu_);
    return live_.size();
}

void Nonces::forget_old(Time now) {
    while (!order_.empty() && (order_.front().second + lifetime_ <= now || !live_.contains(order_.front().first))) {
        live_.erase(order_.front().first);
        order_.pop_front();
    }
}

}  // namespace pkilab::acme
