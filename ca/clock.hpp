#pragma once
// Time enters the CA only through a Clock that callers pass in; nothing reads a hidden now().
// A lab persists an offset so that training can fast-forward to expiry.
#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

namespace pkilab {

using Time = std::chrono::sys_seconds;
using Duration = std::chrono::seconds;

class Clock {
public:
    virtual ~Clock() = default;
    virtual Time now() const = 0;
};

class SystemClock final : public Clock {
public:
    Time now() const override;
};

// Another clock shifted by an offset (the lab clock). The offset may change while other threads
// read the clock: a long-running `pkilab serve` follows `pkilab clock` commands.
class OffsetClock final : public Clock {
public:
    OffsetClock(const Clock& base, Duration offset) : base_(base), offset_(offset.count()) {}
    Time now() const override { return base_.now() + offset(); }
    Duration offset() const { return Duration{offset_.load(std::memory_order_relaxed)}; }
    void set_offset(Duration offset) { offset_.store(offset.count(), std::memory_order_relaxed); }

private:
    const Clock& base_;
    std::atomic<Duration::rep> offset_;
};

// A clock that only moves when told to (tests).
class FixedClock final : public Clock {
public:
    explicit FixedClock(Time t) : t_(t) {}
    Time now() const override { return t_; }
    void set(Time t) { t_ = t; }
    void advance(Duration d) { t_ += d; }

private:
    Time t_;
};

// "2026-11-23T10:00:00Z"
std::string format_time(Time t);
// Accepts "YYYY-MM-DDTHH:MM:SSZ" and "YYYY-MM-DD" (midnight UTC). Throws InputError naming `field`.
Time parse_time(std::string_view text, std::string_view field = "time");
// "30d", "12h", "90m", "45s", "2y" (365 days), "1w", and sums such as "1y30d". Throws InputError.
Duration parse_duration(std::string_view text, std::string_view field = "duration");
// The shortest exact form of parse_duration's syntax ("1y", "30d", "90m").
std::string format_duration(Duration d);

}  // namespace pkilab
