#include "ca/plugin/loaded_plugin.hpp"

#include <cstddef>
#include <cstring>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "ca/config/lab_config.hpp"
#include "ca/errors.hpp"
#include "ca/plugin/finding_collector.hpp"

namespace pkilab {

namespace {

// A name or version string from the plugin: NUL-terminated within a sane length, printable.
bool readable(const char* s, std::size_t max, std::string& out) {
    if (s == nullptr) return false;
    const void* end = std::memchr(s, '\0', max + 1);
    if (end == nullptr) return false;
    out.assign(s, static_cast<const char*>(end));
    for (unsigned char c : out)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}

bool valid_plugin_name(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
    return true;
}

}  // namespace

std::string LoadedPlugin::abi() const {
    return std::to_string(table_->abi_major) + "." + std::to_string(table_->abi_minor);
}

std::shared_ptr<const LoadedPlugin> LoadedPlugin::load(const std::filesystem::path& file, const std::string& where) {
    const std::string shown = file.string();
    auto refuse = [&](const std::string& problem, const std::string& hint) {
        throw InputError(where, "file", shown + ": " + problem, hint);
    };
    std::shared_ptr<LoadedPlugin> p(new LoadedPlugin());
    p->file_ = file;
    auto library = std::make_shared<boost::dll::shared_library>();
    p->library_ = library;
    boost::dll::fs::error_code ec;
    library->load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
    if (ec || !library->is_loaded())
        refuse("cannot be loaded as a shared library (" + (ec ? ec.message() : std::string("unknown error")) + ")",
               "build the plugin for this machine with -shared -fPIC, and check that its dependencies are installed");
    if (!library->has(PKILAB_PLUGIN_ENTRY_NAME))
        refuse(std::string("has no ") + PKILAB_PLUGIN_ENTRY_NAME + "() entry point",
               "export it with PKILAB_PLUGIN_EXPORT, extern \"C\" (see docs/PLUGINS.md)");
    auto entry = library->get<const pkilab_plugin*(std::uint32_t, std::uint32_t)>(PKILAB_PLUGIN_ENTRY_NAME);
    const pkilab_plugin* t = entry(PKILAB_PLUGIN_ABI_MAJOR, PKILAB_PLUGIN_ABI_MINOR);
    const std::string host_abi = std::to_string(PKILAB_PLUGIN_ABI_MAJOR) + "." + std::to_string(PKILAB_PLUGIN_ABI_MINOR);
    if (t == nullptr)
        refuse("declined to serve plugin ABI " + host_abi, "rebuild the plugin against this pkilab's plugins/sdk header");
    // The first fields of every ABI version up to abi_minor are the same: read them before
    // trusting struct_size for anything else.
    if (t->struct_size < offsetof(pkilab_plugin, abi_minor) + sizeof(t->abi_minor))
        refuse("returned a plugin table too small to hold its ABI version", "rebuild the plugin against plugins/sdk");
    if (t->abi_major != PKILAB_PLUGIN_ABI_MAJOR)
        refuse("was built for plugin ABI " + std::to_string(t->abi_major) + "." + std::to_string(t->abi_minor) +
                   "; this pkilab speaks ABI " + host_abi + " and major versions are not compatible",
               "rebuild the plugin against this pkilab's plugins/sdk header");
    if (t->abi_minor > PKILAB_PLUGIN_ABI_MINOR)
        refuse("needs plugin ABI " + std::to_string(t->abi_major) + "." + std::to_string(t->abi_minor) +
                   ", newer than this pkilab's " + host_abi,
               "upgrade pkilab, or rebuild the plugin against this pkilab's plugins/sdk header");
    if (t->struct_size < sizeof(pkilab_plugin))
        refuse("returned a plugin table of " + std::to_string(t->struct_size) + " bytes; ABI " + host_abi + " needs " +
                   std::to_string(sizeof(pkilab_plugin)),
               "rebuild the plugin against plugins/sdk");
    if (!readable(t->name, 64, p->name_) || !valid_plugin_name(p->name_))
        refuse("has no valid name (1 to 64 of a-z, 0-9, '-', '_')", "set pkilab_plugin.name");
    if (!readable(t->version, 64, p->version_) || p->version_.empty())
        refuse("has no valid version string", "set pkilab_plugin.version, e.g. \"1.0.0\"");
    if (t->description != nullptr && !readable(t->description, 1024, p->description_))
        refuse("has a description that is not a line of text (or is over 1024 bytes)", "shorten pkilab_plugin.description");
    if (t->create == nullptr || t->destroy == nullptr || t->evaluate == nullptr)
        refuse("does not provide create, destroy and evaluate", "every plugin must implement the three");
    p->table_ = t;
    return p;
}

void* LoadedPlugin::create_instance(const PluginConfig& pc) const {
    std::vector<pkilab_config_entry> entries;
    for (const auto& [k, v] : pc.settings) entries.push_back(pkilab_config_entry{{k.data(), k.size()}, {v.data(), v.size()}});
    const pkilab_config cfg{sizeof(pkilab_config), entries.data(), entries.size(),
                            {pc.settings_json.data(), pc.settings_json.size()}};
    FindingCollector errors(pc.name);
    int rc = 1;
    void* state = nullptr;
    try {
        rc = table_->create(&cfg, errors.sink(), &state);
    } catch (...) {
        rc = 1;
        errors.findings().push_back(Finding{pc.name, "plugin.exception", Severity::Error, "", "create() threw", ""});
    }
    if (rc == 0 && state != nullptr) return state;
    if (state != nullptr) table_->destroy(state);
    std::string why;
    for (const auto& f : errors.findings()) why += (why.empty() ? "" : "; ") + (f.field.empty() ? "" : f.field + ": ") + f.message;
    throw InputError(pc.where, "plugins.load." + pc.name + ".config",
                     "plugin " + name_ + " refused its configuration" + (why.empty() ? std::string() : ": " + why),
                     "correct the settings under config: (see the plugin's documentation)");
}

}  // namespace pkilab
