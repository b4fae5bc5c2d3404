// approval_policy: which requests wait for a CA manager's approval. A request that matches
// any rule is held (pending); the others pass. It never denies.
//
// config:
//   san_matches: ["*.prod.lab.test"]   a DNS SAN (or the CN) matches a glob (* within one label)
//   channels: [web, acme]              the request came through one of these front ends
//   requesters: [alice]                the requester is one of these identities
//   key_algorithms: [rsa]              the request's key is one of these (rsa, ec, ed25519)
#include <cctype>
#include <string>
#include <vector>

#include "pkilab_plugin.hpp"

namespace {

using pkilab::sdk::Config;
using pkilab::sdk::ConfigError;
using pkilab::sdk::Reporter;
using pkilab::sdk::view;

// '*' matches any run of characters except '.': "*.prod.lab.test" is one label deep.
bool glob(std::string_view pattern, std::string_view text) {
    if (pattern.empty()) return text.empty();
    if (pattern.front() == '*') {
        for (size_t i = 0;; ++i) {
            if (glob(pattern.substr(1), text.substr(i))) return true;
            if (i == text.size() || text[i] == '.') return false;
        }
    }
    return !text.empty() && std::tolower(static_cast<unsigned char>(pattern.front())) == std::tolower(static_cast<unsigned char>(text.front())) &&
           glob(pattern.substr(1), text.substr(1));
}

std::vector<std::string> list(const Config& c, std::string_view key) {
    std::vector<std::string> out;
    for (auto v : c.all(key)) out.emplace_back(v);
    return out;
}

bool in(const std::vector<std::string>& v, std::string_view x) {
    for (const auto& e : v)
        if (e == x) return true;
    return false;
}

class ApprovalPolicy {
public:
    explicit ApprovalPolicy(const Config& c)
        : sans_(list(c, "san_matches")), channels_(list(c, "channels")), requesters_(list(c, "requesters")),
          keys_(list(c, "key_algorithms")) {
        c.only({"san_matches", "channels", "requesters", "key_algorithms"});
        for (const auto& k : keys_)
            if (k != "rsa" && k != "ec" && k != "ed25519") throw ConfigError("key_algorithms", "unknown algorithm '" + k + "'");
        if (sans_.empty() && channels_.empty() && requesters_.empty() && keys_.empty())
            throw ConfigError("san_matches", "no rule is given, so nothing would ever be held: give at least one");
    }

    std::uint32_t evaluate(const pkilab_request& r, Reporter& out) const {
        std::string why;
        if (in(channels_, view(r.requester_channel))) why = "it came through " + std::string(view(r.requester_channel));
        if (why.empty() && in(requesters_, view(r.requester_identity))) why = "requester " + std::string(view(r.requester_identity)) + " needs approval";
        if (why.empty() && r.csr != nullptr && !keys_.empty()) {
            const char* names[] = {"rsa", "ec", "ed25519"};
            const std::uint32_t a = r.csr->key.algorithm;
            if (a < 3 && in(keys_, names[a])) why = std::string(names[a]) + " keys need approval";
        }
        if (why.empty() && r.csr != nullptr)
            for (const auto& n : pkilab::sdk::sans(*r.csr))
                for (const auto& p : sans_)
                    if (why.empty() && n.type == PKILAB_NAME_DNS && glob(p, view(n.value)))
                        why = std::string(view(n.value)) + " matches " + p;
        if (why.empty()) return PKILAB_VERDICT_ALLOW;
        out.info("approval.required", "", "held for a CA manager's approval: " + why, "an officer approves it with pkilab request approve");
        return PKILAB_VERDICT_PEND;
    }

private:
    std::vector<std::string> sans_, channels_, requesters_, keys_;
};

}  // namespace

PKILAB_DEFINE_PLUGIN(ApprovalPolicy, "approval-policy", "1.0.0", "routes matching requests to a CA manager",
                     PKILAB_PLUGIN_THREAD_SAFE)
