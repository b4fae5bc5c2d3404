#include "webenroll/scep/scep_state.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <openssl/rand.h>

#include "ca/auth/token_hash.hpp"
#include "ca/bytes.hpp"
#include "ca/ossl/error.hpp"

namespace pkilab::scep {

namespace {

constexpr const char* kChallengesSetting = "scep.one_time_challenges";
constexpr const char* kTransactionsSetting = "scep.transactions";

using nlohmann::json;

std::int64_t seconds(Time t) { return t.time_since_epoch().count(); }

// A setting holding a JSON array; a damaged one starts over (it holds nothing a restart needs
// more than a working server).
json read_array(const Store& store, const char* key) {
    const auto text = store.get_setting(key);
    if (!text) return json::array();
    json parsed = json::parse(*text, nullptr, false);
    return parsed.is_array() ? parsed : json::array();
}

bool well_formed_challenge(const json& c) {
    return c.is_object() && c.contains("sha256") && c["sha256"].is_string() && c.contains("endpoint") &&
           c["endpoint"].is_string() && c.contains("expires") && c["expires"].is_number_integer();
}

}  // namespace

std::string new_challenge() {
    Bytes raw(16);
    ossl::check(RAND_bytes(raw.data(), static_cast<int>(raw.size())), "RAND_bytes");
    return to_hex(raw);
}

std::string OneTimeChallenges::issue(const std::string& endpoint, Time now, Time expires) {
    std::lock_guard lock(mutex_);
    json kept = json::array();
    for (const auto& c : read_array(store_, kChallengesSetting))
        if (well_formed_challenge(c) && c["expires"].get<std::int64_t>() > seconds(now)) kept.push_back(c);
    while (!kept.empty() && kept.size() >= max_) kept.erase(kept.begin());
    const std::string password = new_challenge();
    kept.push_back({{"sha256", token_sha256(password)}, {"endpoint", endpoint}, {"expires", seconds(expires)}});
    store_.set_setting(kChallengesSetting, kept.dump());
    return password;
}

bool OneTimeChallenges::redeem(const std::string& endpoint, const std::string& password, Time now) {
    if (password.empty()) return false;
    std::lock_guard lock(mutex_);
    json kept = json::array();
    bool found = false;
    for (const auto& c : read_array(store_, kChallengesSetting)) {
        if (!well_formed_challenge(c) || c["expires"].get<std::int64_t>() <= seconds(now)) continue;
        if (!found && c["endpoint"] == endpoint && token_matches(password, c["sha256"].get<std::string>())) {
            found = true;
            continue;
        }
        kept.push_back(c);
    }
    if (found) store_.set_setting(kChallengesSetting, kept.dump());
    return found;
}

size_t OneTimeChallenges::outstanding(Time now) const {
    std::lock_guard lock(mutex_);
    size_t n = 0;
    for (const auto& c : read_array(store_, kChallengesSetting))
        if (well_formed_challenge(c) && c["expires"].get<std::int64_t>() > seconds(now)) ++n;
    return n;
}

void Transactions::remember(const std::string& transaction_id, const Transaction& t, Time now) {
    std::lock_guard lock(mutex_);
    json all = read_array(store_, kTransactionsSetting);
    all.erase(std::remove_if(all.begin(), all.end(),
                             [&](const json& e) { return !e.is_object() || e.value("id", "") == transaction_id; }),
              all.end());
    while (!all.empty() && all.size() >= max_) all.erase(all.begin());
    all.push_back({{"id", transaction_id}, {"endpoint", t.endpoint}, {"ca", t.ca}, {"request", t.request_id}, {"at", seconds(now)}});
    store_.set_setting(kTransactionsSetting, all.dump());
}

std::optional<Transaction> Transactions::find(const std::string& transaction_id) const {
    std::lock_guard lock(mutex_);
    for (const auto& e : read_array(store_, kTransactionsSetting)) {
        if (!e.is_object() || e.value("id", "") != transaction_id) continue;
        if (!e.contains("request") || !e["request"].is_number_integer()) continue;
        return Transaction{e.value("endpoint", ""), e.value("ca", ""), e["request"].get<std::int64_t>()};
    }
    return std::nullopt;
}

}  // namespace pkilab::scep
