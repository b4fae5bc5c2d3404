#include "ca/store/wal_file.hpp"

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include "ca/errors.hpp"

namespace pkilab::sqlite {

namespace {

// `err` is read by the caller before building `what` (argument order is unspecified and building
// a string may change errno).
[[noreturn]] void throw_errno(int err, const std::string& what) {
    throw InternalError(what + ": " + std::generic_category().message(err) + " (errno " + std::to_string(err) + ")");
}

int open_read_only(const std::filesystem::path& path, int extra_flags) {
    for (;;) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | extra_flags);
        if (fd >= 0) return fd;
        if (errno != EINTR) return -1;
    }
}

// EINTR means the call was interrupted, not that write-back failed: retrying is safe.
int call_retrying(const WalFile::FdatasyncFunction& f, int fd) {
    for (;;) {
        const int rc = f ? f(fd) : ::fdatasync(fd);
        if (rc == 0 || errno != EINTR) return rc;
    }
}

}  // namespace

WalFile::WalFile(std::filesystem::path wal, FdatasyncFunction fdatasync_fn)
    : path_(std::move(wal)), fdatasync_(std::move(fdatasync_fn)) {}

WalFile::~WalFile() {
    if (fd_ >= 0) ::close(fd_);
}

void WalFile::sync() {
    if (fd_ < 0) {
        // A new log's directory entry is only durable once the directory is synced (SQLite does
        // this itself at the first sync of a log it created, which NORMAL may never reach).
        const auto dir = path_.has_parent_path() ? path_.parent_path() : std::filesystem::path(".");
        const int dir_fd = open_read_only(dir, O_DIRECTORY);
        if (dir_fd < 0) {
            const int err = errno;
            throw_errno(err, "cannot open the store's folder " + dir.string() + " to sync it");
        }
        const int dir_rc = ::fsync(dir_fd);
        const int dir_err = errno;
        ::close(dir_fd);
        if (dir_rc != 0) throw_errno(dir_err, "fsync of the store's folder " + dir.string() + " failed");
        const int fd = open_read_only(path_, 0);
        if (fd < 0) {
            const int err = errno;
            throw_errno(err, "cannot open the write-ahead log " + path_.string() + " to sync it");
        }
        fd_ = fd;
    }
    if (call_retrying(fdatasync_, fd_) != 0) {
        const int err = errno;
        throw_errno(err, "fdatasync of the write-ahead log " + path_.string() + " failed");
    }
}

std::filesystem::path WalFile::of(const SQLite::Database& db) {
    const char* name = sqlite3_db_filename(db.getHandle(), "main");
    if (name == nullptr || *name == '\0')
        throw InternalError("a temporary or in-memory database has no write-ahead log to sync");
    return sqlite3_filename_wal(name);
}

}  // namespace pkilab::sqlite
