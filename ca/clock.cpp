#include "ca/clock.hpp"

#include <charconv>
#include <cstdio>

#include "ca/errors.hpp"

namespace pkilab {

Time SystemClock::now() const {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string format_time(Time t) {
    auto days = std::chrono::floor<std::chrono::days>(t);
    std::chrono::year_month_day ymd{days};
    std::chrono::hh_mm_ss hms{t - days};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

namespace {

bool read_number(std::string_view s, size_t pos, size_t len, int& out) {
    if (pos + len > s.size()) return false;
    for (size_t i = pos; i < pos + len; ++i)
        if (s[i] < '0' || s[i] > '9') return false;
    std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return true;
}

}  // namespace

Time parse_time(std::string_view text, std::string_view field) {
    const std::string f(field);
    const std::string hint = "write UTC as YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD";
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    bool date_ok = text.size() >= 10 && read_number(text, 0, 4, y) && text[4] == '-' &&
                   read_number(text, 5, 2, mo) && text[7] == '-' && read_number(text, 8, 2, d);
    if (!date_ok) throw InputError(f, "", "'" + std::string(text) + "' is not a date", hint);
    if (text.size() != 10) {
        bool time_ok = text.size() == 20 && (text[10] == 'T' || text[10] == ' ') &&
                       read_number(text, 11, 2, h) && text[13] == ':' && read_number(text, 14, 2, mi) &&
                       text[16] == ':' && read_number(text, 17, 2, s) && text[19] == 'Z';
        if (!time_ok) throw InputError(f, "", "'" + std::string(text) + "' is not a UTC time", hint);
    }
    std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                    std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || s > 59)
        throw InputError(f, "", "'" + std::string(text) + "' is not a valid calendar time", hint);
    return std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} +
           std::chrono::seconds{s};
}

Duration parse_duration(std::string_view text, std::string_view field) {
    const std::string f(field);
    const std::string hint = "use a number with a unit: 2y, 30d, 1w, 12h, 90m, 45s (sums like 1y30d work)";
    if (text.empty()) throw InputError(f, "", "empty duration", hint);
    long long total = 0;
    size_t i = 0;
    while (i < text.size()) {
        size_t start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
        if (i == start || i - start > 9 || i == text.size())
            throw InputError(f, "", "'" + std::string(text) + "' is not a duration", hint);
        long long n = 0;
        std::from_chars(text.data() + start, text.data() + i, n);
        long long unit = 0;
        switch (text[i]) {
            case 'y': unit = 365LL * 86400; break;
            case 'w': unit = 7LL * 86400; break;
            case 'd': unit = 86400; break;
            case 'h': unit = 3600; break;
            case 'm': unit = 60; break;
            case 's': unit = 1; break;
            default:
                throw InputError(f, "", "unknown unit '" + std::string(1, text[i]) + "' in '" +
                                            std::string(text) + "'", hint);
        }
        ++i;
        total += n * unit;
        if (total > 1000LL * 365 * 86400)
            throw InputError(f, "", "'" + std::string(text) + "' is longer than 1000 years", hint);
    }
    return Duration{total};
}

std::string format_duration(Duration d) {
    long long s = d.count();
    if (s == 0) return "0s";
    std::string out;
    if (s < 0) {
        out = "-";
        s = -s;
    }
    struct Unit { long long seconds; char name; };
    static constexpr Unit kUnits[] = {{365LL * 86400, 'y'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    for (auto u : kUnits) {
        if (s >= u.seconds) {
            out += std::to_string(s / u.seconds);
            out += u.name;
            s %= u.seconds;
        }
    }
    return out;
}

}  // namespace pkilab
