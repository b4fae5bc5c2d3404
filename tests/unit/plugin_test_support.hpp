#pragma once
// What the plugin host tests share: the test lab with a plugins section, and a request.
#include <string>

#include "ca/pipeline/issuance.hpp"
#include "lab_fixture.hpp"

namespace pkilab::test {

inline const std::string kTestPlugins = PKILAB_TEST_PLUGIN_DIR;
inline const Requester kAlice{"alice", "enrollee", "cli"};

inline bool has_code(const Findings& fs, const std::string& code) {
    for (const auto& f : fs)
        if (f.code == code) return true;
    return false;
}

// The test lab with `load` as its plugins.load entries, the issuing CA running `chain`.
inline std::string lab_with(const std::string& load, const std::string& chain) {
    std::string yaml = kTestLab;
    const std::string at = "    templates: [WebServer, User, LyncServer, Approved, Fixed]\n";
    yaml.replace(yaml.find(at), at.size(), at + "    policy: [" + chain + "]\n");
    return "plugins:\n  directories: [\"" + kTestPlugins + "\", builtin]\n  load:\n" + load + yaml;
}

// A WebServer request for `cn`, with `cn` as its one DNS name.
inline IssuanceOutcome ask(LabFixture& fx, const std::string& cn) {
    return submit(fx.ctx(), {"WebServer", "", ec_csr("CN=" + cn, {dns(cn)}), kAlice});
}

}  // namespace pkilab::test
