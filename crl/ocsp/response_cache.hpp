#pragma once
// Pre-signed responses for nonce-less requests: the hot path is a lookup and a copy.
//
// Keyed by CA, CertID hash algorithm and serial; each key keeps at most two encodings of the
// CertID (hash parameters NULL or absent: what real clients send), so that the response's
// CertID is byte for byte the request's and a hostile client cannot grow the cache with
// variants. Only serials the CA issued fill the cache freely (up to a limit); "unknown"
// answers have a small quota of their own and a short life.
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ca/bytes.hpp"
#include "ca/clock.hpp"
#include "crl/ocsp/ocsp_response_builder.hpp"

namespace pkilab::crl {

struct CachedAnswer {
    Bytes certid;  // the CertID's DER as the client sent it (and as the response repeats it)
    CertState state;
    SignedResponse response;
};
using AnswerPtr = std::shared_ptr<const CachedAnswer>;

struct ResponseCacheLimits {
    std::size_t max_serials = 50'000;         // keys with a certificate behind them
    std::size_t max_unknown = 1'024;          // keys of serials no CA issued
    Duration unknown_life = std::chrono::minutes{1};  // a serial may yet be issued (its intent is recorded first)
};

struct ResponseCacheStats {
    std::size_t serials = 0;  // keys, unknown ones included
    std::size_t unknown = 0;
    std::size_t answers = 0;  // encodings, at most two per key
};

std::string cache_key(std::size_t ca, int hash_nid, const std::string& serial);

class ResponseCache {
public:
    static constexpr std::size_t kEncodingsPerKey = 2;

    ResponseCache(std::size_t ca_count, ResponseCacheLimits limits);

    // Copies the response cached for exactly `certid` into `out` when it is valid at `now`, and
    // its nextUpdate into `next_update`.
    bool find(const std::string& key, ByteView certid, Time now, Bytes& out, Time& next_update) const;

    // Moves on each time refresh learns that statuses of the CA changed: a miss that read the
    // store before the change must not publish what it read.
    std::uint64_t epoch(std::size_t ca) const;

    // Publishes `answer` unless the CA's epoch is no longer `epoch`, a limit is reached or an
    // answer for the same encoding that is valid at `now` is there. Returns whether it did.
    bool insert(const std::string& key, std::size_t ca, const std::string& serial, AnswerPtr answer,
                std::uint64_t epoch, Time now);

    struct Entry {
        std::string key;
        std::size_t ca = 0;
        std::string serial;
        AnswerPtr answer;
    };
    // Drops the CA's answers for `serials` (every answer of the CA when null), moves the CA's
    // epoch on, and returns what was dropped so that it can be signed again.
    std::vector<Entry> invalidate(std::size_t ca, const std::unordered_set<std::string>* serials);

    // Answers that need signing again at `now` (past half their life, or from the future after
    // the lab clock went back), at most `limit`. Expired "unknown" answers are dropped instead.
    std::vector<Entry> due(Time now, std::size_t limit);
    // Puts `fresh` where `stale.answer` still is; does nothing if that answer was replaced or dropped.
    void replace(const Entry& stale, AnswerPtr fresh);

    ResponseCacheStats stats() const;

private:
    struct Slot {
        std::size_t ca = 0;
        std::string serial;
        bool unknown = false;
        std::vector<AnswerPtr> answers;  // at most kEncodingsPerKey
    };
    void erase_answer(std::unordered_map<std::string, Slot>::iterator it, const AnswerPtr& answer);

    ResponseCacheLimits limits_;
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, Slot> slots_;
    std::vector<std::uint64_t> epochs_;
    std::size_t unknown_ = 0;
};

}  // namespace pkilab::crl
