#pragma once
// A child process the host talks to over a socket: the helper that runs an isolated plugin.
// Owns the process (stopped and reaped on destruction: no zombie outlives it) and the host's
// end of the socket (no descriptor leaks into or out of it).
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ca/unique_fd.hpp"

namespace pkilab {

class HelperProcess final {
public:
    // Starts `program`, with the child's end of a fresh socket pair as its descriptor 3,
    // its standard input from /dev/null, and the environment plus `extra_env` ("NAME=value").
    // The host's end is non-blocking. Throws InternalError when the process cannot start.
    static std::unique_ptr<HelperProcess> spawn(const std::filesystem::path& program, const std::vector<std::string>& extra_env);
    ~HelperProcess();
    HelperProcess(const HelperProcess&) = delete;
    HelperProcess& operator=(const HelperProcess&) = delete;

    int socket() const { return socket_.get(); }

    // Ends the process: closes the socket (a healthy helper exits on that), waits up to `grace`
    // for it to exit, then kills it, and reaps it. Returns how it ended, in words: "exited with
    // status 0", "was killed by SIGSEGV (Segmentation fault)". Later calls return the same.
    const std::string& stop(std::chrono::milliseconds grace);

private:
    HelperProcess(pid_t pid, UniqueFd socket) : pid_(pid), socket_(std::move(socket)) {}
    pid_t pid_;
    UniqueFd socket_;
    std::string ended_;
};

}  // namespace pkilab
