#include "ca/plugin/policy_host.hpp"

#include "ca/errors.hpp"
#include "ca/plugin/finding_collector.hpp"
#include "ca/plugin/isolated_plugin.hpp"
#include "ca/plugin/plugin_file.hpp"

#ifndef PKILAB_PLUGIN_DIR
#define PKILAB_PLUGIN_DIR "plugins"
#endif
#ifndef PKILAB_PLUGIN_HELPER
#define PKILAB_PLUGIN_HELPER "pkilab-plugin-helper"
#endif

namespace pkilab {

namespace fs = std::filesystem;

namespace {

Finding unavailable(const std::string& plugin, std::string code, const std::string& reason) {
    return Finding{plugin, std::move(code), Severity::Error, "policy",
                   "policy unavailable: " + plugin + ": " + reason,
                   "check the plugin and its configuration in the lab file; the request can be resubmitted"};
}

}  // namespace

fs::path builtin_plugin_directory() { return fs::path(PKILAB_PLUGIN_DIR); }
fs::path plugin_helper_program() { return fs::path(PKILAB_PLUGIN_HELPER); }

std::vector<fs::path> plugin_directories(const PluginsConfig& config, const fs::path& base_dir) {
    std::vector<fs::path> dirs;
    for (const auto& d : config.directories) dirs.push_back(d == "builtin" ? builtin_plugin_directory() : base_dir / d);
    return dirs;
}

// One `plugins.load` entry, running in-process (`plugin` and `state`) or isolated.
struct PolicyHost::Instance {
    std::string name, file;
    wire::PluginIdentity id;  // what the library says of itself, read in whichever process loads it
    std::shared_ptr<const LoadedPlugin> plugin;
    void* state = nullptr;
    mutable std::mutex serial;  // for in-process plugins that are not thread-safe
    std::unique_ptr<IsolatedPlugin> isolated;
    mutable std::atomic<std::uint64_t> allowed{0}, denied{0}, pended{0}, abstained{0}, failed{0};

    ~Instance() {
        // The instance first, then (through `plugin`, released last) the library.
        if (state != nullptr) plugin->table().destroy(state);
    }

    // The plugin's verdict on one request, or why it gave none.
    struct Answer {
        std::optional<std::uint32_t> verdict;
        std::string unavailable;
        const char* code = "plugin.exception";
    };
    // `encoded`: the request as isolated plugins receive it, encoded on first use.
    Answer ask(const pkilab_request& request, std::optional<Bytes>& encoded, FindingCollector& findings) const {
        if (isolated) {
            if (!encoded) encoded = wire::encode(wire::evaluate_message(request));
            IsolatedPlugin::Answer a = isolated->evaluate(*encoded, findings);
            return {a.verdict, a.unavailable, a.helper_lost ? "plugin.unavailable" : "plugin.exception"};
        }
        try {
            std::unique_lock<std::mutex> lock(serial, std::defer_lock);
            if (!plugin->thread_safe()) lock.lock();
            return {plugin->table().evaluate(state, &request, findings.sink()), {}};
        } catch (...) {  // a C++ plugin without the SDK's layer let an exception out
            return {std::nullopt, "the plugin threw an exception"};
        }
    }
};

PolicyHost::PolicyHost(PluginsConfig config, fs::path base_dir) : base_dir_(std::move(base_dir)), config_(std::move(config)) {}
PolicyHost::~PolicyHost() = default;

std::shared_ptr<const PolicyHost::Instances> PolicyHost::make_instances(const PluginsConfig& config, const fs::path& base_dir) {
    const std::vector<fs::path> dirs = plugin_directories(config, base_dir);
    auto made = std::make_shared<Instances>();
    for (const auto& pc : config.load) {
        const std::string where = pc.where + ": plugin " + pc.name;
        const fs::path file = checked_plugin_file(pc.file, dirs, where);
        auto inst = std::make_unique<Instance>();
        inst->name = pc.name;
        inst->file = file.string();
        if (pc.isolated) {
            inst->isolated = std::make_unique<IsolatedPlugin>(plugin_helper_program(), file, pc);
            inst->id = inst->isolated->identity();
        } else {
            inst->plugin = LoadedPlugin::load(file, where);
            inst->state = inst->plugin->create_instance(pc);
            inst->id = {inst->plugin->name(), inst->plugin->version(), inst->plugin->description(), inst->plugin->abi(),
                        inst->plugin->table().on_event != nullptr};
        }
        made->push_back(std::move(inst));
    }
    return made;
}

std::shared_ptr<const PolicyHost::Instances> PolicyHost::current() const {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (instances_) return instances_;
    }
    std::lock_guard<std::mutex> one_load(loading_);
    PluginsConfig config;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (instances_) return instances_;  // another thread loaded them meanwhile
        config = config_;
    }
    auto made = make_instances(config, base_dir_);  // slow (helpers start): not under mutex_
    std::lock_guard<std::mutex> lock(mutex_);
    instances_ = made;
    return made;
}

void PolicyHost::load() const { current(); }

void PolicyHost::reload(PluginsConfig config) {
    std::lock_guard<std::mutex> one_load(loading_);
    auto made = make_instances(config, base_dir_);
    std::shared_ptr<const Instances> old;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        old = std::move(instances_);
        instances_ = std::move(made);
        config_ = std::move(config);
    }
    // `old` is released here, outside the lock: its last user unloads it.
}

const PolicyHost::Instance& PolicyHost::find(const Instances& all, std::string_view name) {
    for (const auto& i : all)
        if (i->name == name) return *i;
    throw InternalError("policy chain names plugin '" + std::string(name) + "', which the lab file does not load");
}

PolicyVerdict PolicyHost::evaluate(std::span<const std::string> chain, const pkilab_request& request) const {
    PolicyVerdict out;
    if (chain.empty()) return out;
    const std::shared_ptr<const Instances> all = current();  // kept for the whole chain, across a reload
    std::optional<Bytes> encoded;
    for (const auto& name : chain) {
        const Instance& inst = find(*all, name);
        FindingCollector c(inst.name);
        const Instance::Answer answer = inst.ask(request, encoded, c);
        out.findings.insert(out.findings.end(), c.findings().begin(), c.findings().end());
        if (c.dropped() > 0)
            out.findings.push_back(Finding{inst.name, "plugin.too_many_findings", Severity::Warning, "",
                                           std::to_string(c.dropped()) + " more findings were dropped (at most " +
                                               std::to_string(kMaxFindingsPerCall) + " per request)",
                                           ""});
        auto refuse = [&](std::string code, const std::string& reason) {
            out.findings.push_back(unavailable(inst.name, std::move(code), reason));
            out.unavailable.push_back(out.findings.back().message);
        };
        if (!answer.verdict) {
            ++inst.failed;
            out.verdicts.emplace_back(inst.name, "failed");
            refuse(answer.code, answer.unavailable);
            continue;
        }
        if (c.bad_severity()) refuse("plugin.bad_finding", "the plugin reported a finding of unknown severity");
        const char* said = "failed";
        switch (*answer.verdict) {
            case PKILAB_VERDICT_ALLOW:
                ++inst.allowed;
                said = "allow";
                break;
            case PKILAB_VERDICT_ABSTAIN:
                ++inst.abstained;
                said = "abstain";
                break;
            case PKILAB_VERDICT_PEND:
                ++inst.pended;
                out.pend = true;
                said = "pend";
                break;
            case PKILAB_VERDICT_DENY:
                ++inst.denied;
                said = "deny";
                if (!has_errors(c.findings()))
                    out.findings.push_back(Finding{inst.name, "plugin.denied", Severity::Error, "",
                                                   "plugin " + inst.name + " denied the request without giving a reason",
                                                   "ask the plugin's author to report a finding with its reason"});
                break;
            case PKILAB_VERDICT_ERROR:
                ++inst.failed;
                refuse("plugin.error", "the plugin could not decide");
                break;
            default:
                ++inst.failed;
                refuse("plugin.bad_verdict", "the plugin answered " + std::to_string(*answer.verdict) + ", which is not a verdict");
        }
        out.verdicts.emplace_back(inst.name, said);
    }
    return out;
}

void PolicyHost::notify(const pkilab_event& event) const {
    const std::shared_ptr<const Instances> all = current();  // a named owner: a reload may swap them meanwhile
    for (const auto& inst : *all) {
        if (!inst->id.wants_events) continue;
        if (inst->isolated) {
            inst->isolated->notify(event);
            continue;
        }
        try {
            std::unique_lock<std::mutex> lock(inst->serial, std::defer_lock);
            if (!inst->plugin->thread_safe()) lock.lock();
            inst->plugin->table().on_event(inst->state, &event);
        } catch (...) {  // news, not a vote: a failing callback changes nothing
        }
    }
}

std::vector<PluginStatus> PolicyHost::status() const {
    const std::shared_ptr<const Instances> all = current();
    std::vector<PluginStatus> out;
    for (const auto& i : *all)
        out.push_back(PluginStatus{i->name, i->id.name, i->id.version, i->id.abi, i->file,
                                   i->isolated ? "isolated" : "in-process", i->allowed.load(),
                                   i->denied.load(), i->pended.load(), i->abstained.load(), i->failed.load(),
                                   i->isolated ? i->isolated->restarts() : 0});
    return out;
}

}  // namespace pkilab
