#include "ca/plugin/policy_host.hpp"

#include <algorithm>

#include "ca/errors.hpp"
#include "ca/plugin/plugin_file.hpp"

#ifndef PKILAB_PLUGIN_DIR
#define PKILAB_PLUGIN_DIR "plugins"
#endif

namespace pkilab {

namespace fs = std::filesystem;

namespace {

// What a plugin may say is bounded: it is outside input like any other.
constexpr size_t kMaxFindingsPerCall = 256;
constexpr size_t kMaxCodeBytes = 128;
constexpr size_t kMaxFieldBytes = 256;
constexpr size_t kMaxTextBytes = 4096;

// A plugin's string, made safe to store and print: cut to `max` bytes, control characters
// replaced. Not a validity check of UTF-8: the store and JSON writer cope with any bytes we
// give them, and a mangled message is better than a lost refusal.
std::string text_from(pkilab_str s, size_t max) {
    if (s.ptr == nullptr || s.len == 0) return {};
    std::string out(s.ptr, std::min(s.len, max));
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    if (s.len > max) out += "...";
    return out;
}

struct Collector {
    std::string source;
    Findings findings;
    size_t dropped = 0;
    bool bad_severity = false;
};

void collect(void* host, std::uint32_t severity, pkilab_str code, pkilab_str field, pkilab_str message, pkilab_str hint) {
    auto* c = static_cast<Collector*>(host);
    if (c->findings.size() >= kMaxFindingsPerCall) {
        ++c->dropped;
        return;
    }
    Finding f;
    f.source = c->source;
    switch (severity) {
        case PKILAB_SEVERITY_ERROR: f.severity = Severity::Error; break;
        case PKILAB_SEVERITY_WARNING: f.severity = Severity::Warning; break;
        case PKILAB_SEVERITY_INFO: f.severity = Severity::Info; break;
        default:  // unknown severities count as errors: fail closed
            f.severity = Severity::Error;
            c->bad_severity = true;
    }
    f.code = text_from(code, kMaxCodeBytes);
    if (f.code.empty()) f.code = "plugin.finding";
    f.field = text_from(field, kMaxFieldBytes);
    f.message = text_from(message, kMaxTextBytes);
    if (f.message.empty()) f.message = "(the plugin gave no message)";
    f.hint = text_from(hint, kMaxTextBytes);
    c->findings.push_back(std::move(f));
}

Finding unavailable(const std::string& plugin, std::string code, const std::string& reason) {
    return Finding{plugin, std::move(code), Severity::Error, "policy",
                   "policy unavailable: " + plugin + ": " + reason,
                   "check the plugin and its configuration in the lab file; the request can be resubmitted"};
}

}  // namespace

fs::path builtin_plugin_directory() { return fs::path(PKILAB_PLUGIN_DIR); }

std::vector<fs::path> plugin_directories(const PluginsConfig& config, const fs::path& base_dir) {
    std::vector<fs::path> dirs;
    for (const auto& d : config.directories) dirs.push_back(d == "builtin" ? builtin_plugin_directory() : base_dir / d);
    return dirs;
}

struct PolicyHost::Instance {
    std::string name;
    std::shared_ptr<const LoadedPlugin> plugin;
    void* state = nullptr;
    mutable std::mutex serial;  // for plugins that are not thread-safe
    mutable std::atomic<std::uint64_t> allowed{0}, denied{0}, pended{0}, abstained{0}, failed{0};

    ~Instance() {
        // The instance first, then (through `plugin`, released last) the library.
        if (state != nullptr) plugin->table().destroy(state);
    }
};

PolicyHost::PolicyHost(PluginsConfig config, fs::path base_dir) : config_(std::move(config)), base_dir_(std::move(base_dir)) {}
PolicyHost::~PolicyHost() = default;

void PolicyHost::load() const {
    std::call_once(loaded_, [this] {
        const std::vector<fs::path> dirs = plugin_directories(config_, base_dir_);
        std::vector<std::unique_ptr<Instance>> made;
        for (const auto& pc : config_.load) {
            const std::string where = pc.where + ": plugin " + pc.name;
            const fs::path file = checked_plugin_file(pc.file, dirs, where);
            auto inst = std::make_unique<Instance>();
            inst->name = pc.name;
            inst->plugin = LoadedPlugin::load(file, where);

            std::vector<pkilab_config_entry> entries;
            for (const auto& [k, v] : pc.settings)
                entries.push_back(pkilab_config_entry{{k.data(), k.size()}, {v.data(), v.size()}});
            const pkilab_config cfg{sizeof(pkilab_config), entries.data(), entries.size(),
                                    {pc.settings_json.data(), pc.settings_json.size()}};
            Collector errors{pc.name, {}, 0, false};
            const pkilab_sink sink{sizeof(pkilab_sink), &errors, &collect};
            int rc = 1;
            void* state = nullptr;
            try {
                rc = inst->plugin->table().create(&cfg, &sink, &state);
            } catch (...) {
                rc = 1;
                errors.findings.push_back(Finding{pc.name, "plugin.exception", Severity::Error, "", "create() threw", ""});
            }
            if (rc != 0 || state == nullptr) {
                if (rc == 0 && state != nullptr) inst->plugin->table().destroy(state);
                std::string why;
                for (const auto& f : errors.findings)
                    why += (why.empty() ? "" : "; ") + (f.field.empty() ? "" : f.field + ": ") + f.message;
                throw InputError(pc.where, "plugins.load." + pc.name + ".config",
                                 "plugin " + inst->plugin->name() + " refused its configuration" +
                                     (why.empty() ? std::string() : ": " + why),
                                 "correct the settings under config: (see the plugin's documentation)");
            }
            inst->state = state;
            made.push_back(std::move(inst));
        }
        instances_ = std::move(made);
    });
}

const PolicyHost::Instance& PolicyHost::find(std::string_view name) const {
    for (const auto& i : instances_)
        if (i->name == name) return *i;
    throw InternalError("policy chain names plugin '" + std::string(name) + "', which the lab file does not load");
}

PolicyVerdict PolicyHost::evaluate(std::span<const std::string> chain, const pkilab_request& request) const {
    PolicyVerdict out;
    if (chain.empty()) return out;
    load();
    for (const auto& name : chain) {
        const Instance& inst = find(name);
        Collector c{inst.name, {}, 0, false};
        const pkilab_sink sink{sizeof(pkilab_sink), &c, &collect};
        std::uint32_t verdict = PKILAB_VERDICT_ERROR;
        bool threw = false;
        try {
            std::unique_lock<std::mutex> lock(inst.serial, std::defer_lock);
            if (!inst.plugin->thread_safe()) lock.lock();
            verdict = inst.plugin->table().evaluate(inst.state, &request, &sink);
        } catch (...) {
            threw = true;  // a C++ plugin without the SDK's layer let an exception out
        }
        out.findings.insert(out.findings.end(), c.findings.begin(), c.findings.end());
        if (c.dropped > 0)
            out.findings.push_back(Finding{inst.name, "plugin.too_many_findings", Severity::Warning, "",
                                           std::to_string(c.dropped) + " more findings were dropped (at most " +
                                               std::to_string(kMaxFindingsPerCall) + " per request)",
                                           ""});
        if (threw) {
            out.findings.push_back(unavailable(inst.name, "plugin.exception", "the plugin threw an exception"));
            ++inst.failed;
            continue;
        }
        if (c.bad_severity)
            out.findings.push_back(unavailable(inst.name, "plugin.bad_finding", "the plugin reported a finding of unknown severity"));
        switch (verdict) {
            case PKILAB_VERDICT_ALLOW: ++inst.allowed; break;
            case PKILAB_VERDICT_ABSTAIN: ++inst.abstained; break;
            case PKILAB_VERDICT_PEND:
                ++inst.pended;
                out.pend = true;
                break;
            case PKILAB_VERDICT_DENY:
                ++inst.denied;
                if (!has_errors(c.findings))
                    out.findings.push_back(Finding{inst.name, "plugin.denied", Severity::Error, "",
                                                   "plugin " + inst.name + " denied the request without giving a reason",
                                                   "ask the plugin's author to report a finding with its reason"});
                break;
            case PKILAB_VERDICT_ERROR:
                ++inst.failed;
                out.findings.push_back(unavailable(inst.name, "plugin.error", "the plugin could not decide"));
                break;
            default:
                ++inst.failed;
                out.findings.push_back(unavailable(inst.name, "plugin.bad_verdict",
                                                   "the plugin answered " + std::to_string(verdict) +
                                                       ", which is not a verdict"));
        }
    }
    return out;
}

std::vector<PluginStatus> PolicyHost::status() const {
    load();
    std::vector<PluginStatus> out;
    for (const auto& i : instances_)
        out.push_back(PluginStatus{i->name, i->plugin->name(), i->plugin->version(), i->plugin->abi(),
                                   i->plugin->file().string(), "in-process", i->allowed.load(), i->denied.load(),
                                   i->pended.load(), i->abstained.load(), i->failed.load()});
    return out;
}

}  // namespace pkilab
