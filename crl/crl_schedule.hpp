#pragma once
// When CRLs are made and how long they live, as AD CS does it:
//   thisUpdate   = now - 10 minutes (AD CS's ClockSkewMinutes: clients a little behind still accept it)
//   next publish = now + period      (the Microsoft Next CRL Publish extension says when)
//   nextUpdate   = now + period + overlap (overlap: 10% of the period, at most 12 hours, unless set)
// so a CRL is replaced while the one before it is still valid. Time is the lab clock: advancing
// it ages CRLs, and the scheduler republishes.
#include <optional>

#include "ca/config/lab_config.hpp"
#include "ca/store/store.hpp"

namespace pkilab::crl {

inline constexpr Duration kClockSkew = std::chrono::minutes{10};

struct CrlTimes {
    Time this_update{};
    Time next_publish{};
    Time next_update{};
};

CrlTimes crl_times(const CrlConfig& config, CrlKind kind, Time now);

enum class Freshness {
    Missing,  // never published
    Fresh,    // valid, not yet due
    Due,      // past its next publish time (or made in the lab clock's future): to be replaced, still valid
    Stale,    // past nextUpdate: clients refuse it
};
const char* to_string(Freshness f);  // "missing", "fresh", "due", "stale"

Freshness freshness(const std::optional<CrlRecord>& latest, Time now);

// Whether the CA should publish a CRL of `kind` now. A delta is also due when it does not extend
// the latest base CRL (a base was published since).
bool is_due(const std::optional<CrlRecord>& latest, const std::optional<CrlRecord>& latest_base, CrlKind kind, Time now);

}  // namespace pkilab::crl
