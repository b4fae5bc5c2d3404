#pragma once
// The bench's load generator: keep-alive HTTP/1.1 clients on loopback, one thread and one
// connection each, sending prepared requests back to back (no pipelining) for a fixed time.
// It reads what the servers under test send, so it checks it: every response's status line,
// Content-Length and the outer structure of its body (a successful OCSPResponse); a sample is
// parsed in full by the caller's `check`.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pkilab::bench {

struct PreparedRequest {
    std::string wire;  // the whole HTTP request
    int expected = 0;       // V_OCSP_CERTSTATUS_GOOD / REVOKED, for the sample check
    std::string certid_der;  // the CertID asked about, which the answer must name
};

struct LoadResult {
    double seconds = 0;
    std::uint64_t ok = 0;          // HTTP 200 with a successful OCSPResponse
    std::uint64_t bad = 0;         // another status, a body that is not one, a failed sample check
    std::uint64_t io_errors = 0;   // connection refused, reset or closed mid-response
    std::uint64_t reconnects = 0;  // the server closed a connection after a response
    std::uint64_t sampled = 0;     // responses parsed in full
    int connections_served = 0;    // connections that got at least one response
    double p50_ms = 0, p99_ms = 0;
    std::string first_problem;
    double rate() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
};

// Full check of one response body; an empty string when it is right, else what is wrong.
using ResponseCheck = std::function<std::string(const std::string& body, const PreparedRequest& request)>;

// `connections` clients against 127.0.0.1:`port` for `seconds`; client c starts at request
// c * size / connections and walks the list round. Every `sample_every`-th response of a
// client goes through `check`.
LoadResult run_load(int port, const std::vector<PreparedRequest>& requests, int connections, double seconds,
                    const ResponseCheck& check, int sample_every = 64);

// Every request once, in order, on one keep-alive connection (reconnecting when the server
// closes it): how many were answered 200. Fills a responder's cache before a measurement.
std::size_t send_each_once(int port, const std::vector<PreparedRequest>& requests);

// One request on a fresh connection, closed afterwards: the body of a 200 response, or empty.
// For waiting until a server answers (a real request, not an idle connect that some servers
// take badly).
std::string fetch_once(int port, const std::string& wire);

// A loopback port nobody listens on now (bound to 0, read back, closed).
int free_port();

}  // namespace pkilab::bench
