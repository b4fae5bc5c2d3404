#pragma once
// The JSON form of the CA's records: one rendering for `pkilab ... --json` and the REST API, so
// a script written against one reads the other.
#include <string>

#include <nlohmann/json.hpp>

#include "ca/pipeline/issuance.hpp"
#include "ca/store/store.hpp"
#include "ca/x509/certificate_info.hpp"

namespace pkilab::web {

nlohmann::json to_json(const CertificateRecord& c, Time now);
nlohmann::json to_json(const RequestRecord& r);
nlohmann::json to_json(const IssuanceOutcome& o);
nlohmann::json to_json(const CertificateInfo& info);
nlohmann::json to_json(const AuditEvent& e);

// "valid", "revoked", "on-hold" or "expired" (valid but past notAfter at `now`).
std::string effective_status(const CertificateRecord& c, Time now);

}  // namespace pkilab::web
