#include "webenroll/http_date.hpp"

#include <array>
#include <cstring>

namespace pkilab::web {

std::string format_http_date(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    // strftime's %a and %b follow the locale: HTTP wants the English names whatever it is.
    static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[static_cast<size_t>(tm.tm_wday % 7)],
                  tm.tm_mday, kMonths[static_cast<size_t>(tm.tm_mon % 12)], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

std::optional<std::time_t> parse_http_date(std::string_view text) {
    if (text.size() > 64) return std::nullopt;
    const std::string s(text);
    // strptime's names are the C locale's in a program that never calls setlocale for LC_TIME,
    // which pkilab does not.
    static constexpr std::array<const char*, 3> kForms{"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
                                                       "%a %b %e %H:%M:%S %Y"};
    for (const char* form : kForms) {
        std::tm tm{};
        const char* end = strptime(s.c_str(), form, &tm);
        if (end == nullptr || *end != '\0') continue;
        return timegm(&tm);
    }
    return std::nullopt;
}

}  // namespace pkilab::web
