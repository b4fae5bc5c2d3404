#include "webenroll/plugin_reload.hpp"

#include <algorithm>
#include <set>

#include "ca/errors.hpp"

namespace pkilab::web {

namespace {

// The first instance a chain of the running lab names that `plugins` does not load.
std::string missing_instance(const LabConfig& running, const PluginsConfig& plugins) {
    std::set<std::string> loaded;
    for (const auto& p : plugins.load) loaded.insert(p.name);
    for (const auto& ca : running.cas)
        for (const auto& name : ca.policy)
            if (!loaded.contains(name)) return "CA " + ca.name + "'s policy chain names plugin '" + name + "'";
    for (const auto& t : running.templates)
        for (const auto& name : t.policy)
            if (!loaded.contains(name)) return "template " + t.name + "'s policy chain names plugin '" + name + "'";
    return {};
}

bool same_chains(const LabConfig& a, const LabConfig& b) {
    auto chains = [](const LabConfig& c) {
        std::vector<std::pair<std::string, std::vector<std::string>>> out;
        for (const auto& ca : c.cas) out.emplace_back("ca " + ca.name, ca.policy);
        for (const auto& t : c.templates) out.emplace_back("template " + t.name, t.policy);
        std::sort(out.begin(), out.end());
        return out;
    };
    return chains(a) == chains(b);
}

std::string describe_loaded(const PolicyHost& host) {
    std::string out;
    for (const auto& s : host.status()) {
        if (!out.empty()) out += ", ";
        out += s.name + " (" + s.plugin + " " + s.version + ", " + s.mode + ")";
    }
    return out.empty() ? "none" : out;
}

}  // namespace

ReloadOutcome reload_policy_plugins(Lab& lab) {
    const std::filesystem::path file = lab.state_dir() / "lab.yaml";
    try {
        const LabConfig fresh = load_lab_file(file);
        const std::string missing = missing_instance(lab.config(), fresh.plugins);
        if (!missing.empty())
            return {false, "policy plugins not reloaded: " + missing + ", which the plugins section of " +
                               file.string() + " no longer loads; the old plugins stay (restart `pkilab serve` "
                               "to change policy chains)"};
        PolicyHost& host = lab.policies();
        host.reload(fresh.plugins);
        std::string message = "policy plugins reloaded from " + file.string() + ": " + describe_loaded(host);
        if (!same_chains(lab.config(), fresh))
            message += " (the policy chains in the file changed: they apply when `pkilab serve` restarts)";
        return {true, message};
    } catch (const std::exception& e) {
        return {false, std::string("policy plugins not reloaded, the old ones stay: ") + e.what()};
    }
}

}  // namespace pkilab::web
