#include "bench/ocsp/http_load.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <string_view>
#include <thread>

namespace pkilab::bench {

namespace {

using Steady = std::chrono::steady_clock;

// A recv that waits this long at most, so that a client blocked on a server that does not
// answer it (openssl ocsp serves one connection at a time) still sees the end of the run.
constexpr int kPollMillis = 100;
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxBodyBytes = 1024 * 1024;

bool successful_ocsp_response(std::string_view b) {
    // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT ... OPTIONAL }
    const auto at = [&](std::size_t i) { return static_cast<unsigned char>(b[i]); };
    if (b.size() < 5 || at(0) != 0x30) return false;
    std::size_t len = 0, header = 0;
    if (at(1) < 0x80) {
        len = at(1);
        header = 2;
    } else {
        const std::size_t k = at(1) & 0x7f;
        if (k == 0 || k > 3 || b.size() < 2 + k) return false;
        for (std::size_t i = 0; i < k; ++i) len = (len << 8) | at(2 + i);
        header = 2 + k;
    }
    if (header + len != b.size() || b.size() < header + 3) return false;
    return at(header) == 0x0a && at(header + 1) == 0x01 && at(header + 2) == 0x00;
}

struct Response {
    int status = 0;
    bool keep_alive = false;
    std::string body;
};

enum class Outcome { Ok, Io, Stopped };

class Connection {
public:
    ~Connection() { close(); }

    bool open(int port) {
        close();
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) return false;
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        timeval tv{0, kPollMillis * 1000};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            close();
            return false;
        }
        buf_.clear();
        return true;
    }

    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    bool is_open() const { return fd_ >= 0; }

    // Sends `wire` and reads one response. `stop` is looked at while waiting.
    Outcome exchange(std::string_view wire, Response& r, const std::atomic<bool>* stop) {
        for (std::size_t sent = 0; sent < wire.size();) {
            const ssize_t n = ::send(fd_, wire.data() + sent, wire.size() - sent, MSG_NOSIGNAL);
            if (n > 0) {
                sent += static_cast<std::size_t>(n);
            } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                if (stop != nullptr && stop->load(std::memory_order_relaxed)) return Outcome::Stopped;
            } else {
                return Outcome::Io;
            }
        }
        std::size_t header_end = std::string::npos;
        while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) {
            if (buf_.size() > kMaxHeaderBytes) return Outcome::Io;
            if (const Outcome o = fill(stop); o != Outcome::Ok) return o;
        }
        const std::string_view head(buf_.data(), header_end);
        // "HTTP/1.x SSS ..."
        if (head.size() < 12 || head.compare(0, 7, "HTTP/1.") != 0) return Outcome::Io;
        const bool http11 = head[7] == '1';
        r.status = std::atoi(std::string(head.substr(9, 3)).c_str());
        std::size_t content_length = std::string::npos;
        bool close_token = false, keep_alive_token = false, chunked = false;
        for (std::size_t line = head.find("\r\n"); line != std::string_view::npos;) {
            const std::size_t start = line + 2;
            const std::size_t end = std::min(head.find("\r\n", start), head.size());
            const std::string_view h = head.substr(start, end - start);
            const std::size_t colon = h.find(':');
            if (colon != std::string_view::npos) {
                const std::string name(h.substr(0, colon));
                std::string_view value = h.substr(colon + 1);
                while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
                std::string v(value);
                for (char& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                if (strcasecmp(name.c_str(), "content-length") == 0) {
                    content_length = std::strtoul(v.c_str(), nullptr, 10);
                } else if (strcasecmp(name.c_str(), "connection") == 0) {
                    close_token = v.find("close") != std::string::npos;
                    keep_alive_token = v.find("keep-alive") != std::string::npos;
                } else if (strcasecmp(name.c_str(), "transfer-encoding") == 0) {
                    chunked = true;  // not needed for these servers; counted as broken
                }
            }
            line = end < head.size() ? end : std::string_view::npos;
        }
        r.keep_alive = http11 ? !close_token : keep_alive_token;
        if (chunked || (content_length == std::string::npos && r.keep_alive) ||
            (content_length != std::string::npos && content_length > kMaxBodyBytes))
            return Outcome::Io;
        const std::size_t body_start = header_end + 4;
        if (content_length == std::string::npos) {
            // Delimited by the end of the connection (HTTP/1.0 without keep-alive).
            Outcome o = Outcome::Ok;
            while ((o = fill(stop)) == Outcome::Ok) {
                if (buf_.size() - body_start > kMaxBodyBytes) return Outcome::Io;
            }
            if (o == Outcome::Stopped) return o;
            content_length = buf_.size() - body_start;
        } else {
            while (buf_.size() < body_start + content_length)
                if (const Outcome o = fill(stop); o != Outcome::Ok) return o;
        }
        r.body.assign(buf_, body_start, content_length);
        buf_.erase(0, body_start + content_length);
        return Outcome::Ok;
    }

private:
    // Ok when bytes came, Io at the end of the connection or an error.
    Outcome fill(const std::atomic<bool>* stop) {
        char tmp[16384];
        while (true) {
            const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
            if (n > 0) {
                buf_.append(tmp, static_cast<std::size_t>(n));
                return Outcome::Ok;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                if (stop != nullptr && stop->load(std::memory_order_relaxed)) return Outcome::Stopped;
                continue;
            }
            return Outcome::Io;
        }
    }

    int fd_ = -1;
    std::string buf_;
};

struct ClientStats {
    std::uint64_t ok = 0, bad = 0, io_errors = 0, reconnects = 0, sampled = 0;
    std::vector<float> latency_us;
    std::string first_problem;
};

void note(ClientStats& s, const std::string& problem) {
    if (s.first_problem.empty()) s.first_problem = problem;
}

}  // namespace

LoadResult run_load(int port, const std::vector<PreparedRequest>& requests, int connections, double seconds,
                    const ResponseCheck& check, int sample_every) {
    std::atomic<bool> stop{false};
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    Steady::time_point start{}, deadline{};
    std::vector<ClientStats> stats(static_cast<std::size_t>(connections));
    std::vector<std::thread> clients;
    for (int c = 0; c < connections; ++c) {
        clients.emplace_back([&, c] {
            ClientStats& s = stats[static_cast<std::size_t>(c)];
            s.latency_us.reserve(1 << 18);
            Connection conn;
            std::size_t next = requests.size() * static_cast<std::size_t>(c) / static_cast<std::size_t>(connections);
            std::uint64_t n = 0;
            ++ready;
            while (!go.load()) std::this_thread::yield();
            Response r;
            while (!stop.load(std::memory_order_relaxed)) {
                if (!conn.is_open() && !conn.open(port)) {
                    ++s.io_errors;
                    note(s, "connect failed");
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                    continue;
                }
                const PreparedRequest& req = requests[next];
                next = (next + 1) % requests.size();
                const auto sent = Steady::now();
                const Outcome o = conn.exchange(req.wire, r, &stop);
                const auto done = Steady::now();
                if (o == Outcome::Stopped || done > deadline) break;
                if (o == Outcome::Io) {
                    ++s.io_errors;
                    note(s, "connection closed or broken mid-exchange");
                    conn.close();
                    continue;
                }
                if (!r.keep_alive) {
                    ++s.reconnects;
                    conn.close();
                }
                if (r.status != 200) {
                    ++s.bad;
                    note(s, "HTTP status " + std::to_string(r.status));
                    continue;
                }
                if (!successful_ocsp_response(r.body)) {
                    ++s.bad;
                    note(s, "body is not a successful OCSPResponse (" + std::to_string(r.body.size()) + " bytes)");
                    continue;
                }
                if (n++ % static_cast<std::uint64_t>(sample_every) == 0) {
                    ++s.sampled;
                    if (std::string problem = check(r.body, req); !problem.empty()) {
                        ++s.bad;
                        note(s, problem);
                        continue;
                    }
                }
                ++s.ok;
                s.latency_us.push_back(std::chrono::duration<float, std::micro>(done - sent).count());
            }
        });
    }
    while (ready.load() < connections) std::this_thread::yield();
    start = Steady::now();
    deadline = start + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(seconds));
    go = true;
    std::this_thread::sleep_until(deadline);
    stop = true;
    for (auto& t : clients) t.join();

    LoadResult out;
    out.seconds = seconds;
    std::vector<float> all;
    for (auto& s : stats) {
        out.ok += s.ok;
        out.bad += s.bad;
        out.io_errors += s.io_errors;
        out.reconnects += s.reconnects;
        out.sampled += s.sampled;
        if (s.ok > 0) ++out.connections_served;
        if (out.first_problem.empty()) out.first_problem = s.first_problem;
        all.insert(all.end(), s.latency_us.begin(), s.latency_us.end());
    }
    if (!all.empty()) {
        const auto pct = [&](double q) {
            const auto k = static_cast<std::size_t>(q * static_cast<double>(all.size() - 1));
            std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end());
            return static_cast<double>(all[k]) / 1000.0;
        };
        out.p50_ms = pct(0.50);
        out.p99_ms = pct(0.99);
    }
    return out;
}

namespace {

// Sets `stop` after `limit` or when the object goes, whichever comes first.
class Timeout {
public:
    Timeout(std::atomic<bool>& stop, std::chrono::milliseconds limit)
        : stop_(stop), thread_([this, limit] {
              const auto end = Steady::now() + limit;
              while (!done_.load() && Steady::now() < end) std::this_thread::sleep_for(std::chrono::milliseconds(20));
              stop_ = true;
          }) {}
    ~Timeout() {
        done_ = true;
        thread_.join();
    }
    Timeout(const Timeout&) = delete;
    Timeout& operator=(const Timeout&) = delete;

private:
    std::atomic<bool>& stop_;
    std::atomic<bool> done_{false};
    std::thread thread_;
};

}  // namespace

std::size_t send_each_once(int port, const std::vector<PreparedRequest>& requests) {
    std::atomic<bool> stop{false};
    const Timeout timeout(stop, std::chrono::seconds(60));
    Connection conn;
    Response r;
    std::size_t answered = 0;
    for (const auto& req : requests) {
        if (stop.load()) break;
        if (!conn.is_open() && !conn.open(port)) return answered;
        if (conn.exchange(req.wire, r, &stop) != Outcome::Ok) {
            conn.close();
            continue;
        }
        if (r.status == 200) ++answered;
        if (!r.keep_alive) conn.close();
    }
    return answered;
}

std::string fetch_once(int port, const std::string& wire) {
    Connection conn;
    if (!conn.open(port)) return {};
    std::atomic<bool> stop{false};
    const Timeout timeout(stop, std::chrono::seconds(2));  // accepted but never answered
    Response r;
    const Outcome o = conn.exchange(wire, r, &stop);
    return o == Outcome::Ok && r.status == 200 ? r.body : std::string();
}

int free_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    const bool ok = ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0;
    ::close(s);
    return ok ? ntohs(a.sin_port) : -1;
}

}  // namespace pkilab::bench
