#pragma once
// Per-client rate limits: a token bucket per address, refilled continuously, so that a burst
// up to the per-minute figure passes and a steady flood is answered 429 with Retry-After.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace pkilab::web {

class RateLimiter {
public:
    using TimePoint = std::chrono::steady_clock::time_point;
    // 0: no limit.
    explicit RateLimiter(std::uint32_t per_minute) : per_minute_(per_minute) {}

    // Takes `cost` tokens from the address's bucket. 0 when allowed; otherwise the seconds to
    // wait (for Retry-After), at least 1.
    std::uint32_t take(const std::string& address, TimePoint now, double cost = 1.0);
    bool enabled() const { return per_minute_ > 0; }

private:
    struct Bucket {
        double tokens = 0;
        TimePoint at{};
    };
    static constexpr std::size_t kMaxAddresses = 100'000;
    std::uint32_t per_minute_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace pkilab::web
