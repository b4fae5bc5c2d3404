#pragma once
// CMP transactions in progress (RFC 4210 §5.1.1: one transactionID from the request to the
// certConf or the last pollReq). OpenSSL's server context keeps a transaction's state
// (certReqId, nonces, polling), so each transaction has its own, used by one message at a
// time. Bounded: at most kMaxCmpTransactions, the least recently used goes first, and one idle
// for kCmpTransactionIdle is dropped.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ca/clock.hpp"
#include "webenroll/cmp/cmp_ptr.hpp"

namespace pkilab::web::cmp {

inline constexpr size_t kMaxCmpTransactions = 1024;
inline constexpr Duration kCmpTransactionIdle = std::chrono::hours(1);

// A request waiting for a CA manager's approval, answered when the client polls.
struct PendingRequest {
    std::string ca;
    std::int64_t request_id = 0;
    MsgPtr request;  // the original ir/cr/p10cr/kur, handed back to OpenSSL once decided
};

struct Transaction {
    std::mutex mutex;  // one message at a time
    SrvCtxPtr server;
    std::string identity;  // who started it; a later message from anyone else starts afresh
    std::optional<PendingRequest> pending;
    ossl::X509Ptr issued;  // the certificate the last ip/cp carried, for certConf's certHash
    Time last_used{};
};

class Transactions {
public:
    // The transaction `id` continues, when `identity` started it; null otherwise.
    std::shared_ptr<Transaction> find(const std::string& id, const std::string& identity, Time now);
    // Keeps `t` under `id` (replacing an older one), making room if needed.
    void keep(const std::string& id, std::shared_ptr<Transaction> t, Time now);
    void forget(const std::string& id, const Transaction* t);
    size_t size() const;

private:
    void expire(Time now);
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Transaction>> open_;
};

}  // namespace pkilab::web::cmp
