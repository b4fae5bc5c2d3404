#pragma once
// The lab file's `protocols.acme:` section: ACME (RFC 8555): /acme/NAME/directory.
// Keys are documented in docs/LAB-FILE.md and docs/ACME.md.
#include <string>
#include <utility>
#include <vector>

#include "ca/config/yaml_reader.hpp"

namespace pkilab {

struct LabConfig;

// One directory, /acme/NAME/directory, issuing one template.
struct AcmeEndpointConfig {
    std::string name;           // the URL segment
    std::string template_name;  // default: the name
    std::string ca;             // empty: the CA web enrollment uses (choose_certsrv_ca)
    bool eab_required = false;  // `eab: true`: new accounts need an external account binding
};

struct AcmeConfig {
    bool enabled = true;
    // Where http-01 validation connects: the port the clients' responders listen on. 5002 (as
    // pebble and the acceptance kit) because port 80 needs root on a lab machine.
    int http01_port = 5002;
    // Each requested name resolves through this map, and every other name to default_address,
    // so that validation reaches a responder on loopback without DNS.
    std::vector<std::pair<std::string, std::string>> hosts;
    std::string default_address = "127.0.0.1";
    // Empty: one endpoint per end-entity template the web enrollment's CA publishes.
    std::vector<AcmeEndpointConfig> endpoints;
    std::string default_endpoint;  // /acme/directory; empty: WebServer, else the first endpoint
    std::string where;  // of the section; empty when the lab file has none
};

// Reads `protocols.acme:`; `lab` has its CAs and templates already. Throws InputError at the
// first problem.
AcmeConfig read_acme_config(const yaml::Node& node, const LabConfig& lab);

}  // namespace pkilab
