// The small text parsers behind command-line options and lab file values. The first byte
// chooses the parser, the rest is its text; each accepted value must survive its formatter.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ca/bytes.hpp"
#include "ca/clock.hpp"
#include "ca/config/url_tokens.hpp"
#include "ca/keys/key.hpp"
#include "ca/store/store.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace pkilab {
namespace {

enum class Parser : std::uint8_t { Time, Duration, Base64, Hex, RevocationReason, KeySpec, UrlPattern, Count };

// `parse(text)` either rejects the text or gives a value whose formatted form parses back to it.
template <class Parse, class Format>
void round_trip(std::string_view text, Parse parse, Format format, std::string_view what) {
    fuzz::accepts([&] {
        const auto value = parse(text);
        const std::string written = format(value);
        bool same = false;
        const bool ok = fuzz::accepts([&] { same = parse(written) == value; });
        fuzz::require(ok, std::string(what) + ": formatted value does not parse: " + written);
        fuzz::require(same, std::string(what) + ": formatted value parses to another value: " + written);
    });
}

void url_pattern(std::string_view text) {
    const bool checked = fuzz::accepts([&] { check_url_pattern(text, "fuzz"); });
    const UrlTokenValues values{"pki.lab.test", "Lab Issuing CA", 2, true};
    const bool expanded = fuzz::accepts([&] { (void)expand_url_tokens(text, values, "fuzz"); });
    fuzz::require(checked == expanded, "check_url_pattern and expand_url_tokens disagree");
}

}  // namespace
}  // namespace pkilab

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pkilab;
    if (size == 0) return 0;
    const auto parser = static_cast<Parser>(data[0] % static_cast<std::uint8_t>(Parser::Count));
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    switch (parser) {
    case Parser::Time:
        round_trip(text, [](std::string_view t) { return parse_time(t, "fuzz"); }, format_time, "time");
        break;
    case Parser::Duration:
        round_trip(text, [](std::string_view t) { return parse_duration(t, "fuzz"); }, format_duration, "duration");
        break;
    case Parser::Base64:
        round_trip(text, [](std::string_view t) { return base64_decode(t, "fuzz"); },
                   [](const Bytes& b) { return base64_encode(b); }, "base64");
        break;
    case Parser::Hex:
        round_trip(text, [](std::string_view t) { return from_hex(t, "fuzz"); },
                   [](const Bytes& b) { return to_hex(b); }, "hex");
        break;
    case Parser::RevocationReason:
        round_trip(text, [](std::string_view t) { return parse_revocation_reason(t, "fuzz"); },
                   [](RevocationReason r) { return std::string(to_string(r)); }, "revocation reason");
        break;
    case Parser::KeySpec:
        round_trip(text, [](std::string_view t) { return parse_key_spec(t, "fuzz"); },
                   [](const KeySpec& k) { return to_string(k); }, "key spec");
        break;
    case Parser::UrlPattern:
        url_pattern(text);
        break;
    case Parser::Count:
        break;
    }
    ERR_clear_error();
    return 0;
}
