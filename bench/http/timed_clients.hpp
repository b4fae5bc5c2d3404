#pragma once
// The bench's load: N client threads, each doing operations back to back (the next starts when
// the previous one's answer is in, as an HTTP client on one keep-alive connection does, or as a
// caller of submit() waiting for its own commit) for a fixed time. Every answer is checked by the
// operation itself; the figures count what passed, and keep what did not.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace pkilab::bench {

struct Checked {
    std::string problem;   // empty: the answer was right
    bool sampled = false;  // it was checked in full
};

// Operation `i` of one client (i counts from 0 for each client).
using Operation = std::function<Checked(std::uint64_t i)>;
// Called on the client's own thread, so that a connection belongs to the thread that uses it.
using OperationFactory = std::function<Operation(int client)>;

struct Figures {
    double seconds = 0;
    std::uint64_t ok = 0;
    std::uint64_t failed = 0;
    std::uint64_t sampled = 0;
    double p50_ms = 0, p99_ms = 0;
    double client_cpu_s = 0;  // this process's CPU during the measurement
    double server_cpu_s = 0;  // the server's, when one was named
    std::map<std::string, std::uint64_t> problems;  // what went wrong, how often
    double rate() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
};

// `clients` threads for `seconds`. Each client makes its operation and runs it once before the
// clock starts (a warm-up that opens its connection; checked, not timed), then until the time is
// up. `server`: a process whose CPU time over the same window goes into server_cpu_s (0: none).
Figures run_timed(int clients, double seconds, const OperationFactory& make, pid_t server = 0);

}  // namespace pkilab::bench
