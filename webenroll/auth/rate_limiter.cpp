#include "webenroll/auth/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace pkilab::web {

std::uint32_t RateLimiter::take(const std::string& address, TimePoint now, double cost) {
    if (per_minute_ == 0) return 0;
    const double capacity = per_minute_;
    const double per_second = capacity / 60.0;
    std::lock_guard lock(mutex_);
    if (buckets_.size() >= kMaxAddresses && !buckets_.count(address)) {
        // Full buckets carry no information: forget them first, and everything if need be.
        for (auto it = buckets_.begin(); it != buckets_.end();) {
            const double refilled = it->second.tokens + std::chrono::duration<double>(now - it->second.at).count() * per_second;
            it = refilled >= capacity ? buckets_.erase(it) : std::next(it);
        }
        if (buckets_.size() >= kMaxAddresses) buckets_.clear();
    }
    auto [it, fresh] = buckets_.try_emplace(address, Bucket{capacity, now});
    Bucket& b = it->second;
    if (!fresh && now > b.at) {
        b.tokens = std::min(capacity, b.tokens + std::chrono::duration<double>(now - b.at).count() * per_second);
        b.at = now;
    }
    if (b.tokens >= cost) {
        b.tokens -= cost;
        return 0;
    }
    return static_cast<std::uint32_t>(std::max(1.0, std::ceil((cost - b.tokens) / per_second)));
}

}  // namespace pkilab::web
