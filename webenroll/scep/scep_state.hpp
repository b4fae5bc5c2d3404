#pragma once
// What SCEP remembers between requests, in the store's settings (durable, and bounded so that
// clients cannot grow it without limit):
//  - one-time challenge passwords an officer generated (/certsrv/mscep_admin), kept as SHA-256
//    digests with their endpoint and expiry (lab clock); each is good for one request;
//  - which stored request a transactionID became, so that a CertPoll for a pending request
//    finds it once an officer decided.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "ca/clock.hpp"
#include "ca/store/store.hpp"

namespace pkilab::scep {

inline constexpr size_t kMaxOneTimeChallenges = 1000;
inline constexpr size_t kMaxTransactions = 2000;  // only those waiting for approval are kept

// A random challenge password: 32 hex digits (PrintableString-safe, easy to type).
std::string new_challenge();

class OneTimeChallenges {
public:
    explicit OneTimeChallenges(Store& store, size_t max = kMaxOneTimeChallenges) : store_(store), max_(max) {}
    // A new challenge for `endpoint`, expiring at `expires`. The oldest unused one makes room
    // when `max` are outstanding.
    std::string issue(const std::string& endpoint, Time now, Time expires);
    // True, and the challenge is spent, when `password` is an unexpired one of `endpoint`.
    bool redeem(const std::string& endpoint, const std::string& password, Time now);
    size_t outstanding(Time now) const;

private:
    Store& store_;
    size_t max_;
    mutable std::mutex mutex_;
};

struct Transaction {
    std::string endpoint;
    std::string ca;
    std::int64_t request_id = 0;
};

class Transactions {
public:
    explicit Transactions(Store& store, size_t max = kMaxTransactions) : store_(store), max_(max) {}
    // The oldest is forgotten when `max` are kept.
    void remember(const std::string& transaction_id, const Transaction& t, Time now);
    std::optional<Transaction> find(const std::string& transaction_id) const;

private:
    Store& store_;
    size_t max_;
    mutable std::mutex mutex_;
};

}  // namespace pkilab::scep
