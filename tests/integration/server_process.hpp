#pragma once
// `pkilab serve` as a background process for integration tests: a free loopback port, the
// process with its stdout and stderr in files, waiting for it to listen and to exit.
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <netinet/in.h>
#include <optional>
#include <spawn.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "process.hpp"

extern char** environ;

namespace pkilab::test {

using namespace std::chrono_literals;

inline const std::string kPkilab = PKILAB_BINARY;
// Room for a loaded two-core CI machine and a sanitizer build; a passing test waits far less.
inline constexpr auto kDeadline = 15s;

// A port nobody listens on now: bound to port 0, read back, closed. The lab file's URLs and
// --http need the same number, so the server cannot pick it itself.
inline int free_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        if (s >= 0) ::close(s);
        return -1;
    }
    ::close(s);
    return ntohs(a.sin_port);
}

// The default lab file with every ":8080" of its URLs on `port`: the CDP, AIA and OCSP URLs then
// point at a server a test started.
inline std::string default_lab_on_port(int port) {
    std::string lab = slurp(std::string(PKILAB_SOURCE_DIR) + "/lab/default/lab.yaml");
    for (size_t at = lab.find(":8080"); at != std::string::npos; at = lab.find(":8080", at))
        lab.replace(at, 5, ":" + std::to_string(port));
    return lab;
}

// Polls `done` until it holds or the deadline passes; true when it held.
template <class F>
bool eventually(F&& done, std::chrono::steady_clock::duration limit = kDeadline) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

// `pkilab serve` in the background, its stdout and stderr in files.
class Server {
public:
    Server(const std::vector<std::string>& args, const std::filesystem::path& out, const std::filesystem::path& err)
        : out_(out), err_(err) {
        std::vector<char*> argv;
        std::vector<std::string> all{kPkilab};
        all.insert(all.end(), args.begin(), args.end());
        for (auto& a : all) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (::posix_spawn(&pid_, kPkilab.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
    }
    ~Server() {
        if (pid_ > 0 && !status_) {
            ::kill(pid_, SIGKILL);
            int st = 0;
            ::waitpid(pid_, &st, 0);
        }
    }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    pid_t pid() const { return pid_; }
    std::string out() const { return slurp(out_); }
    std::string err() const { return slurp(err_); }

    // The URL of the first stdout line "pkilab serve: listening on URL" whose URL starts with
    // `scheme` ("http://" matches only plain HTTP), or "" when it never came (the server's
    // stderr then says why).
    std::string wait_listening(const std::string& scheme = "http://") {
        const std::string prefix = "pkilab serve: listening on " + scheme;
        std::string url;
        eventually([&] {
            const std::string o = out();
            const size_t at = o.find(prefix);
            const size_t eol = at == std::string::npos ? at : o.find('\n', at);
            if (eol != std::string::npos) url = scheme + o.substr(at + prefix.size(), eol - at - prefix.size());
            return !url.empty() || exited();
        });
        return url;
    }

    bool exited() {
        if (status_) return true;
        int st = 0;
        if (::waitpid(pid_, &st, WNOHANG) != pid_) return false;
        status_ = st;
        return true;
    }
    // The exit code once it has exited (128 + signal when killed), -1 if it is still running.
    int wait_exit() {
        if (!eventually([&] { return exited(); })) return -1;
        return WIFEXITED(*status_) ? WEXITSTATUS(*status_) : 128 + WTERMSIG(*status_);
    }

private:
    std::filesystem::path out_, err_;
    pid_t pid_ = -1;
    std::optional<int> status_;
};

}  // namespace pkilab::test
