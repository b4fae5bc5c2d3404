#pragma once
// Which files may be loaded as plugins. Checked before any of the file's code runs, since
// loading a shared library runs its constructors with the CA's privileges.
#include <filesystem>
#include <string>
#include <vector>

namespace pkilab {

// Resolves `file` (a bare name is looked up in each directory in order; a path is taken as
// it is) and checks it: it exists, is a regular file after symlinks are followed, lies inside
// one of `directories` once both are made canonical, and neither it nor the directory that
// holds it is writable by everyone. Throws InputError(where, "file", problem, hint).
std::filesystem::path checked_plugin_file(const std::string& file, const std::vector<std::filesystem::path>& directories,
                                          const std::string& where);

}  // namespace pkilab
