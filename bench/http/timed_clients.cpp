#include "bench/http/timed_clients.hpp"

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <exception>
#include <thread>
#include <vector>

#include "bench/http/proc_stats.hpp"

namespace pkilab::bench {

namespace {

using Steady = std::chrono::steady_clock;

struct ClientResult {
    std::uint64_t ok = 0, failed = 0, sampled = 0;
    std::vector<float> latency_us;
    std::map<std::string, std::uint64_t> problems;
};

void count(ClientResult& r, const Checked& c, bool timed, float us) {
    if (!c.problem.empty()) {
        ++r.failed;
        ++r.problems[c.problem];
        return;
    }
    if (!timed) return;
    ++r.ok;
    if (c.sampled) ++r.sampled;
    r.latency_us.push_back(us);
}

double percentile_ms(std::vector<float>& v, double q) {
    if (v.empty()) return 0;
    const auto at = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(at), v.end());
    return static_cast<double>(v[at]) / 1000.0;
}

}  // namespace

Figures run_timed(int clients, double seconds, const OperationFactory& make, pid_t server) {
    std::atomic<bool> stop{false};
    std::barrier<> ready(clients + 1);
    std::vector<ClientResult> results(static_cast<std::size_t>(clients));
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c)
        threads.emplace_back([&, c] {
            ClientResult& r = results[static_cast<std::size_t>(c)];
            Operation op;
            const auto run_one = [&](std::uint64_t i, bool timed) {
                const auto t0 = Steady::now();
                Checked checked;
                try {
                    checked = op(i);
                } catch (const std::exception& e) {
                    checked.problem = std::string("exception: ") + e.what();
                }
                const std::chrono::duration<float, std::micro> took = Steady::now() - t0;
                count(r, checked, timed, took.count());
            };
            try {
                op = make(c);
            } catch (const std::exception& e) {
                count(r, Checked{std::string("cannot start the client: ") + e.what()}, false, 0);
            }
            if (op) run_one(0, false);
            ready.arrive_and_wait();
            if (!op) return;
            for (std::uint64_t i = 1; !stop.load(std::memory_order_relaxed); ++i) run_one(i, true);
        });
    ready.arrive_and_wait();
    const auto start = Steady::now();
    const double own0 = own_cpu_seconds();
    const double server0 = server > 0 ? process_cpu_seconds(server) : 0;
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : threads) t.join();
    Figures f;
    f.seconds = std::chrono::duration<double>(Steady::now() - start).count();
    f.client_cpu_s = own_cpu_seconds() - own0;
    if (server > 0) f.server_cpu_s = process_cpu_seconds(server) - server0;
    std::vector<float> all;
    for (auto& r : results) {
        f.ok += r.ok;
        f.failed += r.failed;
        f.sampled += r.sampled;
        all.insert(all.end(), r.latency_us.begin(), r.latency_us.end());
        for (const auto& [problem, n] : r.problems) f.problems[problem] += n;
    }
    f.p50_ms = percentile_ms(all, 0.50);
    f.p99_ms = percentile_ms(all, 0.99);
    return f;
}

}  // namespace pkilab::bench
