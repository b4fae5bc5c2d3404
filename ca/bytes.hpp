#pragma once
// Byte buffers and the text encodings the CA needs (hex for serials, base64 for PEM bodies).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pkilab {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteView b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Lower-case hex without separators ("01ab").
std::string to_hex(ByteView bytes);
// Accepts upper or lower case, optional "0x" prefix, optional ':' or ' ' separators.
// Throws InputError naming `field` on anything else.
Bytes from_hex(std::string_view text, std::string_view field = "hex");
// The value of one hex digit (either case), or -1.
int hex_digit_value(char c);

std::string base64_encode(ByteView bytes);
// Accepts standard base64 with optional whitespace and line breaks; throws InputError.
Bytes base64_decode(std::string_view text, std::string_view field = "base64");

}  // namespace pkilab
