#pragma once
// The lab file's `protocols.acme:` section: ACME (RFC 8555): /acme/NAME/directory.
// Keys are documented in docs/LAB-FILE.md and docs/ACME.md.
#include <string>

#include "ca/config/yaml_reader.hpp"

namespace pkilab {

struct LabConfig;

struct AcmeConfig {
    bool enabled = true;
    std::string where;  // of the section; empty when the lab file has none
};

// Reads `protocols.acme:`; `lab` has its CAs and templates already. Throws InputError at the
// first problem.
AcmeConfig read_acme_config(const yaml::Node& node, const LabConfig& lab);

}  // namespace pkilab
