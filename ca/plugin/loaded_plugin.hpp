#pragma once
// One plugin library, loaded and checked: the host's side of plugins/sdk/pkilab_plugin.h.
#include <filesystem>
#include <memory>
#include <string>

#include "plugins/sdk/pkilab_plugin.h"

namespace pkilab {

struct PluginConfig;

class LoadedPlugin final {
public:
    // Loads `file` (already checked by checked_plugin_file) with RTLD_NOW | RTLD_LOCAL, calls
    // its entry with the host's ABI version and checks the table it returns: present, a
    // struct_size that covers ABI 1.0, the same major version, a minor version no newer than
    // the host's, a name and version, and the functions every plugin must have. Throws
    // InputError(where, "file", problem, hint) naming the file and what is wrong.
    static std::shared_ptr<const LoadedPlugin> load(const std::filesystem::path& file, const std::string& where);

    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;

    // Makes an instance from a `plugins.load` entry's configuration: the plugin's state, to be
    // given to table().destroy(). Throws InputError naming the entry and every reason the
    // plugin gave when it refuses its configuration (or throws).
    void* create_instance(const PluginConfig& config) const;

    const pkilab_plugin& table() const { return *table_; }
    const std::string& name() const { return name_; }
    const std::string& version() const { return version_; }
    const std::string& description() const { return description_; }
    const std::filesystem::path& file() const { return file_; }
    bool thread_safe() const { return (table_->flags & PKILAB_PLUGIN_THREAD_SAFE) != 0; }
    std::string abi() const;  // "1.0"

private:
    LoadedPlugin() = default;
    // Declared first so that it is destroyed last: nothing that came from the library (the
    // table, its functions) may outlive it. A boost::dll::shared_library, kept out of this
    // header so that only loaded_plugin.cpp sees Boost.
    std::shared_ptr<void> library_;
    const pkilab_plugin* table_ = nullptr;
    std::string name_, version_, description_;  // copied out at load
    std::filesystem::path file_;
};

}  // namespace pkilab
