#pragma once
// The ACME server (RFC 8555) behind /acme/: one directory per endpoint, each issuing one
// template through the lab's pipeline. Handlers throw AcmeError; acme_routes.cpp writes it as
// a problem document, with a fresh Replay-Nonce on every answer.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "ca/authority/lab.hpp"
#include "ca/config/acme_config.hpp"
#include "webenroll/acme/acme_jws.hpp"
#include "webenroll/acme/acme_nonces.hpp"
#include "webenroll/acme/acme_problem.hpp"
#include "webenroll/acme/acme_store.hpp"
#include "webenroll/acme/acme_validation.hpp"
#include "webenroll/router.hpp"

namespace pkilab::acme {

using web::WebRequest;

struct Endpoint {
    std::string name;
    std::string template_name;
    std::string ca;
    bool eab_required = false;
};

// Per-account ceilings against floods.
inline constexpr std::size_t kMaxLiveOrdersPerAccount = 300;
inline constexpr std::size_t kMaxAccounts = 100000;
inline constexpr std::size_t kMaxIdentifiers = 100;
inline constexpr Duration kOrderLifetime = std::chrono::hours(24 * 7);
inline constexpr Duration kAuthorizationLifetime = std::chrono::hours(24 * 7);
inline constexpr std::size_t kMaxTxtRecords = 10000;

// dns-01's TXT value: base64url(SHA-256(key authorization)) (RFC 8555 §8.4).
std::string txt_digest(const std::string& key_authorization);

class AcmeService {
public:
    AcmeService(const Lab& lab, const AcmeConfig& config, std::vector<Endpoint> endpoints, std::string default_endpoint,
                LazyAcmeStore::Open open_store, Validator::Check check = check_http01);
    AcmeService(const AcmeService&) = delete;
    AcmeService& operator=(const AcmeService&) = delete;

    const std::vector<Endpoint>& endpoints() const { return endpoints_; }
    const std::string& default_endpoint() const { return default_endpoint_; }
    // NotFound as an AcmeError when `name` is none.
    const Endpoint& endpoint(const std::string& name) const;
    std::string fresh_nonce() { return nonces_.issue(); }

    // Each answers one route; `ep` is the endpoint's name.
    void directory(const WebRequest& r, const std::string& ep, httplib::Response& res) const;
    void new_account(const WebRequest& r, const std::string& ep, httplib::Response& res);
    void account(const WebRequest& r, const std::string& ep, const std::string& id, httplib::Response& res);
    void key_change(const WebRequest& r, const std::string& ep, httplib::Response& res);
    void new_order(const WebRequest& r, const std::string& ep, httplib::Response& res);
    void order(const WebRequest& r, const std::string& ep, const std::string& id, httplib::Response& res);
    void finalize(const WebRequest& r, const std::string& ep, const std::string& id, httplib::Response& res);
    void authorization(const WebRequest& r, const std::string& ep, const std::string& id, httplib::Response& res);
    void challenge(const WebRequest& r, const std::string& ep, const std::string& authz, const std::string& index,
                   httplib::Response& res);
    void certificate(const WebRequest& r, const std::string& ep, const std::string& id, httplib::Response& res);
    void revoke_certificate(const WebRequest& r, const std::string& ep, httplib::Response& res);

    // The test resolver dns-01 asks instead of DNS: TXT records an officer sets, for a day of
    // the lab clock. `name` is lower case without a trailing dot ("_acme-challenge.www.lab.test").
    void set_txt(const std::string& name, const std::string& value);
    void remove_txt(const std::string& name);
    nlohmann::json txt_records() const;

private:
    struct Signed {
        Jws jws;
        std::optional<Account> account;  // for a kid
    };
    enum class KeyUse { Kid, Jwk, Either };
    Signed authenticate(const WebRequest& r, const std::string& ep, KeyUse use);
    Account signed_account(const WebRequest& r, const std::string& ep);  // kid only

    std::string base(const WebRequest& r, const std::string& ep) const { return r.origin + "/acme/" + ep; }
    nlohmann::json account_json(const Account& a) const;
    nlohmann::json order_json(const WebRequest& r, const Order& o) const;
    nlohmann::json authorization_json(const WebRequest& r, const Authorization& a) const;
    nlohmann::json challenge_json(const WebRequest& r, const Authorization& a, std::size_t i) const;

    // Under mu_: the order with its authorizations brought up to the lab clock (and a
    // finalized one up to its request's state in the CA's store), saved when it changed.
    Order load_order(const std::string& id, const Account& owner);
    Authorization load_authorization(const std::string& id, const Account& owner);
    void follow_request(Order& o);
    void issued(Order& o, const std::string& ca, const std::string& serial);
    void validation_done(const Http01Job& job, const ValidationResult& result);
    ValidationResult check_dns01(const Http01Job& job) const;
    std::string address_of(const Identifier& id) const;
    // Under mu_: a rejectedIdentifier problem when the endpoint's template or plugins refuse the
    // name itself, else null.
    nlohmann::json preflight(const Endpoint& e, const Identifier& id);

    const Lab& lab_;
    AcmeConfig config_;
    std::vector<Endpoint> endpoints_;
    std::string default_endpoint_;
    LazyAcmeStore store_;
    Nonces nonces_;
    std::filesystem::path eab_keys_;  // STATE/acme/eab-keys (acme_eab.hpp)
    std::mutex mu_;  // read-modify-write of orders, authorizations and accounts
    ossl::PkeyPtr probe_key_;  // signs preflight CSRs (under mu_)
    std::unique_ptr<Validator> validator_;  // last: its workers stop before the rest goes
};

}  // namespace pkilab::acme
