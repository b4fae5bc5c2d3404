#include "webenroll/api/rfc3339.hpp"

#include <chrono>
#include <optional>

#include "ca/errors.hpp"

namespace pkilab::web {

namespace {

// `n` decimal digits at `at`, advancing it.
std::optional<int> digits(std::string_view s, size_t& at, size_t n) {
    if (at + n > s.size()) return std::nullopt;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
        const char c = s[at + i];
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    at += n;
    return v;
}

bool take(std::string_view s, size_t& at, char c) {
    if (at >= s.size() || (s[at] != c && !(c >= 'A' && c <= 'Z' && s[at] == c - 'A' + 'a'))) return false;
    ++at;
    return true;
}

}  // namespace

Time parse_rfc3339(std::string_view text, std::string_view where, std::string_view field) {
    auto bad = [&](const std::string& problem) -> InputError {
        const std::string shown = text.size() > 40 ? std::string(text.substr(0, 40)) + "..." : std::string(text);
        return InputError(std::string(where), std::string(field), "'" + shown + "' " + problem,
                          "write an RFC 3339 time such as 2026-11-23T10:00:00Z, or a date such as 2026-11-23");
    };
    size_t at = 0;
    const auto y = digits(text, at, 4);
    if (!y || !take(text, at, '-')) throw bad("is not an RFC 3339 time");
    const auto mo = digits(text, at, 2);
    if (!mo || !take(text, at, '-')) throw bad("is not an RFC 3339 time");
    const auto d = digits(text, at, 2);
    if (!d) throw bad("is not an RFC 3339 time");
    const std::chrono::year_month_day date{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*mo)},
                                           std::chrono::day{static_cast<unsigned>(*d)}};
    if (!date.ok()) throw bad("is not a date of the calendar");
    Time t = std::chrono::sys_days{date};
    if (at == text.size()) return t;

    if (!take(text, at, 'T')) throw bad("has something after the date that is not 'T' and a time");
    const auto h = digits(text, at, 2);
    std::optional<int> mi, sec;
    if (h && take(text, at, ':')) mi = digits(text, at, 2);
    if (mi && take(text, at, ':')) sec = digits(text, at, 2);
    if (!sec) throw bad("has no time of day as HH:MM:SS");
    if (*h > 23 || *mi > 59 || *sec > 60) throw bad("has an hour, minute or second out of range");
    // A leap second is the last second of its minute to a clock that has none.
    t += std::chrono::hours{*h} + std::chrono::minutes{*mi} + std::chrono::seconds{*sec == 60 ? 59 : *sec};
    if (at < text.size() && text[at] == '.') {
        ++at;
        const size_t start = at;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
        if (at == start || at - start > 9) throw bad("has a fraction of a second that is not 1 to 9 digits");
    }
    if (take(text, at, 'Z')) {
        if (at != text.size()) throw bad("has something after its time zone");
        return t;
    }
    if (at >= text.size() || (text[at] != '+' && text[at] != '-')) throw bad("has no time zone: end it with Z or +HH:MM");
    const bool east = text[at++] == '+';
    const auto oh = digits(text, at, 2);
    std::optional<int> om;
    if (oh && take(text, at, ':')) om = digits(text, at, 2);
    if (!om || *oh > 23 || *om > 59 || at != text.size()) throw bad("has a time zone offset that is not +HH:MM or -HH:MM");
    const auto offset = std::chrono::hours{*oh} + std::chrono::minutes{*om};
    // Local time = UTC + offset.
    return east ? t - offset : t + offset;
}

}  // namespace pkilab::web
