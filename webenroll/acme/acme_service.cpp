// The ACME service's directory, request authentication and accounts (RFC 8555 §7.1.1, §6.2,
// §7.3).
#include "webenroll/acme/acme_service.hpp"

#include "ca/errors.hpp"
#include "webenroll/acme/acme_eab.hpp"
#include "webenroll/acme/acme_jwk.hpp"
#include "webenroll/acme/acme_reply.hpp"

namespace pkilab::acme {

namespace {

constexpr std::size_t kMaxContacts = 10;
constexpr std::size_t kMaxContactLength = 320;

std::vector<std::string> read_contact(const nlohmann::json& payload) {
    std::vector<std::string> out;
    const auto it = payload.find("contact");
    if (it == payload.end()) return out;
    if (!it->is_array()) malformed("\"contact\" is not an array");
    if (it->size() > kMaxContacts) throw AcmeError(400, "invalidContact", "at most " + std::to_string(kMaxContacts) + " contacts");
    for (const auto& c : *it) {
        if (!c.is_string()) malformed("a contact is not a string");
        const std::string s = c.get<std::string>();
        if (!s.starts_with("mailto:"))
            throw AcmeError(400, "unsupportedContact", "only mailto: contacts are supported, not '" + s.substr(0, 64) + "'");
        if (s.size() > kMaxContactLength || s.find('@') == std::string::npos || s.find_first_of(",;<> \r\n") != std::string::npos)
            throw AcmeError(400, "invalidContact", "'" + s.substr(0, 64) + "' is not one e-mail address");
        out.push_back(s);
    }
    return out;
}

}  // namespace

AcmeService::AcmeService(const Lab& lab, const AcmeConfig& config, std::vector<Endpoint> endpoints, std::string default_endpoint,
                         LazyAcmeStore::Open open_store, Validator::Check check)
    : lab_(lab), config_(config), endpoints_(std::move(endpoints)), default_endpoint_(std::move(default_endpoint)),
      store_(std::move(open_store)), nonces_(lab.base_clock()),
      eab_keys_(lab.state_dir() / "acme" / "eab-keys") {
    validator_ = std::make_unique<Validator>(
        [this, http = std::move(check)](const Http01Job& job) { return job.type == "dns-01" ? check_dns01(job) : http(job); },
        [this](const Http01Job& job, const ValidationResult& result) { validation_done(job, result); });
}

const Endpoint& AcmeService::endpoint(const std::string& name) const {
    for (const auto& e : endpoints_)
        if (e.name == name) return e;
    throw AcmeError(404, "malformed", "no ACME endpoint named '" + name.substr(0, 64) + "' (see /acme/directory)");
}

void AcmeService::directory(const WebRequest& r, const std::string& ep, httplib::Response& res) const {
    const Endpoint& e = endpoint(ep);
    const std::string b = base(r, ep);
    const nlohmann::json meta{{"externalAccountRequired", e.eab_required}, {"website", r.origin + "/"}};
    send_json(res, 200, {{"newNonce", b + "/new-nonce"}, {"newAccount", b + "/new-account"}, {"newOrder", b + "/new-order"},
                         {"revokeCert", b + "/revoke-cert"}, {"keyChange", b + "/key-change"}, {"meta", meta}});
}

AcmeService::Signed AcmeService::authenticate(const WebRequest& r, const std::string& ep, KeyUse use) {
    endpoint(ep);
    const std::string type = r.http.get_header_value("Content-Type");
    if (!type.starts_with("application/jose+json"))
        throw AcmeError(415, "malformed", "the request must be a JWS with Content-Type application/jose+json");
    Signed s{parse_jws(std::string_view(r.http.body)), std::nullopt};
    const std::string url = r.origin + r.http.path;
    if (s.jws.url != url)
        throw AcmeError(401, "unauthorized", "the JWS \"url\" (" + s.jws.url.substr(0, 200) + ") is not the URL requested (" + url + ")");
    ossl::PkeyPtr key;
    if (!s.jws.kid.empty()) {
        if (use == KeyUse::Jwk) malformed("this request must carry a \"jwk\", not a \"kid\"");
        const std::string prefix = base(r, ep) + "/account/";
        if (!s.jws.kid.starts_with(prefix))
            throw AcmeError(400, "accountDoesNotExist", "the kid '" + s.jws.kid.substr(0, 200) + "' is no account URL of this endpoint");
        s.account = store_->find_account(s.jws.kid.substr(prefix.size()));
        if (!s.account || s.account->endpoint != ep)
            throw AcmeError(400, "accountDoesNotExist", "no account at " + s.jws.kid.substr(0, 200));
        if (s.account->status != "valid")
            throw AcmeError(401, "unauthorized", "the account is " + s.account->status);
        key = jwk_to_key(s.account->jwk);
    } else {
        if (use == KeyUse::Kid) malformed("this request must carry the account's \"kid\", not a \"jwk\"");
        key = jwk_to_key(s.jws.jwk);
    }
    if (!verify_jws(s.jws, key.get()))
        throw AcmeError(400, "malformed", "the JWS signature does not verify with the " + std::string(s.account ? "account's key" : "jwk") +
                                              " under " + s.jws.alg);
    if (s.jws.nonce.empty()) throw AcmeError(400, "badNonce", "the JWS protected header has no \"nonce\"");
    if (!nonces_.consume(s.jws.nonce)) throw AcmeError(400, "badNonce", "the nonce is unknown, used or expired: take the fresh one");
    return s;
}

Account AcmeService::signed_account(const WebRequest& r, const std::string& ep) {
    return *authenticate(r, ep, KeyUse::Kid).account;
}

nlohmann::json AcmeService::account_json(const Account& a) const {
    nlohmann::json j{{"status", a.status}, {"contact", a.contact}};
    if (a.terms_agreed) j["termsOfServiceAgreed"] = true;
    return j;
}

void AcmeService::new_account(const WebRequest& r, const std::string& ep, httplib::Response& res) {
    const Signed s = authenticate(r, ep, KeyUse::Jwk);
    const nlohmann::json payload = s.jws.payload_json();
    const std::string thumbprint = jwk_thumbprint(s.jws.jwk);
    std::lock_guard lock(mu_);
    if (auto existing = store_->find_account_by_thumbprint(ep, thumbprint)) {
        res.set_header("Location", base(r, ep) + "/account/" + existing->id);
        send_json(res, 200, account_json(*existing));
        return;
    }
    if (payload_flag(payload, "onlyReturnExisting", false)) throw AcmeError(400, "accountDoesNotExist", "no account has this key");
    std::string eab_kid;
    if (const auto eab = payload.find("externalAccountBinding"); eab != payload.end())
        eab_kid = verify_eab(*eab, s.jws.jwk, r.origin + r.http.path, eab_keys_);
    else if (endpoint(ep).eab_required)
        throw AcmeError(400, "externalAccountRequired", "this endpoint needs an external account binding: ask the lab's admin for a key (" +
                                                            eab_keys_.filename().string() + " in the lab's state)");
    if (store_->count_accounts() >= kMaxAccounts) throw AcmeError(429, "rateLimited", "this lab holds as many ACME accounts as it will");
    Account a;
    a.id = random_id(12);
    a.endpoint = ep;
    a.jwk = jwk_required_members(s.jws.jwk);
    a.thumbprint = thumbprint;
    a.contact = read_contact(payload);
    a.terms_agreed = payload_flag(payload, "termsOfServiceAgreed", false);
    a.created = lab_.clock().now();
    a.eab_kid = eab_kid;
    store_->put_account(a);
    res.set_header("Location", base(r, ep) + "/account/" + a.id);
    send_json(res, 201, account_json(a));
}

void AcmeService::account(const WebRequest& r, const std::string& ep, const std::string& id, httplib::Response& res) {
    Signed s = authenticate(r, ep, KeyUse::Kid);
    Account& a = *s.account;
    if (a.id != id) throw AcmeError(403, "unauthorized", "an account may only read or change itself");
    std::lock_guard lock(mu_);
    if (!s.jws.post_as_get()) {
        const nlohmann::json payload = s.jws.payload_json();
        if (payload.contains("contact")) a.contact = read_contact(payload);
        if (payload.contains("status")) {
            if (payload["status"] != "deactivated") malformed("an account's status may only be set to \"deactivated\"");
            a.status = "deactivated";
        }
        if (payload_flag(payload, "termsOfServiceAgreed", false)) a.terms_agreed = true;
        store_->put_account(a);
    }
    res.set_header("Location", base(r, ep) + "/account/" + a.id);
    send_json(res, 200, account_json(a));
}

void AcmeService::key_change(const WebRequest& r, const std::string& ep, httplib::Response& res) {
    Signed outer = authenticate(r, ep, KeyUse::Kid);
    Account& a = *outer.account;
    const Jws inner = parse_jws(std::string_view(outer.jws.payload));
    if (inner.jwk.is_null()) malformed("the inner JWS of a key change must carry the new key as \"jwk\"");
    if (inner.url != outer.jws.url) malformed("the inner JWS's \"url\" must be the outer one's");
    const ossl::PkeyPtr new_key = jwk_to_key(inner.jwk);
    if (!verify_jws(inner, new_key.get())) malformed("the inner JWS is not signed by the new key");
    const nlohmann::json payload = inner.payload_json();
    if (payload_text(payload, "account") != outer.jws.kid) malformed("the inner payload's \"account\" is not the outer kid");
    if (!payload.contains("oldKey") || !payload["oldKey"].is_object() || jwk_thumbprint(payload["oldKey"]) != a.thumbprint)
        malformed("the inner payload's \"oldKey\" is not the account's current key");
    const std::string thumbprint = jwk_thumbprint(inner.jwk);
    std::lock_guard lock(mu_);
    if (auto other = store_->find_account_by_thumbprint(ep, thumbprint); other && other->id != a.id) {
        res.set_header("Location", base(r, ep) + "/account/" + other->id);
        throw AcmeError(409, "malformed", "another account uses the new key already");
    }
    a.jwk = jwk_required_members(inner.jwk);
    a.thumbprint = thumbprint;
    store_->put_account(a);
    res.set_header("Location", base(r, ep) + "/account/" + a.id);
    send_json(res, 200, account_json(a));
}

}  // namespace pkilab::acme
