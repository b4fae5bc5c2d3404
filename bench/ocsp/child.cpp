#include "bench/ocsp/child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace pkilab::bench {

namespace {

// The process groups of running children, for the signal handler (async-signal-safe access only).
constexpr std::size_t kMaxChildren = 16;
std::array<std::atomic<pid_t>, kMaxChildren> g_groups{};

void remember(pid_t pid) {
    for (auto& slot : g_groups) {
        pid_t empty = 0;
        if (slot.compare_exchange_strong(empty, pid)) return;
    }
}

void forget(pid_t pid) {
    for (auto& slot : g_groups) {
        pid_t mine = pid;
        if (slot.compare_exchange_strong(mine, 0)) return;
    }
}

extern "C" void on_signal(int sig) {
    for (auto& slot : g_groups) {
        const pid_t pid = slot.load();
        if (pid > 0) ::kill(-pid, SIGTERM);
    }
    for (auto& slot : g_groups) {
        const pid_t pid = slot.load();
        if (pid > 0) ::waitpid(pid, nullptr, 0);
    }
    ::_exit(128 + sig);
}

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

Child::Child(std::vector<std::string> argv, const std::filesystem::path& out, const std::filesystem::path& err)
    : name_(argv.at(0)), out_(out), err_(err) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setpgroup(&attr, 0);  // its own group, so that forked workers are stopped with it
    // The bench ignores SIGPIPE (its clients write to sockets); the child gets the default back.
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    const bool search = name_.find('/') == std::string::npos;
    const int rc = search ? ::posix_spawnp(&pid_, name_.c_str(), &actions, &attr, args.data(), environ)
                          : ::posix_spawn(&pid_, name_.c_str(), &actions, &attr, args.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        pid_ = -1;
        throw std::runtime_error("cannot start " + name_ + ": " + std::strerror(rc));
    }
    remember(pid_);
}

Child::~Child() { stop(); }

namespace {

// Exited, but left a zombie: its pid (and so its group id) cannot be reused until it is reaped.
bool leader_exited(pid_t pid) {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

}  // namespace

bool Child::exited() {
    if (reaped_ || pid_ <= 0) return true;
    return leader_exited(pid_);
}

void Child::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0 || reaped_) return;
    ::kill(-pid_, SIGTERM);
    const auto end = std::chrono::steady_clock::now() + grace;
    while (!leader_exited(pid_) && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    // Whatever is left of the group (the leader if it did not stop, workers openssl ocsp -multi
    // forked) is killed while the unreaped leader still holds the group id.
    ::kill(-pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    forget(pid_);
}

std::string Child::out() const { return slurp(out_); }
std::string Child::err() const { return slurp(err_); }

void stop_children_on_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
}

}  // namespace pkilab::bench
