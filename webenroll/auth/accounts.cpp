#include "webenroll/auth/accounts.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca/auth/password_hash.hpp"
#include "ca/auth/token_hash.hpp"
#include "ca/bytes.hpp"
#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/unique_fd.hpp"

namespace pkilab::web {

namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kRememberVerified = std::chrono::minutes(5);
constexpr std::size_t kMaxRemembered = 10'000;
// The generated password is random, so a fast hash is enough; the iteration floor keeps
// the one hash format.
constexpr std::uint32_t kGeneratedAdminIterations = kMinPbkdf2Iterations;

Bytes random_bytes(std::size_t n) {
    Bytes b(n);
    ossl::check(RAND_bytes(b.data(), static_cast<int>(n)), "RAND_bytes");
    return b;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
             data.size(), md, &len) == nullptr)
        ossl::check(0, "HMAC");
    return to_hex(ByteView(md, len));
}

std::optional<std::string> read_password_file(const fs::path& file) {
    std::ifstream in(file);
    if (!in) return std::nullopt;
    std::string line;
    std::getline(in, line);
    if (line.size() < 16) return std::nullopt;  // truncated or edited: made afresh
    return line;
}

}  // namespace

GeneratedAdmin generated_admin(const fs::path& state_dir) {
    GeneratedAdmin admin;
    const fs::path dir = state_dir / "web";
    admin.file = dir / "admin-password";
    if (auto existing = read_password_file(admin.file)) {
        admin.password = *existing;
        return admin;
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw InternalError("cannot create " + dir.string() + ": " + ec.message());
    admin.password = new_token();  // 256 bits, 43 characters of base64url
    // Written under a temporary name and renamed, so a reader never sees half a password.
    const fs::path tmp = dir / ".admin-password.tmp";
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.valid()) throw InternalError("cannot write " + tmp.string() + ": " + std::strerror(errno));
    const std::string text = admin.password + "\n";
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(fd.get()) != 0)
        throw InternalError("cannot write " + tmp.string() + ": " + std::strerror(errno));
    if (fd.close() != 0) throw InternalError("cannot write " + tmp.string() + ": " + std::strerror(errno));
    fs::rename(tmp, admin.file, ec);
    if (ec) throw InternalError("cannot rename " + tmp.string() + ": " + ec.message());
    return admin;
}

Accounts::Accounts(const std::vector<WebUser>& users, std::optional<GeneratedAdmin> admin)
    : cache_key_secret_(as_chars(random_bytes(32))) {
    for (const auto& u : users) {
        by_name_.emplace(u.name, users_.size());
        if (!u.token_sha256.empty()) by_token_sha256_.emplace(u.token_sha256, users_.size());
        users_.push_back({{u.name, u.role}, u.password_hash, u.client_certificate});
    }
    if (admin && !by_name_.count(admin->name)) {
        generated_ = true;
        by_name_.emplace(admin->name, users_.size());
        users_.push_back({{admin->name, WebRole::Admin}, hash_password(admin->password, kGeneratedAdminIterations), false});
    }
}

std::optional<Account> Accounts::find(std::string_view name) const {
    const auto it = by_name_.find(std::string(name));
    if (it == by_name_.end()) return std::nullopt;
    return users_[it->second].account;
}

std::optional<Account> Accounts::certificate_login(std::string_view name) const {
    const auto it = by_name_.find(std::string(name));
    if (it == by_name_.end() || !users_[it->second].client_certificate) return std::nullopt;
    return users_[it->second].account;
}

std::optional<Account> Accounts::check_password(std::string_view name, std::string_view password) const {
    const auto it = by_name_.find(std::string(name));
    if (it == by_name_.end() || users_[it->second].password_hash.empty()) return std::nullopt;
    const User& user = users_[it->second];
    std::string key(name);
    key.push_back('\0');
    key += hmac_sha256_hex(cache_key_secret_, password);
    const auto now = SteadyClock::now();
    {
        std::lock_guard lock(cache_mutex_);
        const auto hit = verified_.find(key);
        if (hit != verified_.end() && hit->second > now) return user.account;
    }
    if (!verify_password(password, user.password_hash)) return std::nullopt;
    std::lock_guard lock(cache_mutex_);
    if (verified_.size() >= kMaxRemembered) verified_.clear();  // a flood of logins only costs PBKDF2 again
    verified_[key] = now + kRememberVerified;
    return user.account;
}

std::optional<Account> Accounts::check_token(std::string_view token) const {
    if (token.empty()) return std::nullopt;
    // Tokens are random, so their SHA-256 is as good as a slow hash, and the lookup by it
    // does not compare secrets byte by byte.
    const auto it = by_token_sha256_.find(token_sha256(token));
    if (it == by_token_sha256_.end()) return std::nullopt;
    return users_[it->second].account;
}

}  // namespace pkilab::web
