#pragma once
// HTTP dates (RFC 7231 section 7.1.1.1): IMF-fixdate out, the three historic forms in.
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace pkilab::web {

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::string format_http_date(std::time_t t);
// IMF-fixdate, RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") or asctime ("Sun Nov  6 08:49:37
// 1994"), as RFC 7231 says a recipient must accept. Empty for anything else.
std::optional<std::time_t> parse_http_date(std::string_view text);

}  // namespace pkilab::web
