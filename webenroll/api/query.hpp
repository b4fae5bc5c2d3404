#pragma once
// The API's query parameters that are numbers: bounded, decimal, named in errors.
#include <cstddef>
#include <cstdint>
#include <string>

#include "webenroll/api/api_route.hpp"

namespace pkilab::web {

inline constexpr std::size_t kMaxListLimit = 1000;
inline constexpr std::size_t kDefaultListLimit = 100;

// `limit`: 1 to 1000, `fallback` when absent.
std::size_t query_limit(const ApiCall& call, std::size_t fallback = kDefaultListLimit);
// A decimal integer from `min` to `max`, `fallback` when absent. InputError naming `name`.
std::int64_t query_integer(const ApiCall& call, const std::string& name, std::int64_t min, std::int64_t max,
                           std::int64_t fallback);
// A decimal integer from `min` to `max` given as `field` of `where` (path segments, for one).
std::int64_t parse_integer(const std::string& text, const std::string& where, const std::string& field, std::int64_t min,
                           std::int64_t max);

}  // namespace pkilab::web
