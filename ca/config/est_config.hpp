#pragma once
// The lab file's `protocols.est:` section: EST (RFC 7030): /.well-known/est/[LABEL/]OP.
// Keys are documented in docs/EST.md (and docs/LAB-FILE.md). Without the section EST is on:
// the unlabelled path issues WebServer from the CA /certsrv/ enrolls with, and every
// end-entity template that CA publishes is a label too, by its lower-case name.
#include <cstdint>
#include <string>
#include <vector>

#include "ca/config/yaml_reader.hpp"

namespace pkilab {

struct LabConfig;

// One `labels:` entry: /.well-known/est/LABEL/ enrolls for `template_name` at `ca`.
struct EstLabel {
    std::string label;
    std::string template_name;
    std::string ca;     // empty: the section's ca (else the certsrv CA)
    std::string where;  // of the entry
};

struct EstConfig {
    bool enabled = true;
    std::string ca;             // the CA of the unlabelled path and of labels without one; empty: the certsrv CA
    std::string template_name;  // the unlabelled path's template; empty: WebServer (else the CA's first end-entity one)
    std::vector<EstLabel> labels;
    bool template_labels = true;         // each end-entity template of `ca` is also a label, lower-case
    std::uint32_t retry_after_seconds = 10;  // the Retry-After of a 202 (request waiting for approval)
    std::string where;  // of the section; empty when the lab file has none
};

// RFC 7030 §3.2.2's label is one path segment; ours: [A-Za-z0-9][A-Za-z0-9._-]*, at most 64
// characters, and not an operation's name. Empty when it is fine, else why not.
std::string est_label_problem(std::string_view label);

// Reads `protocols.est:`; `lab` has its CAs and templates already. Throws InputError at the
// first problem.
EstConfig read_est_config(const yaml::Node& node, const LabConfig& lab);

}  // namespace pkilab
