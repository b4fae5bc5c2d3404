#include "webenroll/api/query.hpp"

#include <charconv>

#include "ca/errors.hpp"

namespace pkilab::web {

std::int64_t parse_integer(const std::string& text, const std::string& where, const std::string& field, std::int64_t min,
                           std::int64_t max) {
    const std::string range = "from " + std::to_string(min) + " to " + std::to_string(max);
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    // from_chars takes a leading '-': refused here for unsigned-looking fields by `min`.
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
        const std::string shown = text.size() > 24 ? text.substr(0, 24) + "..." : text;
        throw InputError(where, field, "'" + shown + "' is not a whole number " + range);
    }
    return v;
}

std::int64_t query_integer(const ApiCall& call, const std::string& name, std::int64_t min, std::int64_t max,
                           std::int64_t fallback) {
    if (!call.has_query(name)) return fallback;
    return parse_integer(call.query(name), "query", name, min, max);
}

std::size_t query_limit(const ApiCall& call, std::size_t fallback) {
    return static_cast<std::size_t>(query_integer(call, "limit", 1, static_cast<std::int64_t>(kMaxListLimit),
                                                  static_cast<std::int64_t>(fallback)));
}

}  // namespace pkilab::web
