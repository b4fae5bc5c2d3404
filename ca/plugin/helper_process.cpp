#include "ca/plugin/helper_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "ca/errors.hpp"

extern char** environ;

namespace pkilab {

namespace {

std::string describe(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char* abbrev = sigabbrev_np(sig);
        const char* text = sigdescr_np(sig);
        return std::string("was killed by ") + (abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(sig)) +
               (text != nullptr ? std::string(" (") + text + ")" : std::string());
    }
    return "ended (wait status " + std::to_string(status) + ")";
}

class SpawnActions {
public:
    SpawnActions() { ok_ = ::posix_spawn_file_actions_init(&actions_) == 0; }
    ~SpawnActions() {
        if (ok_) ::posix_spawn_file_actions_destroy(&actions_);
    }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
    posix_spawn_file_actions_t* get() { return &actions_; }
    bool ok() const { return ok_; }

private:
    posix_spawn_file_actions_t actions_;
    bool ok_ = false;
};

class SpawnAttributes {
public:
    SpawnAttributes() { ok_ = ::posix_spawnattr_init(&attr_) == 0; }
    ~SpawnAttributes() {
        if (ok_) ::posix_spawnattr_destroy(&attr_);
    }
    SpawnAttributes(const SpawnAttributes&) = delete;
    SpawnAttributes& operator=(const SpawnAttributes&) = delete;
    posix_spawnattr_t* get() { return &attr_; }
    bool ok() const { return ok_; }

private:
    posix_spawnattr_t attr_;
    bool ok_ = false;
};

}  // namespace

std::unique_ptr<HelperProcess> HelperProcess::spawn(const std::filesystem::path& program, const std::vector<std::string>& extra_env) {
    auto fail = [&](const std::string& what, int err) -> std::unique_ptr<HelperProcess> {
        throw InternalError("cannot start the plugin helper " + program.string() + ": " + what + ": " + std::strerror(err));
    };
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return fail("socketpair", errno);
    UniqueFd ours(pair[0]), theirs(pair[1]);
    // dup2 onto itself would keep close-on-exec set: move the child's end away from 3 first.
    if (theirs.get() == 3) {
        UniqueFd moved(::fcntl(theirs.get(), F_DUPFD_CLOEXEC, 4));
        if (!moved.valid()) return fail("fcntl", errno);
        theirs = std::move(moved);
    }
    if (::fcntl(ours.get(), F_SETFL, ::fcntl(ours.get(), F_GETFL) | O_NONBLOCK) != 0) return fail("fcntl", errno);

    SpawnActions actions;
    if (!actions.ok() || ::posix_spawn_file_actions_adddup2(actions.get(), theirs.get(), 3) != 0 ||
        ::posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0) != 0)
        return fail("posix_spawn_file_actions", errno);

    // No arguments: everything the helper needs comes in its first message.
    std::string path = program.string();
    char* argv[] = {path.data(), nullptr};

    std::vector<std::string> env_s = extra_env;
    std::vector<char*> envp;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string_view entry(*e);
        const auto name = entry.substr(0, entry.find('=') + 1);
        bool replaced = false;
        for (const auto& x : extra_env) replaced = replaced || std::string_view(x).substr(0, x.find('=') + 1) == name;
        if (!replaced) envp.push_back(*e);
    }
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);

    // The helper starts with no signal blocked and default dispositions, whatever the host
    // blocked for itself (`pkilab serve` blocks SIGINT, SIGTERM and SIGHUP for its signal thread).
    SpawnAttributes attributes;
    if (!attributes.ok()) return fail("posix_spawnattr_init", errno);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if (::posix_spawnattr_setsigmask(attributes.get(), &none) != 0 ||
        ::posix_spawnattr_setsigdefault(attributes.get(), &all) != 0 ||
        ::posix_spawnattr_setflags(attributes.get(), POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) != 0)
        return fail("posix_spawnattr", errno);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, path.c_str(), actions.get(), attributes.get(), argv, envp.data());
    if (rc != 0) return fail("posix_spawn", rc);
    return std::unique_ptr<HelperProcess>(new HelperProcess(pid, std::move(ours)));
}

HelperProcess::~HelperProcess() { stop(std::chrono::milliseconds(0)); }

const std::string& HelperProcess::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0) return ended_;
    socket_.close();
    int status = 0;
    const auto until = std::chrono::steady_clock::now() + grace;
    for (;;) {
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) break;
        if (r < 0 && errno != EINTR) {
            ended_ = "was lost (waitpid: " + std::string(std::strerror(errno)) + ")";
            pid_ = -1;
            return ended_;
        }
        if (r == 0 && std::chrono::steady_clock::now() >= until) {
            ::kill(pid_, SIGKILL);
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
            break;
        }
        if (r == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ended_ = describe(status);
    pid_ = -1;
    return ended_;
}

}  // namespace pkilab
