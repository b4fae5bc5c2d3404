#pragma once
// The lab file's `protocols.scep:` section: SCEP (RFC 8894): /scep/NAME and the NDES-like /certsrv/mscep/mscep.dll.
// Keys are documented in docs/LAB-FILE.md and docs/SCEP.md.
//
//   protocols:
//     scep:
//       enabled: true                 # default
//       challenge_lifetime: 1h        # one-time challenges from /certsrv/mscep_admin (lab clock)
//       endpoints:                    # default: one endpoint "default" as below
//         - name: default             # /scep/default; the first is also /scep and mscep.dll
//           template: WebServer
//           ca: lab-issuing-ca        # default: the CA web enrollment uses (web.certsrv_ca)
//           challenge_hash: "$pbkdf2-sha256$..."  # `pkilab web hash-password`; default: a
//                                     # generated one in STATE/scep/challenge-NAME
#include <cstddef>
#include <string>
#include <vector>

#include "ca/clock.hpp"
#include "ca/config/yaml_reader.hpp"

namespace pkilab {

struct LabConfig;

inline constexpr size_t kMaxScepEndpoints = 64;

struct ScepEndpointConfig {
    std::string name = "default";       // [a-z0-9][a-z0-9._-]{0,63}
    std::string template_name = "WebServer";
    std::string ca;                     // empty: web.certsrv_ca's choice (choose_certsrv_ca)
    std::string challenge_hash;         // PBKDF2 PHC string; empty: generated in STATE/scep/
};

struct ScepConfig {
    bool enabled = true;
    Duration challenge_lifetime = std::chrono::hours{1};
    std::vector<ScepEndpointConfig> endpoints{ScepEndpointConfig{}};
    std::string where;  // of the section; empty when the lab file has none
};

// Reads `protocols.scep:`; `lab` has its CAs and templates already. Throws InputError at the
// first problem.
ScepConfig read_scep_config(const yaml::Node& node, const LabConfig& lab);

}  // namespace pkilab
