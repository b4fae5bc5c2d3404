#pragma once
// The lab file's `protocols.cmp:` section: CMP (RFC 4210, RFC 9483): /.well-known/cmp[/p/LABEL].
// Keys are documented in docs/LAB-FILE.md and docs/CMP.md.
#include <string>

#include "ca/config/yaml_reader.hpp"

namespace pkilab {

struct LabConfig;

struct CmpConfig {
    bool enabled = true;
    std::string where;  // of the section; empty when the lab file has none
};

// Reads `protocols.cmp:`; `lab` has its CAs and templates already. Throws InputError at the
// first problem.
CmpConfig read_cmp_config(const yaml::Node& node, const LabConfig& lab);

}  // namespace pkilab
