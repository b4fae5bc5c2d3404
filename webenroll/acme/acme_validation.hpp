#pragma once
// Challenge validation off the request threads: a few workers take jobs from a bounded queue
// and report each result through a callback. http-01 (RFC 8555 §8.3) connects to the address
// the endpoint's hosts map gives the name, on the lab's http01_port, never following redirects.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace pkilab::acme {

struct Http01Job {
    std::string type = "http-01";  // or dns-01
    std::string authorization;  // id
    std::size_t challenge = 0;  // index in the authorization
    std::string name;           // the identifier's value (the Host header)
    std::string address;        // where to connect
    int port = 80;
    std::string token;
    std::string key_authorization;  // token "." thumbprint
};

struct ValidationResult {
    bool valid = false;
    nlohmann::json error;  // a problem document when not valid
};

// One attempt, with short timeouts and at most a few KiB read.
ValidationResult check_http01(const Http01Job& job);

class Validator {
public:
    using Check = std::function<ValidationResult(const Http01Job&)>;
    using Done = std::function<void(const Http01Job&, const ValidationResult&)>;
    Validator(Check check, Done done, std::size_t threads = 2, std::size_t max_queued = 128);
    Validator(const Validator&) = delete;
    Validator& operator=(const Validator&) = delete;
    // Stops taking jobs, drops the queued ones and waits for the running ones.
    ~Validator();
    // False when the queue is full (the client may retry later).
    bool enqueue(Http01Job job);

private:
    void run();
    Check check_;
    Done done_;
    std::size_t max_queued_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Http01Job> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace pkilab::acme
