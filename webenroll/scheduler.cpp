#include "webenroll/scheduler.hpp"

#include <chrono>
#include <unistd.h>

#include "crl/crl_publisher.hpp"

namespace pkilab::web {

void log_line(const std::string& text) {
    const std::string line = "pkilab serve: " + text + "\n";
    const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
    (void)n;
}

Scheduler::Scheduler(Lab& lab, PublishedFiles& files, std::function<void()> refresh_ocsp)
    : lab_(lab), files_(files), refresh_ocsp_(std::move(refresh_ocsp)) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::tick() {
    // Each step on its own: a store that is busy for the clock must not stop the CRLs.
    try {
        if (lab_.reload_clock_offset())
            log_line("the lab clock now reads " + format_time(lab_.clock().now()) + " (offset " +
                     format_duration(lab_.clock_offset()) + ")");
    } catch (const std::exception& e) {
        log_line(std::string("reading the lab clock failed: ") + e.what());
    }
    try {
        for (const auto& a : crl::publish_due(lab_, "pkilab-serve")) {
            if (a.published) {
                const CrlRecord& r = a.published->record;
                log_line("published " + std::string(to_string(a.kind)) + " CRL #" + std::to_string(r.number) + " of " +
                         a.ca + " (" + std::to_string(r.entries) + (r.entries == 1 ? " entry" : " entries") + ", next update " +
                         format_time(r.next_update) + ")");
            } else {
                log_line("publishing the " + std::string(to_string(a.kind)) + " CRL of " + a.ca + " failed: " + a.error);
            }
        }
    } catch (const std::exception& e) {
        log_line(std::string("publishing CRLs failed: ") + e.what());
    }
    try {
        files_.refresh_next_updates(lab_);
    } catch (const std::exception& e) {
        log_line(std::string("reading the CRLs' next update failed: ") + e.what());
    }
    try {
        if (refresh_ocsp_) refresh_ocsp_();
    } catch (const std::exception& e) {
        log_line(std::string("refreshing the OCSP responder failed: ") + e.what());
    }
}

void Scheduler::start() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
}

void Scheduler::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Scheduler::loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        // A steady timer between rounds; what a round does is dated by the lab clock alone.
        if (wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) break;
        lock.unlock();
        tick();
        lock.lock();
    }
}

}  // namespace pkilab::web
