#pragma once
// The shapes EST answers in (RFC 7030 §4, RFC 8951): base64 certs-only PKCS#7 with its MIME
// type, human-readable text for refusals, the 401 challenge, 202 with Retry-After.
#include <string>
#include <vector>

#include <httplib.h>
#include <openssl/x509.h>

#include "ca/pipeline/issuance.hpp"

namespace pkilab::web::est {

inline constexpr const char* kCertsOnlyType = "application/pkcs7-mime; smime-type=certs-only";
inline constexpr const char* kRealm = "Basic realm=\"pkilab EST\", charset=\"UTF-8\"";

void send_text(httplib::Response& res, int status, const std::string& text);
// 401 with the Basic challenge; `why` says what was missing or wrong.
void send_unauthorized(httplib::Response& res, const std::string& why);
// 200: the base64 DER of a certs-only PKCS#7 holding `certs`.
void send_certs_only(httplib::Response& res, const std::vector<const X509*>& certs);
void send_certs_only_der(httplib::Response& res, ByteView certificate_der);
// 202 Accepted: request `id` of `ca` waits for an officer; the client re-sends the same CSR.
void send_pending(httplib::Response& res, const std::string& ca, std::int64_t id, std::uint32_t retry_after);

// A decided request that produced no certificate: 403 for a denial (policy or officer), 500
// for a failure, with the disposition and every finding's message, so that curl shows why.
void send_refusal(httplib::Response& res, const std::string& ca, std::int64_t id, RequestState state,
                  const std::string& disposition, const Findings& findings);
// The text of send_refusal (for tests).
std::string refusal_text(const std::string& ca, std::int64_t id, RequestState state, const std::string& disposition,
                         const Findings& findings);

}  // namespace pkilab::web::est
