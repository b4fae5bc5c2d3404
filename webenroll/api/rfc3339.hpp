#pragma once
// RFC 3339 timestamps as the API takes them: "2026-11-23T10:00:00Z", with a fraction
// ("...:00.250Z", truncated to the second) or an offset ("...:00+02:00"), or a full date alone
// ("2026-11-23", midnight UTC).
#include <string_view>

#include "ca/clock.hpp"

namespace pkilab::web {

// InputError naming `where` and `field` when `text` is not one.
Time parse_rfc3339(std::string_view text, std::string_view where, std::string_view field);

}  // namespace pkilab::web
