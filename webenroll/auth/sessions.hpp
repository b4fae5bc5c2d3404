#pragma once
// Console log-in sessions: a random id in a cookie (Secure, HttpOnly, SameSite=Strict) and a
// CSRF token that every state-changing form of the session must carry. In memory only: a
// restarted server asks people to log in again, which is what a lab expects.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "webenroll/auth/accounts.hpp"

namespace pkilab::web {

struct Session {
    std::string id;    // 256 random bits, base64url (new_token, ca/auth/token_hash.hpp)
    std::string csrf;  // the same
    Account account;
    std::chrono::steady_clock::time_point expires;       // idle timeout, renewed by use
    std::chrono::steady_clock::time_point hard_expires;  // absolute limit
};

class Sessions {
public:
    using TimePoint = std::chrono::steady_clock::time_point;
    static constexpr auto kIdle = std::chrono::minutes(30);
    static constexpr auto kLifetime = std::chrono::hours(8);
    static constexpr std::size_t kMax = 10'000;

    Session open(const Account& account, TimePoint now);
    // The live session of that id (its idle timeout renewed), or nothing.
    std::optional<Session> find(const std::string& id, TimePoint now);
    void close(const std::string& id);

private:
    void drop_expired(TimePoint now);  // with mutex_ held
    std::mutex mutex_;
    std::unordered_map<std::string, Session> sessions_;
};

}  // namespace pkilab::web
