#pragma once
// OCSP over HTTP (RFC 6960 appendix A.1, RFC 5019): the request in a GET path, and how long a
// GET's response may be cached.
#include <optional>
#include <string>
#include <string_view>

#include "ca/bytes.hpp"
#include "ca/clock.hpp"

namespace pkilab::web {

inline constexpr const char* kOcspRequestType = "application/ocsp-request";
inline constexpr const char* kOcspResponseType = "application/ocsp-response";

// The DER request from the part of a GET path after "{ocsp path}/", already percent-decoded by
// the server. Clients differ: some leave '+' unencoded (a '+' in a path is not a space), some
// send a space where a form encoder saw '+', some use the URL-safe alphabet or drop the
// padding; all are taken. Empty bytes when it is not base64 at all: the responder answers those
// with malformedRequest, as it does any bad request.
Bytes decode_ocsp_get(std::string_view base64);

// Cache-Control for a response to GET: until its nextUpdate, measured on the lab clock
// (RFC 5019 section 6); "no-cache" for a successful response without one and "no-store" for an
// error status (malformedRequest, tryLater, ...).
std::string ocsp_cache_control(int status, std::optional<Time> next_update, Time now);

}  // namespace pkilab::web
