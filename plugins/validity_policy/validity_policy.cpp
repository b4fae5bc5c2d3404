// validity_policy: how long the certificate may live.
//
// config:
//   max: 398d                 longest validity (units y = 365d, w, d, h; sums like 1y30d)
//   min: 1d                   shortest validity
//   not_beyond_issuer: true   must end no later than the issuing CA's certificate (default true)
//   max_backdate: 1d          notBefore no earlier than this before the CA's clock
#include <cstdint>
#include <string>

#include "pkilab_plugin.hpp"

namespace {

using pkilab::sdk::Config;
using pkilab::sdk::ConfigError;
using pkilab::sdk::Reporter;

// "398d", "1y30d", "12h" in seconds; -1 when it does not read.
long long parse_duration(std::string_view s) {
    if (s.empty()) return -1;
    long long total = 0;
    size_t i = 0;
    while (i < s.size()) {
        long long n = 0;
        size_t digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (n > 1000000) return -1;
            n = n * 10 + (s[i++] - '0');
            ++digits;
        }
        if (digits == 0 || i == s.size()) return -1;
        long long unit = 0;
        switch (s[i++]) {
            case 'y': unit = 365LL * 86400; break;
            case 'w': unit = 7LL * 86400; break;
            case 'd': unit = 86400; break;
            case 'h': unit = 3600; break;
            default: return -1;
        }
        total += n * unit;
    }
    return total;
}

long long duration(const Config& c, std::string_view key, long long fallback) {
    auto v = c.get(key);
    if (!v) return fallback;
    const long long d = parse_duration(*v);
    if (d < 0) throw ConfigError(std::string(key), "'" + std::string(*v) + "' is not a duration (write e.g. 398d, 1y, 12h)");
    return d;
}

std::string days(long long seconds) {
    const long long d = seconds / 86400;
    const long long h = (seconds % 86400) / 3600;
    return std::to_string(d) + " days" + (h != 0 ? " " + std::to_string(h) + " hours" : "");
}

class ValidityPolicy {
public:
    explicit ValidityPolicy(const Config& c) {
        c.only({"max", "min", "not_beyond_issuer", "max_backdate"});
        max_ = duration(c, "max", 0);
        min_ = duration(c, "min", 0);
        max_backdate_ = duration(c, "max_backdate", -1);
        not_beyond_issuer_ = c.boolean("not_beyond_issuer", true);
        if (max_ > 0 && min_ > max_) throw ConfigError("min", "min is longer than max");
    }

    std::uint32_t evaluate(const pkilab_request& r, Reporter& out) const {
        if (r.cert == nullptr) return PKILAB_VERDICT_ABSTAIN;
        const pkilab_cert& c = *r.cert;
        const long long life = c.not_after - c.not_before;
        if (max_ > 0 && life > max_)
            out.error("validity.too_long", "validity", "the certificate would be valid for " + days(life) + ", over the " + days(max_) + " allowed",
                      "use a template with a validity of at most " + days(max_));
        if (min_ > 0 && life < min_)
            out.error("validity.too_short", "validity", "the certificate would be valid for " + days(life) + ", under the " + days(min_) + " required",
                      "use a template with a longer validity");
        if (not_beyond_issuer_ && c.issuer_not_after != 0 && c.not_after > c.issuer_not_after)
            out.error("validity.beyond_issuer", "validity.notAfter", "the certificate would outlive its issuing CA",
                      "shorten the validity, or renew the CA first");
        if (max_backdate_ >= 0 && r.now - c.not_before > max_backdate_)
            out.error("validity.backdated", "validity.notBefore", "notBefore lies " + days(r.now - c.not_before) + " in the past, over the " +
                          days(max_backdate_) + " allowed",
                      "use a template with a smaller backdate");
        return out.verdict();
    }

private:
    long long max_ = 0, min_ = 0, max_backdate_ = -1;
    bool not_beyond_issuer_ = true;
};

}  // namespace

PKILAB_DEFINE_PLUGIN(ValidityPolicy, "validity-policy", "1.0.0", "validity caps and minimums, not beyond the issuer",
                     PKILAB_PLUGIN_THREAD_SAFE)
