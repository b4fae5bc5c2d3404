#pragma once
// An exclusive lock on a file (flock), held for the object's life: how two pkilab processes on
// one lab (a `pkilab serve` and a command) take turns at files they both replace.
#include <filesystem>

#include "ca/unique_fd.hpp"

namespace pkilab {

class FileLock {
public:
    // Creates `path` (0600) if needed and waits for the lock. InternalError when it cannot.
    explicit FileLock(const std::filesystem::path& path);

private:
    UniqueFd fd_;  // closing it releases the lock
};

}  // namespace pkilab
