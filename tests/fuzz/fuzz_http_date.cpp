// parse_http_date on hostile header values (If-Modified-Since reaches it from any client), and
// the round trip: a date it accepts, written as IMF-fixdate, reads back as the same second.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_support.hpp"
#include "webenroll/http_date.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pkilab;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto t = web::parse_http_date(text);
    if (t) {
        const std::string written = web::format_http_date(*t);
        const auto again = web::parse_http_date(written);
        fuzz::require(again.has_value(), "format_http_date output does not parse: " + written);
        fuzz::require(*again == *t, "format_http_date output parses to another time: " + written);
    }
    return 0;
}
