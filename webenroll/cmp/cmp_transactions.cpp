#include "webenroll/cmp/cmp_transactions.hpp"

#include <algorithm>

namespace pkilab::web::cmp {

std::shared_ptr<Transaction> Transactions::find(const std::string& id, const std::string& identity, Time now) {
    std::lock_guard lock(mutex_);
    expire(now);
    auto it = open_.find(id);
    if (it == open_.end() || it->second->identity != identity) return nullptr;
    it->second->last_used = now;
    return it->second;
}

void Transactions::keep(const std::string& id, std::shared_ptr<Transaction> t, Time now) {
    std::lock_guard lock(mutex_);
    expire(now);
    t->last_used = now;
    open_.erase(id);
    while (open_.size() >= kMaxCmpTransactions) {
        auto oldest = std::min_element(open_.begin(), open_.end(),
                                       [](const auto& a, const auto& b) { return a.second->last_used < b.second->last_used; });
        open_.erase(oldest);
    }
    open_.emplace(id, std::move(t));
}

void Transactions::forget(const std::string& id, const Transaction* t) {
    std::lock_guard lock(mutex_);
    auto it = open_.find(id);
    if (it != open_.end() && it->second.get() == t) open_.erase(it);
}

size_t Transactions::size() const {
    std::lock_guard lock(mutex_);
    return open_.size();
}

void Transactions::expire(Time now) {
    for (auto it = open_.begin(); it != open_.end();)
        it = now - it->second->last_used > kCmpTransactionIdle ? open_.erase(it) : std::next(it);
}

}  // namespace pkilab::web::cmp
