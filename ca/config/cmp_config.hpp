#pragma once
// The lab file's `protocols.cmp:` section: CMP (RFC 4210, RFC 9483): /.well-known/cmp[/p/LABEL].
// Keys are documented in docs/CMP.md (and docs/LAB-FILE.md). Without the section CMP is on: the
// default profile issues WebServer from the CA /certsrv/ enrolls with, and MAC-protected
// requests use one generated reference and secret (STATE/cmp/secret).
#include <string>
#include <vector>

#include "ca/config/yaml_reader.hpp"

namespace pkilab {

struct LabConfig;

// One `profiles:` entry: /.well-known/cmp/p/LABEL enrolls for `template_name` at `ca`.
struct CmpProfile {
    std::string label;
    std::string template_name;
    std::string ca;     // empty: the section's ca (else the certsrv CA)
    std::string where;  // of the entry
};

// One `secrets:` entry: a MAC-protected request whose senderKID is `reference` must be
// protected with this secret. `secret` is as written: "env:NAME" reads the environment of
// `pkilab serve`, "file:PATH" a file (relative to the working folder), anything else is the
// secret itself (a lab file is not a vault).
struct CmpSecret {
    std::string reference;
    std::string secret;
    std::string where;
};

struct CmpConfig {
    bool enabled = true;
    std::string ca;             // the default profile's CA and of profiles without one; empty: the certsrv CA
    std::string template_name;  // the default profile's template; empty: WebServer
    std::vector<CmpProfile> profiles;
    std::vector<CmpSecret> secrets;  // empty: one generated at `pkilab serve`
    std::string where;  // of the section; empty when the lab file has none
};

inline constexpr size_t kMaxCmpSecrets = 64;

// A profile label is one path segment: [A-Za-z0-9][A-Za-z0-9._-]*, at most 64 characters.
// Empty when it is fine, else why not.
std::string cmp_label_problem(std::string_view label);

// Reads `protocols.cmp:`; `lab` has its CAs and templates already. Throws InputError at the
// first problem.
CmpConfig read_cmp_config(const yaml::Node& node, const LabConfig& lab);

}  // namespace pkilab
