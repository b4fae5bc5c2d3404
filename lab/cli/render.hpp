#pragma once
// How results look: human text for the records the CLI prints; their JSON is the REST API's
// (webenroll/api/record_json.hpp), so that `--json` and the API agree.
#include <string>

#include <nlohmann/json.hpp>

#include "ca/finding.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/store/store.hpp"
#include "ca/x509/certificate_info.hpp"
#include "webenroll/api/record_json.hpp"

namespace pkilab::cli {

using web::effective_status;
using web::to_json;

std::string human_findings(const Findings& findings);
std::string human(const IssuanceOutcome& o);
std::string human(const CertificateInfo& info);
// Exit code for an issuance outcome: 1 when policy denied it.
int exit_code_for(const IssuanceOutcome& o);

}  // namespace pkilab::cli
