#include "webenroll/server_state.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "ca/errors.hpp"
#include "ca/keys/key_file.hpp"
#include "ca/unique_fd.hpp"
#include "ca/x509/pem.hpp"

namespace pkilab::web {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxStateFileBytes = 64 * 1024;

std::string read_small(int fd) {
    std::string out;
    char buf[64];
    ssize_t n = 0;
    while ((n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(out.size()))) > 0 && out.size() < 64)
        out.append(buf, static_cast<size_t>(n));
    return out;
}

std::optional<pid_t> parse_pid(const std::string& text) {
    try {
        const long v = std::stol(text);
        if (v > 0) return static_cast<pid_t>(v);
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

}  // namespace

fs::path server_pid_file(const fs::path& state_dir) { return state_dir / "serve.pid"; }
fs::path reload_status_file(const fs::path& state_dir) { return state_dir / "serve.reload"; }

ServerPidFile::ServerPidFile(const fs::path& state_dir) : file_(server_pid_file(state_dir)) {
    // A server that exits unlinks the file it locked: lock, then check that the path still
    // names the file locked, else try again with the new one.
    for (int attempt = 0; attempt < 10; ++attempt) {
        UniqueFd fd(::open(file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
        if (!fd.valid())
            throw InputError(file_.string(), "", std::string("cannot create the server's pid file: ") + std::strerror(errno),
                             "check the state folder's permissions");
        if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
            const auto pid = parse_pid(read_small(fd.get()));
            throw ConflictError("a pkilab serve" + (pid ? " (pid " + std::to_string(*pid) + ")" : std::string()) +
                                " already runs on the state folder " + state_dir.string() +
                                "; stop it first, or give this one another --state");
        }
        struct stat held {}, named {};
        if (::fstat(fd.get(), &held) == 0 && ::stat(file_.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
            held.st_dev == named.st_dev) {
            const std::string pid = std::to_string(::getpid()) + "\n";
            if (::ftruncate(fd.get(), 0) != 0 ||
                ::pwrite(fd.get(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
                throw InputError(file_.string(), "", std::string("cannot write the server's pid file: ") + std::strerror(errno));
            fd_ = std::move(fd);
            return;
        }
    }
    throw ConflictError("another pkilab serve is starting or stopping on " + state_dir.string() + "; try again");
}

ServerPidFile::~ServerPidFile() {
    // Unlink while holding the lock: a server starting now either sees no file or its own.
    if (fd_.valid()) ::unlink(file_.c_str());
}

std::optional<pid_t> running_server(const fs::path& state_dir) {
    const fs::path file = server_pid_file(state_dir);
    // Closing it also drops a shared lock taken on a stale file.
    const UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid()) return std::nullopt;
    std::optional<pid_t> pid;
    if (::flock(fd.get(), LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) pid = parse_pid(read_small(fd.get()));
    return pid;
}

void write_reload_status(const fs::path& state_dir, const ReloadStatus& status) {
    const nlohmann::json j{{"pid", status.pid}, {"generation", status.generation}, {"ok", status.ok},
                           {"message", status.message}};
    using fs::perms;
    write_file_atomically(reload_status_file(state_dir), j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                          perms::owner_read | perms::owner_write | perms::group_read | perms::others_read);
}

std::optional<ReloadStatus> read_reload_status(const fs::path& state_dir) {
    const fs::path file = reload_status_file(state_dir);
    std::error_code ec;
    if (!fs::exists(file, ec)) return std::nullopt;
    try {
        const Bytes b = read_file(file, kMaxStateFileBytes);
        const auto j = nlohmann::json::parse(as_chars(b));
        return ReloadStatus{j.at("pid").get<pid_t>(), j.at("generation").get<unsigned long>(), j.at("ok").get<bool>(),
                            j.at("message").get<std::string>()};
    } catch (const std::exception&) {
        return std::nullopt;  // being replaced, or not ours
    }
}

}  // namespace pkilab::web
