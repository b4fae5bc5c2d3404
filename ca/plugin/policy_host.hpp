#pragma once
// The policy-plugin host: the plugins a lab file loads, their instances, and the chains that
// run them on a request. Fail closed: a deny, an error, a crash-free refusal to answer, an
// unknown verdict or a malformed finding from any plugin in the chain refuses the request.
#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "ca/config/lab_config.hpp"
#include "ca/finding.hpp"
#include "ca/plugin/loaded_plugin.hpp"
#include "ca/plugin/policy_request.hpp"

namespace pkilab {

// The folder `builtin` names: where the build puts the plugins under plugins/.
std::filesystem::path builtin_plugin_directory();
// The folders plugins may load from: `builtin` as above, others relative to `base_dir` (the
// lab file's folder) unless absolute.
std::vector<std::filesystem::path> plugin_directories(const PluginsConfig& config, const std::filesystem::path& base_dir);

// The program that runs isolated plugins (built next to the plugins).
std::filesystem::path plugin_helper_program();

struct PolicyVerdict {
    Findings findings;  // every plugin's, with the plugin's name as source
    bool pend = false;  // a plugin asked for a CA manager's approval
    // "policy unavailable: NAME: reason" for each plugin that gave no usable answer, for the
    // audit log (the same texts are among the findings).
    std::vector<std::string> unavailable;
    // Each plugin's verdict in chain order: "allow", "deny", "pend", "abstain" or "failed".
    std::vector<std::pair<std::string, std::string>> verdicts;
};

struct PluginStatus {
    std::string name, plugin, version, abi, file, mode;
    std::uint64_t allowed = 0, denied = 0, pended = 0, abstained = 0, failed = 0;
    std::uint64_t restarts = 0;  // isolated: helpers started again after a failure
};

class PolicyHost final {
public:
    // `base_dir` resolves relative plugin directories (the folder of the lab file).
    PolicyHost(PluginsConfig config, std::filesystem::path base_dir);
    ~PolicyHost();
    PolicyHost(const PolicyHost&) = delete;
    PolicyHost& operator=(const PolicyHost&) = delete;

    // Loads every plugin and creates every instance, once; later calls return at once.
    // InputError naming the lab file entry, the file and the reason when one cannot be used.
    void load() const;
    // Loads `config`'s plugins afresh (new files, new settings) and puts them in place of the
    // current ones at once. Requests already running finish with the plugins they started
    // with, which are unloaded after them. On any error nothing changes and InputError says why.
    void reload(PluginsConfig config);

    // Runs the named instances in order on one request (loading them first if need be).
    PolicyVerdict evaluate(std::span<const std::string> chain, const pkilab_request& request) const;
    // Tells every loaded plugin that has an on_event callback what happened (issued, denied,
    // ...), in load order. Their answers and failures are ignored: an event is news, not a vote.
    void notify(const pkilab_event& event) const;
    std::vector<PluginStatus> status() const;

private:
    struct Instance;
    using Instances = std::vector<std::unique_ptr<Instance>>;
    static std::shared_ptr<const Instances> make_instances(const PluginsConfig& config, const std::filesystem::path& base_dir);
    static const Instance& find(const Instances& all, std::string_view name);
    std::shared_ptr<const Instances> current() const;  // loads them the first time

    std::filesystem::path base_dir_;
    mutable std::mutex mutex_;  // guards config_ and instances_ (not the instances: they outlive a swap)
    PluginsConfig config_;
    mutable std::shared_ptr<const Instances> instances_;
    mutable std::mutex loading_;  // one load at a time
};

}  // namespace pkilab
