// Orders, authorizations and challenges (RFC 8555 §7.4, §7.5), the lab's test resolver for
// dns-01, and the answers of the validation workers.
#include <openssl/sha.h>

#include <algorithm>
#include <set>

#include "webenroll/acme/acme_base64url.hpp"
#include "webenroll/acme/acme_identifier.hpp"
#include "webenroll/acme/acme_jwk.hpp"
#include "webenroll/acme/acme_reply.hpp"
#include "webenroll/acme/acme_service.hpp"

namespace pkilab::acme {

namespace {

constexpr int kRetryAfterSeconds = 2;

}  // namespace

std::string txt_digest(const std::string& key_authorization) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(key_authorization.data()), key_authorization.size(), digest);
    return b64url_encode(ByteView(digest, sizeof digest));
}

namespace {

}  // namespace

nlohmann::json AcmeService::order_json(const WebRequest& r, const Order& o) const {
    const std::string b = base(r, o.endpoint);
    nlohmann::json ids = nlohmann::json::array(), authz = nlohmann::json::array();
    for (const auto& i : o.identifiers) ids.push_back({{"type", i.type}, {"value", i.value}});
    for (const auto& a : o.authorizations) authz.push_back(b + "/authz/" + a);
    nlohmann::json j{{"status", o.status}, {"expires", rfc3339(o.expires)}, {"identifiers", ids}, {"authorizations", authz},
                     {"finalize", b + "/order/" + o.id + "/finalize"}};
    if (o.status == "valid") j["certificate"] = b + "/cert/" + o.id;
    if (!o.error.is_null()) j["error"] = o.error;
    return j;
}

nlohmann::json AcmeService::challenge_json(const WebRequest& r, const Authorization& a, std::size_t i) const {
    const Challenge& c = a.challenges.at(i);
    const Order o = *store_->find_order(a.order);
    nlohmann::json j{{"type", c.type}, {"url", base(r, o.endpoint) + "/chall/" + a.id + "/" + std::to_string(i)},
                     {"token", c.token}, {"status", c.status}};
    if (c.validated) j["validated"] = rfc3339(*c.validated);
    if (!c.error.is_null()) j["error"] = c.error;
    return j;
}

nlohmann::json AcmeService::authorization_json(const WebRequest& r, const Authorization& a) const {
    nlohmann::json challenges = nlohmann::json::array();
    for (std::size_t i = 0; i < a.challenges.size(); ++i) challenges.push_back(challenge_json(r, a, i));
    nlohmann::json j{{"identifier", {{"type", a.identifier.type}, {"value", a.identifier.value}}}, {"status", a.status},
                     {"expires", rfc3339(a.expires)}, {"challenges", challenges}};
    if (a.wildcard) j["wildcard"] = true;
    return j;
}

Authorization AcmeService::load_authorization(const std::string& id, const Account& owner) {
    auto a = store_->find_authorization(id);
    if (!a || a->account != owner.id) throw AcmeError(404, "malformed", "no authorization " + id.substr(0, 64) + " of this account");
    if (refresh_authorization(*a, lab_.clock().now())) store_->put_authorization(*a);
    return *a;
}

Order AcmeService::load_order(const std::string& id, const Account& owner) {
    auto o = store_->find_order(id);
    if (!o || o->account != owner.id) throw AcmeError(404, "malformed", "no order " + id.substr(0, 64) + " of this account");
    std::vector<Authorization> authz;
    for (const auto& aid : o->authorizations) authz.push_back(load_authorization(aid, owner));
    if (refresh_order(*o, authz, lab_.clock().now())) store_->put_order(*o);
    if (o->status == "processing") follow_request(*o);
    return *o;
}

void AcmeService::new_order(const WebRequest& r, const std::string& ep, httplib::Response& res) {
    const Signed s = authenticate(r, ep, KeyUse::Kid);
    const nlohmann::json payload = s.jws.payload_json();
    if (payload.contains("notBefore") || payload.contains("notAfter"))
        malformed("notBefore and notAfter are not supported: the template decides the validity");
    const auto ids = payload.find("identifiers");
    if (ids == payload.end() || !ids->is_array() || ids->empty()) malformed("the order has no \"identifiers\"");
    if (ids->size() > kMaxIdentifiers) throw AcmeError(400, "rejectedIdentifier", "at most " + std::to_string(kMaxIdentifiers) + " identifiers");
    std::vector<Identifier> identifiers;
    for (const auto& j : *ids) {
        Identifier i = read_identifier(j);
        if (std::find(identifiers.begin(), identifiers.end(), i) == identifiers.end()) identifiers.push_back(std::move(i));
    }
    const Time now = lab_.clock().now();
    std::lock_guard lock(mu_);
    store_->purge(now - std::chrono::hours(24 * 30));
    if (store_->count_live_orders(s.account->id, now) >= kMaxLiveOrdersPerAccount)
        throw AcmeError(429, "rateLimited", "this account has " + std::to_string(kMaxLiveOrdersPerAccount) + " orders that have not expired");
    Order o;
    o.id = random_id(12);
    o.account = s.account->id;
    o.endpoint = ep;
    o.expires = now + kOrderLifetime;
    o.identifiers = identifiers;
    for (const auto& i : identifiers) {
        Authorization a;
        a.id = random_id(12);
        a.account = o.account;
        a.order = o.id;
        a.identifier = i;
        a.wildcard = i.value.starts_with("*.");
        if (a.wildcard) a.identifier.value = i.value.substr(2);
        a.expires = std::min(o.expires, now + kAuthorizationLifetime);
        if (!a.wildcard) a.challenges.push_back(Challenge{"http-01", random_id(32), "pending", std::nullopt, nullptr});
        if (i.type == "dns") a.challenges.push_back(Challenge{"dns-01", random_id(32), "pending", std::nullopt, nullptr});
        a.refusal = preflight(endpoint(ep), i);
        store_->put_authorization(a);
        o.authorizations.push_back(a.id);
    }
    store_->put_order(o);
    res.set_header("Location", base(r, ep) + "/order/" + o.id);
    send_json(res, 201, order_json(r, o));
}

void AcmeService::order(const WebRequest& r, const std::string& ep, const std::string& id, httplib::Response& res) {
    const Signed s = authenticate(r, ep, KeyUse::Kid);
    if (!s.jws.post_as_get()) malformed("read an order with POST-as-GET (an empty payload)");
    std::lock_guard lock(mu_);
    const Order o = load_order(id, *s.account);
    if (o.status == "processing") res.set_header("Retry-After", std::to_string(kRetryAfterSeconds));
    send_json(res, 200, order_json(r, o));
}

void AcmeService::authorization(const WebRequest& r, const std::string& ep, const std::string& id, httplib::Response& res) {
    const Signed s = authenticate(r, ep, KeyUse::Kid);
    std::lock_guard lock(mu_);
    Authorization a = load_authorization(id, *s.account);
    if (!s.jws.post_as_get()) {
        const nlohmann::json payload = s.jws.payload_json();
        if (payload_text(payload, "status") != "deactivated") malformed("an authorization's status may only be set to \"deactivated\"");
        if (a.status != "pending" && a.status != "valid")
            throw AcmeError(403, "unauthorized", "an authorization that is " + a.status + " cannot be deactivated");
        a.status = "deactivated";
        store_->put_authorization(a);
    }
    const bool working = std::any_of(a.challenges.begin(), a.challenges.end(), [](const Challenge& c) { return c.status == "processing"; });
    if (working) res.set_header("Retry-After", std::to_string(kRetryAfterSeconds));
    send_json(res, 200, authorization_json(r, a));
}

void AcmeService::challenge(const WebRequest& r, const std::string& ep, const std::string& authz, const std::string& index,
                            httplib::Response& res) {
    const Signed s = authenticate(r, ep, KeyUse::Kid);
    std::lock_guard lock(mu_);
    Authorization a = load_authorization(authz, *s.account);
    if (index.size() != 1 || index[0] < '0' || static_cast<std::size_t>(index[0] - '0') >= a.challenges.size())
        throw AcmeError(404, "malformed", "no challenge " + index.substr(0, 8) + " in this authorization");
    const std::size_t i = static_cast<std::size_t>(index[0] - '0');
    Challenge& c = a.challenges[i];
    if (!s.jws.post_as_get() && a.status == "pending" && c.status == "pending" && !a.refusal.is_null()) {
        finish_challenge(a, i, false, lab_.clock().now(), a.refusal);
        store_->put_authorization(a);
    } else if (!s.jws.post_as_get() && a.status == "pending" && c.status == "pending") {
        Http01Job job{c.type, a.id, i, a.identifier.value, address_of(a.identifier), config_.http01_port, c.token,
                      c.token + "." + s.account->thumbprint};
        c.status = "processing";
        store_->put_authorization(a);
        if (!validator_->enqueue(std::move(job))) {
            c.status = "pending";
            store_->put_authorization(a);
            throw AcmeError(503, "rateLimited", "too many validations are waiting; try again shortly");
        }
        res.set_header("Retry-After", std::to_string(kRetryAfterSeconds));
    }
    add_link(res, base(r, ep) + "/authz/" + a.id, "up");
    send_json(res, 200, challenge_json(r, a, i));
}

std::string AcmeService::address_of(const Identifier& id) const {
    for (const auto& [name, address] : config_.hosts)
        if (name == id.value) return address;
    if (id.type == "ip") return id.value;
    return config_.default_address;
}

ValidationResult AcmeService::check_dns01(const Http01Job& job) const {
    const std::string name = "_acme-challenge." + job.name;
    const std::string expected = txt_digest(job.key_authorization);
    const auto records = store_->txt(name, lab_.clock().now());
    for (const auto& [n, value, expires] : records)
        if (value == expected) return {true, nullptr};
    return {false, problem_json("unauthorized", "the lab's test resolver has " + std::to_string(records.size()) + " TXT record(s) for " +
                                                    name + ", none the digest of the key authorization (set it with POST /acme/test-resolver)",
                                403)};
}

void AcmeService::set_txt(const std::string& name, const std::string& value) {
    store_->add_txt(name, value, lab_.clock().now() + std::chrono::hours(24), kMaxTxtRecords);
}

void AcmeService::remove_txt(const std::string& name) { store_->remove_txt(name); }

nlohmann::json AcmeService::txt_records() const {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [name, value, expires] : store_->txt("", lab_.clock().now()))
        out.push_back({{"name", name}, {"value", value}, {"expires", rfc3339(expires)}});
    return out;
}

void AcmeService::validation_done(const Http01Job& job, const ValidationResult& result) {
    std::lock_guard lock(mu_);
    auto a = store_->find_authorization(job.authorization);
    if (!a || job.challenge >= a->challenges.size() || a->challenges[job.challenge].status != "processing") return;
    finish_challenge(*a, job.challenge, result.valid, lab_.clock().now(), result.error);
    store_->put_authorization(*a);
}

}  // namespace pkilab::acme
