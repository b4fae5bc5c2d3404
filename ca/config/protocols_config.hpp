#pragma once
// The lab file's `protocols:` section: one sub-section per enrollment protocol that
// `pkilab serve` speaks. Each protocol is on with its defaults when its sub-section is absent.
#include "ca/config/acme_config.hpp"
#include "ca/config/cmp_config.hpp"
#include "ca/config/est_config.hpp"
#include "ca/config/scep_config.hpp"
#include "ca/config/yaml_reader.hpp"

namespace pkilab {

struct LabConfig;

struct ProtocolsConfig {
    EstConfig est;
    AcmeConfig acme;
    ScepConfig scep;
    CmpConfig cmp;
};

// Reads `protocols:` into lab.protocols; `lab` has its CAs, templates and web users already.
void read_protocols_config(const yaml::Node& node, LabConfig& lab);

}  // namespace pkilab
