#include "ca/plugin/plugin_file.hpp"

#include <sys/stat.h>

#include "ca/errors.hpp"

namespace pkilab {

namespace fs = std::filesystem;

namespace {

bool inside(const fs::path& file, const fs::path& dir) {
    auto f = file.begin();
    for (auto d = dir.begin(); d != dir.end(); ++d, ++f) {
        if (d->empty()) continue;  // a trailing separator
        if (f == file.end() || *f != *d) return false;
    }
    return f != file.end();
}

bool world_writable(const fs::path& p) {
    struct stat st{};
    if (::stat(p.c_str(), &st) != 0) return false;
    return (st.st_mode & S_IWOTH) != 0;
}

std::string list(const std::vector<fs::path>& dirs) {
    std::string out;
    for (const auto& d : dirs) out += (out.empty() ? "" : ", ") + d.string();
    return out.empty() ? "(none)" : out;
}

}  // namespace

fs::path checked_plugin_file(const std::string& file, const std::vector<fs::path>& directories, const std::string& where) {
    auto refuse = [&](const std::string& problem, const std::string& hint) -> fs::path {
        throw InputError(where, "file", problem, hint);
    };
    if (file.empty()) return refuse("no plugin file is named", "name the plugin's shared library");
    if (directories.empty())
        return refuse("no plugin directories are configured", "list the folders plugins may come from in plugins.directories");

    std::error_code ec;
    fs::path candidate;
    if (fs::path(file).has_parent_path()) {
        candidate = fs::path(file);
    } else {
        for (const auto& dir : directories) {
            if (fs::exists(dir / file, ec)) {
                candidate = dir / file;
                break;
            }
        }
        if (candidate.empty())
            return refuse("plugin file '" + file + "' is in none of the plugin directories (" + list(directories) + ")",
                          "build the plugin, or add the folder that holds it to plugins.directories");
    }
    const fs::path real = fs::canonical(candidate, ec);
    if (ec) return refuse("plugin file " + candidate.string() + " cannot be opened: " + ec.message(), "check the path");
    if (!fs::is_regular_file(real, ec)) return refuse(real.string() + " is not a regular file", "name a shared library");

    bool allowed = false;
    for (const auto& dir : directories) {
        const fs::path real_dir = fs::canonical(dir, ec);
        if (!ec && inside(real, real_dir)) allowed = true;
    }
    if (!allowed)
        return refuse(real.string() + " is outside the plugin directories (" + list(directories) + ")",
                      "move the plugin into a plugin directory or list its folder in plugins.directories");
    // Anyone who can replace the file, or the folder entry, could run code inside the CA.
    if (world_writable(real))
        return refuse(real.string() + " is writable by every user", "chmod o-w " + real.string());
    if (world_writable(real.parent_path()))
        return refuse("the folder " + real.parent_path().string() + " is writable by every user",
                      "chmod o-w " + real.parent_path().string());
    return real;
}

}  // namespace pkilab
