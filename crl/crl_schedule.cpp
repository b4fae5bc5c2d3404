#include "crl/crl_schedule.hpp"

namespace pkilab::crl {

CrlTimes crl_times(const CrlConfig& config, CrlKind kind, Time now) {
    const bool delta = kind == CrlKind::Delta;
    const Duration period = delta ? config.delta_period : config.period;
    const Duration overlap = delta ? config.delta_overlap_or_default() : config.base_overlap();
    return {now - kClockSkew, now + period, now + period + overlap};
}

const char* to_string(Freshness f) {
    switch (f) {
        case Freshness::Missing: return "missing";
        case Freshness::Fresh: return "fresh";
        case Freshness::Due: return "due";
        case Freshness::Stale: return "stale";
    }
    return "?";
}

Freshness freshness(const std::optional<CrlRecord>& latest, Time now) {
    if (!latest) return Freshness::Missing;
    if (now >= latest->next_update) return Freshness::Stale;
    // A CRL made "later" than now: the lab clock went back (training). It is not valid yet for a
    // client at this time, so it is replaced as if due.
    if (now >= latest->next_publish || latest->this_update > now) return Freshness::Due;
    return Freshness::Fresh;
}

bool is_due(const std::optional<CrlRecord>& latest, const std::optional<CrlRecord>& latest_base, CrlKind kind,
            Time now) {
    if (freshness(latest, now) != Freshness::Fresh) return true;
    return kind == CrlKind::Delta && latest_base && latest->base_number != latest_base->number;
}

}  // namespace pkilab::crl
