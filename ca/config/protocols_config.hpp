#pragma once
// The lab file's `protocols:` section: one sub-section per enrollment protocol that
// `pkilab serve` speaks. Each protocol is on with its defaults when its sub-section is absent.
#include <string>

#include "ca/config/acme_config.hpp"
#include "ca/config/cmp_config.hpp"
#include "ca/config/est_config.hpp"
#include "ca/config/scep_config.hpp"
#include "ca/config/yaml_reader.hpp"

namespace pkilab {

struct CaConfig;
struct LabConfig;

struct ProtocolsConfig {
    EstConfig est;
    AcmeConfig acme;
    ScepConfig scep;
    CmpConfig cmp;
};

// For the sections' endpoint entries: the CA and template a key names (InputError at `n`, with
// the nearest name as a hint), and that the CA publishes the template (InputError at `at`).
const CaConfig& read_lab_ca(const yaml::Node& n, const LabConfig& lab);
std::string read_lab_template(const yaml::Node& n, const LabConfig& lab);
void check_publishes(const yaml::Node& at, const CaConfig& ca, const std::string& template_name);

// Reads `protocols:` into lab.protocols; `lab` has its CAs, templates and web users already.
void read_protocols_config(const yaml::Node& node, LabConfig& lab);

}  // namespace pkilab
