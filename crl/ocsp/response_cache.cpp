#include "crl/ocsp/response_cache.hpp"

#include <algorithm>
#include <mutex>

namespace pkilab::crl {

namespace {

bool valid_at(const CachedAnswer& a, Time now) {
    return a.response.this_update <= now && now < a.response.next_update;
}

// Half-way through its life, as large responders do: a client that caches it still gets
// hours of validity, and a refresh that is late does not serve an expired answer.
Time resign_at(const CachedAnswer& a) {
    return a.response.this_update + (a.response.next_update - a.response.this_update) / 2;
}

bool is_unknown(const CachedAnswer& a) { return a.state.kind == CertState::Kind::Unknown; }

}  // namespace

std::string cache_key(std::size_t ca, int hash_nid, const std::string& serial) {
    std::string key;
    key.reserve(8 + serial.size());
    const auto ca32 = static_cast<std::uint32_t>(ca);
    key.append(reinterpret_cast<const char*>(&ca32), sizeof ca32);
    key.append(reinterpret_cast<const char*>(&hash_nid), sizeof hash_nid);
    key.append(serial);
    return key;
}

ResponseCache::ResponseCache(std::size_t ca_count, ResponseCacheLimits limits)
    : limits_(limits), epochs_(ca_count, 0) {}

bool ResponseCache::find(const std::string& key, ByteView certid, Time now, Bytes& out, Time& next_update) const {
    std::shared_lock lock(mutex_);
    auto it = slots_.find(key);
    if (it == slots_.end()) return false;
    for (const auto& a : it->second.answers) {
        if (!std::equal(a->certid.begin(), a->certid.end(), certid.begin(), certid.end())) continue;
        if (!valid_at(*a, now)) return false;
        out.assign(a->response.der.begin(), a->response.der.end());
        next_update = a->response.next_update;
        return true;
    }
    return false;
}

std::uint64_t ResponseCache::epoch(std::size_t ca) const {
    std::shared_lock lock(mutex_);
    return epochs_.at(ca);
}

bool ResponseCache::insert(const std::string& key, std::size_t ca, const std::string& serial, AnswerPtr answer,
                           std::uint64_t epoch, Time now) {
    std::unique_lock lock(mutex_);
    if (epochs_.at(ca) != epoch) return false;
    auto it = slots_.find(key);
    if (it == slots_.end()) {
        const bool unknown = is_unknown(*answer);
        if (slots_.size() >= limits_.max_serials + limits_.max_unknown) return false;
        if (unknown ? unknown_ >= limits_.max_unknown : slots_.size() - unknown_ >= limits_.max_serials) return false;
        Slot slot{ca, serial, unknown, {}};
        slot.answers.push_back(std::move(answer));
        slots_.emplace(key, std::move(slot));
        unknown_ += unknown ? 1 : 0;
        return true;
    }
    Slot& slot = it->second;
    // A serial issued within an unknown answer's short life: the known answer waits for it to go.
    if (slot.unknown != is_unknown(*answer)) return false;
    for (auto& a : slot.answers) {
        if (a->certid != answer->certid) continue;
        if (valid_at(*a, now)) return false;
        a = std::move(answer);
        return true;
    }
    if (slot.answers.size() >= kEncodingsPerKey) return false;
    slot.answers.push_back(std::move(answer));
    return true;
}

std::vector<ResponseCache::Entry> ResponseCache::invalidate(std::size_t ca,
                                                            const std::unordered_set<std::string>* serials) {
    std::vector<Entry> dropped;
    std::unique_lock lock(mutex_);
    ++epochs_.at(ca);
    for (auto it = slots_.begin(); it != slots_.end();) {
        const Slot& slot = it->second;
        if (slot.ca != ca || (serials != nullptr && !serials->contains(slot.serial))) {
            ++it;
            continue;
        }
        for (const auto& a : slot.answers) dropped.push_back(Entry{it->first, ca, slot.serial, a});
        unknown_ -= slot.unknown ? 1 : 0;
        it = slots_.erase(it);
    }
    return dropped;
}

std::vector<ResponseCache::Entry> ResponseCache::due(Time now, std::size_t limit) {
    std::vector<Entry> resign;
    std::vector<Entry> expired;
    {
        std::shared_lock lock(mutex_);
        for (const auto& [key, slot] : slots_) {
            for (const auto& a : slot.answers) {
                const bool from_future = now < a->response.this_update;
                if (slot.unknown) {
                    if (from_future || now >= a->response.this_update + limits_.unknown_life)
                        expired.push_back(Entry{key, slot.ca, slot.serial, a});
                } else if ((from_future || now >= resign_at(*a)) && resign.size() < limit) {
                    resign.push_back(Entry{key, slot.ca, slot.serial, a});
                }
            }
        }
    }
    if (!expired.empty()) {
        std::unique_lock lock(mutex_);
        for (const auto& e : expired)
            if (auto it = slots_.find(e.key); it != slots_.end()) erase_answer(it, e.answer);
    }
    return resign;
}

void ResponseCache::replace(const Entry& stale, AnswerPtr fresh) {
    std::unique_lock lock(mutex_);
    auto it = slots_.find(stale.key);
    if (it == slots_.end()) return;
    for (auto& a : it->second.answers)
        if (a == stale.answer) a = std::move(fresh);
}

void ResponseCache::erase_answer(std::unordered_map<std::string, Slot>::iterator it, const AnswerPtr& answer) {
    auto& answers = it->second.answers;
    answers.erase(std::remove(answers.begin(), answers.end(), answer), answers.end());
    if (!answers.empty()) return;
    unknown_ -= it->second.unknown ? 1 : 0;
    slots_.erase(it);
}

ResponseCacheStats ResponseCache::stats() const {
    std::shared_lock lock(mutex_);
    ResponseCacheStats s;
    s.serials = slots_.size();
    s.unknown = unknown_;
    for (const auto& [key, slot] : slots_) s.answers += slot.answers.size();
    return s;
}

}  // namespace pkilab::crl
