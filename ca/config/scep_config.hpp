#pragma once
// The lab file's `protocols.scep:` section: SCEP (RFC 8894): /scep/NAME and the NDES-like /certsrv/mscep/mscep.dll.
// Keys are documented in docs/LAB-FILE.md and docs/SCEP.md.
#include <string>

#include "ca/config/yaml_reader.hpp"

namespace pkilab {

struct LabConfig;

struct ScepConfig {
    bool enabled = true;
    std::string where;  // of the section; empty when the lab file has none
};

// Reads `protocols.scep:`; `lab` has its CAs and templates already. Throws InputError at the
// first problem.
ScepConfig read_scep_config(const yaml::Node& node, const LabConfig& lab);

}  // namespace pkilab
