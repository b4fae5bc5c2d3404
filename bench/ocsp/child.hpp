#pragma once
// The servers the OCSP bench measures, as child processes: each in a process group of its own
// (openssl ocsp -multi forks workers), stdout and stderr in files, stopped with SIGTERM and
// reaped when the object goes, also when the bench fails. A SIGINT/SIGTERM to the bench stops
// the children it has running before the bench exits.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace pkilab::bench {

class Child {
public:
    // Starts argv[0] (a path; no PATH search when it has a '/') with the given arguments.
    // Throws std::runtime_error when it cannot be started.
    Child(std::vector<std::string> argv, const std::filesystem::path& out, const std::filesystem::path& err);
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    // SIGTERM to the group, then up to `grace` for the leader to exit, then SIGKILL. Idempotent.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
    // True when the leader has exited (it is reaped by stop()).
    bool exited();
    pid_t pid() const { return pid_; }
    std::string out() const;
    std::string err() const;
    const std::string& name() const { return name_; }

private:
    std::string name_;
    std::filesystem::path out_, err_;
    pid_t pid_ = -1;
    bool reaped_ = false;
};

// Makes SIGINT and SIGTERM stop every running Child before the bench exits.
void stop_children_on_signals();

}  // namespace pkilab::bench
