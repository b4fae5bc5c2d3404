#pragma once
// What an EST client POSTs (RFC 7030 §4.2.1, as RFC 8951 clarified it): a PKCS#10 request,
// DER, base64-encoded whether or not Content-Transfer-Encoding says so, with any line breaks
// and whitespace; and what we answer with: base64 DER, in lines.
#include <string>
#include <string_view>

#include "ca/bytes.hpp"

namespace pkilab::web::est {

inline constexpr const char* kBodyWhere = "EST request";

// The request's DER (also from PEM, for clients that send the file as it is). Refuses,
// as InputError(kBodyWhere, ...): a Content-Type other than application/pkcs10 (none is taken
// as it), a Content-Transfer-Encoding other than base64 (or binary, then the body is DER), an
// empty body, and text that is not base64.
Bytes decode_csr_body(std::string_view content_type, std::string_view transfer_encoding, std::string_view body);

// The media type of a Content-Type value, lower-case, without parameters or spaces.
std::string media_type(std::string_view content_type);

// base64 of `der` in lines of 64 characters, each ending in LF: CRLF would be RFC 2045's, but
// `base64 -d` (coreutils), which EST scripts pipe answers into, refuses the CR.
std::string base64_lines(ByteView der);

}  // namespace pkilab::web::est
