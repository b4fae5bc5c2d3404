#pragma once
// What every API handler answers with: JSON documents, issuance outcomes in the HTTP status
// they deserve, links to the resources they name, and who the caller is for the CA's records.
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "ca/pipeline/issuance.hpp"
#include "ca/store/store.hpp"
#include "webenroll/auth/caller.hpp"

namespace pkilab::web {

inline constexpr const char* kJsonType = "application/json";

void send_json(httplib::Response& res, int status, const nlohmann::json& body);

// Percent-encodes one path segment (CA names, serials and template names come from lab files).
std::string path_segment(std::string_view s);
std::string request_path(const std::string& ca, std::int64_t id);  // "/api/v1/requests/CA/ID"
std::string certificate_path(const std::string& serial);          // "/api/v1/certificates/SERIAL"

// The request or officer on the API, as the store records it.
Requester api_requester(const Caller& caller);

// An enrollee sees only what it asked for itself on the web; every other role sees everything.
bool sees_everything(const Caller& caller);
bool owns(const Caller& caller, const RequestRecord& r);

// The outcome of a submission or an officer action, with links and, when issued, the
// certificate in PEM. Issued: `issued_status` (201 for a new request); pending: 202; denied by
// policy: 422 problem+json with the findings and the request inside (RFC 9457), or
// `denied_status` when a denial is what was asked for (an officer's deny); failed: 500 problem.
// Location names the request.
void send_outcome(httplib::Response& res, const IssuanceOutcome& o, int issued_status, int denied_status = 422);

}  // namespace pkilab::web
