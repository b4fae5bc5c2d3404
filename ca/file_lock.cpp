#include "ca/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>

#include "ca/errors.hpp"

namespace pkilab {

FileLock::FileLock(const std::filesystem::path& path)
    : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) {
    if (!fd_.valid()) throw InternalError("cannot open the lock file " + path.string() + ": " + std::strerror(errno));
    while (::flock(fd_.get(), LOCK_EX) != 0)
        if (errno != EINTR) throw InternalError("cannot lock " + path.string() + ": " + std::strerror(errno));
}

}  // namespace pkilab
