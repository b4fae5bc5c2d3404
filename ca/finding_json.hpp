#pragma once
// Findings as JSON, for the store, `--json` output and (later) HTTP problem documents.
#include <string>

#include <nlohmann/json.hpp>

#include "ca/finding.hpp"

namespace pkilab {

void to_json(nlohmann::json& j, const Finding& f);
void from_json(const nlohmann::json& j, Finding& f);

std::string findings_to_json(const Findings& findings);
// Tolerates an empty string (no findings); throws InternalError on a corrupt record.
Findings findings_from_json(const std::string& text);

}  // namespace pkilab
