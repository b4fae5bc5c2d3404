#pragma once
// What a running `pkilab serve` leaves in the state folder for other commands:
//
//   STATE/serve.pid      its process id, locked (flock) for as long as it runs: a file nobody
//                        holds the lock on is stale, whatever pid it names
//   STATE/serve.reload   the outcome of its last plugin reload (SIGHUP), for `plugins reload`
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>

#include "ca/unique_fd.hpp"

namespace pkilab::web {

std::filesystem::path server_pid_file(const std::filesystem::path& state_dir);
std::filesystem::path reload_status_file(const std::filesystem::path& state_dir);

// Held by the running server: writes and locks STATE/serve.pid, removes it when destroyed.
class ServerPidFile {
public:
    // ConflictError naming the pid when another server runs on this state folder.
    explicit ServerPidFile(const std::filesystem::path& state_dir);
    ~ServerPidFile();
    ServerPidFile(const ServerPidFile&) = delete;
    ServerPidFile& operator=(const ServerPidFile&) = delete;

private:
    std::filesystem::path file_;
    UniqueFd fd_;  // holds the lock; closed after the file is unlinked
};

// The pid of the server running on `state_dir`, if one runs.
std::optional<pid_t> running_server(const std::filesystem::path& state_dir);

struct ReloadStatus {
    pid_t pid = 0;
    unsigned long generation = 0;  // counts the reloads of that server, from 1
    bool ok = false;
    std::string message;
};
void write_reload_status(const std::filesystem::path& state_dir, const ReloadStatus& status);
std::optional<ReloadStatus> read_reload_status(const std::filesystem::path& state_dir);

}  // namespace pkilab::web
