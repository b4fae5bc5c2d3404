#pragma once
// base64url without padding (RFC 4648 §5, RFC 7515 §2), as JWS and ACME write it.
#include <optional>
#include <string>
#include <string_view>

#include "ca/bytes.hpp"

namespace pkilab::acme {

std::string b64url_encode(ByteView bytes);
inline std::string b64url_encode(std::string_view s) { return b64url_encode(as_bytes(s)); }
// nullopt for anything but the url-safe alphabet without padding (no '=', no whitespace).
std::optional<Bytes> b64url_decode(std::string_view text);

}  // namespace pkilab::acme
