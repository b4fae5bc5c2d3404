#include "ca/bytes.hpp"

#include <openssl/evp.h>

#include "ca/errors.hpp"

namespace pkilab {

std::string to_hex(ByteView bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0x0f]);
    }
    return out;
}

int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Bytes from_hex(std::string_view text, std::string_view field) {
    if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
    std::string digits;
    for (char c : text) {
        if (c == ':' || c == ' ') continue;
        if (hex_digit_value(c) < 0)
            throw InputError(std::string(field), "", "'" + std::string(1, c) + "' is not a hex digit",
                             "use hex digits 0-9 and a-f");
        digits.push_back(c);
    }
    if (digits.empty()) throw InputError(std::string(field), "", "empty hex value");
    if (digits.size() % 2 != 0) digits.insert(digits.begin(), '0');
    Bytes out(digits.size() / 2);
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<std::uint8_t>(hex_digit_value(digits[2 * i]) * 16 + hex_digit_value(digits[2 * i + 1]));
    return out;
}

std::string base64_encode(ByteView bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

Bytes base64_decode(std::string_view text, std::string_view field) {
    std::string clean;
    clean.reserve(text.size());
    for (char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '/' || c == '=';
        if (!ok)
            throw InputError(std::string(field), "", "character not allowed in base64",
                             "send standard base64 (A-Z a-z 0-9 + / =)");
        clean.push_back(c);
    }
    if (clean.size() % 4 != 0)
        throw InputError(std::string(field), "", "base64 length is not a multiple of 4");
    Bytes out(clean.size() / 4 * 3);
    int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(clean.data()),
                            static_cast<int>(clean.size()));
    if (n < 0) throw InputError(std::string(field), "", "invalid base64");
    // EVP_DecodeBlock counts padding as zero bytes; drop them.
    size_t pad = 0;
    if (!clean.empty() && clean.back() == '=') ++pad;
    if (clean.size() > 1 && clean[clean.size() - 2] == '=') ++pad;
    out.resize(static_cast<size_t>(n) - pad);
    return out;
}

}  // namespace pkilab
