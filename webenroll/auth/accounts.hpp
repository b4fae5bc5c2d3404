#pragma once
// The web users of a lab (its lab file's `web.users`, and the administrator `pkilab serve`
// sets up when the file names none) and the checks of their passwords and tokens.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ca/config/lab_config.hpp"

namespace pkilab::web {

struct Account {
    std::string name;
    WebRole role = WebRole::Enrollee;
};

// The administrator of a lab file without one: user "admin" with a random password kept in
// STATE/web/admin-password (mode 0600), made on the first start and reused after, like the
// initial password of Jenkins or GitLab. Printed by `pkilab serve` so that the first person
// at the lab can log in.
struct GeneratedAdmin {
    std::string name = "admin";
    std::string password;
    std::filesystem::path file;
};
// Reads the file, or creates it (atomically, 0600) when missing. InternalError on I/O trouble.
GeneratedAdmin generated_admin(const std::filesystem::path& state_dir);

class Accounts {
public:
    // `admin`: the generated administrator, when the lab file names no user of role admin.
    Accounts(const std::vector<WebUser>& users, std::optional<GeneratedAdmin> admin);

    // A password check costs a PBKDF2 of the user's iteration count (about a quarter of a
    // second at 600,000): a success is remembered for a few minutes, keyed by a keyed hash of
    // the password, so that HTTP Basic, which sends it with every request, stays cheap.
    std::optional<Account> check_password(std::string_view name, std::string_view password) const;
    std::optional<Account> check_token(std::string_view token) const;
    std::optional<Account> find(std::string_view name) const;
    // The user of that name when it may log in with a client certificate.
    std::optional<Account> certificate_login(std::string_view name) const;

    std::size_t size() const { return users_.size(); }
    bool has_generated_admin() const { return generated_; }

private:
    struct User {
        Account account;
        std::string password_hash;
        bool client_certificate = false;
    };
    std::vector<User> users_;
    std::unordered_map<std::string, std::size_t> by_name_;
    std::unordered_map<std::string, std::size_t> by_token_sha256_;
    bool generated_ = false;
    std::string cache_key_secret_;  // random per process: the cache holds no password-equivalent hash

    mutable std::mutex cache_mutex_;
    mutable std::unordered_map<std::string, std::chrono::steady_clock::time_point> verified_;
};

}  // namespace pkilab::web
