#pragma once
// Replay nonces (RFC 8555 §6.5): random, single use, forgotten after a while or once too many
// are outstanding (the oldest go first), so memory stays bounded whatever clients do.
#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ca/clock.hpp"

namespace pkilab::acme {

class Nonces {
public:
    // `clock` is the real one (a nonce's life is not the CA's business) and must outlive this.
    explicit Nonces(const Clock& clock, std::size_t capacity = 20000, Duration lifetime = std::chrono::hours(1))
        : clock_(clock), capacity_(capacity), lifetime_(lifetime) {}
    std::string issue();
    // True once per issued nonce, within its lifetime.
    bool consume(const std::string& nonce);
    std::size_t outstanding() const;

private:
    void forget_old(Time now);
    const Clock& clock_;
    std::size_t capacity_;
    Duration lifetime_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, Time> live_;
    std::deque<std::pair<std::string, Time>> order_;  // issue order; may name consumed nonces
};

}  // namespace pkilab::acme
