#include "webenroll/acme/acme_validation.hpp"

#include <httplib.h>

#include "webenroll/acme/acme_problem.hpp"

namespace pkilab::acme {

namespace {

constexpr std::size_t kMaxBody = 4096;

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.pop_back();
    return s;
}

std::string where(const Http01Job& job) {
    return "http://" + job.name + ":" + std::to_string(job.port) + "/.well-known/acme-challenge/" + job.token + " (connecting to " +
           job.address + ")";
}

}  // namespace

ValidationResult check_http01(const Http01Job& job) {
    httplib::Client client(job.address, job.port);
    client.set_connection_timeout(3, 0);
    client.set_read_timeout(5, 0);
    client.set_write_timeout(3, 0);
    client.set_follow_location(false);
    httplib::Headers headers{{"Host", job.port == 80 ? job.name : job.name + ":" + std::to_string(job.port)}};
    std::string body;
    bool too_long = false;
    auto res = client.Get("/.well-known/acme-challenge/" + job.token, headers, [&](const char* data, std::size_t len) {
        body.append(data, len);
        too_long = body.size() > kMaxBody;
        return !too_long;
    });
    if (too_long) return {false, problem_json("unauthorized", "the answer at " + where(job) + " is longer than a key authorization", 403)};
    if (!res)
        return {false, problem_json("connection", "could not fetch " + where(job) + ": " + httplib::to_string(res.error()), 400)};
    if (res->status != 200)
        return {false, problem_json("unauthorized", where(job) + " answered HTTP " + std::to_string(res->status) +
                                                        " (redirects are not followed in the lab)", 403)};
    if (trimmed(body) != job.key_authorization)
        return {false, problem_json("unauthorized", where(job) + " did not answer the key authorization expected for the token", 403)};
    return {true, nullptr};
}

Validator::Validator(Check check, Done done, std::size_t threads, std::size_t max_queued)
    : check_(std::move(check)), done_(std::move(done)), max_queued_(max_queued) {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

Validator::~Validator() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        queue_.clear();
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
}

bool Validator::enqueue(Http01Job job) {
    {
        std::lock_guard lock(mu_);
        if (stopping_ || queue_.size() >= max_queued_) return false;
        queue_.push_back(std::move(job));
    }
    cv_.notify_one();
    return true;
}

void Validator::run() {
    for (;;) {
        Http01Job job;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            job = std::move(queue_.front());
            queue_.pop_front();
        }
        ValidationResult result;
        try {
            result = check_(job);
        } catch (const std::exception& e) {
            result = {false, problem_json("serverInternal", std::string("validation failed: ") + e.what(), 500)};
        }
        try {
            done_(job, result);
        } catch (const std::exception&) {
            // The result could not be recorded; the challenge stays processing and the order expires.
        }
    }
}

}  // namespace pkilab::acme
