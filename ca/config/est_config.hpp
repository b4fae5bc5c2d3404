#pragma once
// The lab file's `protocols.est:` section: EST (RFC 7030): /.well-known/est/[LABEL/].
// Keys are documented in docs/LAB-FILE.md and docs/EST.md.
#include <string>

#include "ca/config/yaml_reader.hpp"

namespace pkilab {

struct LabConfig;

struct EstConfig {
    bool enabled = true;
    std::string where;  // of the section; empty when the lab file has none
};

// Reads `protocols.est:`; `lab` has its CAs and templates already. Throws InputError at the
// first problem.
EstConfig read_est_config(const yaml::Node& node, const LabConfig& lab);

}  // namespace pkilab
