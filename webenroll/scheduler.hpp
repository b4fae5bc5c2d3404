#pragma once
// What `pkilab serve` does about once a second, on a thread of its own: follow the lab clock
// (another process may run `pkilab clock advance`), publish the CRLs that are due, and let the
// OCSP responder catch up with revocations. Nothing here reads the time but the lab clock.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <ostream>
#include <thread>

#include "ca/authority/lab.hpp"
#include "webenroll/published_files.hpp"

namespace pkilab::web {

class Scheduler {
public:
    // `refresh_ocsp` is the responder's refresh(). All must outlive the scheduler.
    Scheduler(Lab& lab, PublishedFiles& files, std::function<void()> refresh_ocsp);
    ~Scheduler();  // stops
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // One round, on the caller's thread (serve runs one before it listens). Logs each CRL
    // published and each failure to stderr, one line each; never throws.
    void tick();
    void start();  // a round about every second from now on
    void stop();   // waits for a running round to finish

private:
    void loop();
    Lab& lab_;
    PublishedFiles& files_;
    std::function<void()> refresh_ocsp_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

// Writes one line to stderr in a single write (no lock shared with request threads).
void log_line(const std::string& text);

}  // namespace pkilab::web
