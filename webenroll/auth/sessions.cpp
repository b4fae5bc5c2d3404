#include "webenroll/auth/sessions.hpp"

#include "ca/auth/token_hash.hpp"

namespace pkilab::web {

Session Sessions::open(const Account& account, TimePoint now) {
    Session s{new_token(), new_token(), account, now + kIdle, now + kLifetime};
    std::lock_guard lock(mutex_);
    if (sessions_.size() >= kMax) drop_expired(now);
    if (sessions_.size() >= kMax) {
        // Full of live sessions (someone logging in in a loop): the oldest goes.
        auto oldest = sessions_.begin();
        for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
            if (it->second.hard_expires < oldest->second.hard_expires) oldest = it;
        sessions_.erase(oldest);
    }
    sessions_.emplace(s.id, s);
    return s;
}

std::optional<Session> Sessions::find(const std::string& id, TimePoint now) {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(id);
    if (it == sessions_.end()) return std::nullopt;
    if (it->second.expires <= now || it->second.hard_expires <= now) {
        sessions_.erase(it);
        return std::nullopt;
    }
    it->second.expires = std::min(now + kIdle, it->second.hard_expires);
    return it->second;
}

void Sessions::close(const std::string& id) {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
}

void Sessions::drop_expired(TimePoint now) {
    for (auto it = sessions_.begin(); it != sessions_.end();)
        it = (it->second.expires <= now || it->second.hard_expires <= now) ? sessions_.erase(it) : std::next(it);
}

}  // namespace pkilab::web
