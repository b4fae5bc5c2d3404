#pragma once
// How results look: JSON objects and human text for the records the CLI prints.
#include <string>

#include <nlohmann/json.hpp>

#include "ca/finding.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/store/store.hpp"
#include "ca/x509/certificate_info.hpp"

namespace pkilab::cli {

nlohmann::json to_json(const CertificateRecord& c, Time now);
nlohmann::json to_json(const RequestRecord& r);
nlohmann::json to_json(const IssuanceOutcome& o);
nlohmann::json to_json(const CertificateInfo& info);
nlohmann::json to_json(const AuditEvent& e);

std::string human_findings(const Findings& findings);
std::string human(const IssuanceOutcome& o);
std::string human(const CertificateInfo& info);
// "valid", "revoked", "on-hold" or "expired" (valid but past notAfter at `now`).
std::string effective_status(const CertificateRecord& c, Time now);
// Exit code for an issuance outcome: 1 when policy denied it.
int exit_code_for(const IssuanceOutcome& o);

}  // namespace pkilab::cli
