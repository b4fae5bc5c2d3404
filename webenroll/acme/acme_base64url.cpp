#include "webenroll/acme/acme_base64url.hpp"

#include <openssl/evp.h>

namespace pkilab::acme {

std::string b64url_encode(ByteView bytes) {
    std::string out = base64_encode(bytes);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) {
        if (c == '+') c = '-';
        else if (c == '/') c = '_';
    }
    return out;
}

std::optional<Bytes> b64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string std64;
    std64.reserve(text.size() + 3);
    for (char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) std64 += c;
        else if (c == '-') std64 += '+';
        else if (c == '_') std64 += '/';
        else return std::nullopt;
    }
    const std::size_t pad = (4 - std64.size() % 4) % 4;
    std64.append(pad, '=');
    if (std64.empty()) return Bytes{};
    Bytes out(std64.size() / 4 * 3);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(std64.data()), static_cast<int>(std64.size()));
    if (n < 0) return std::nullopt;
    out.resize(static_cast<std::size_t>(n) - pad);
    // Non-canonical trailing bits would let two texts decode alike; refuse them.
    if (b64url_encode(out) != text) return std::nullopt;
    return out;
}

}  // namespace pkilab::acme
