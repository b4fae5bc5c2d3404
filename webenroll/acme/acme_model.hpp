#pragma once
// ACME's objects (RFC 8555 §7.1) as this server keeps them, and the rules that move their
// status on the lab clock (§7.1.6).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ca/clock.hpp"

namespace pkilab::acme {

struct Identifier {
    std::string type;   // "dns" or "ip"
    std::string value;  // lower case for dns
    bool operator==(const Identifier&) const = default;
};

struct Account {
    std::string id;
    std::string endpoint;
    std::string status = "valid";  // valid, deactivated, revoked
    nlohmann::json jwk;
    std::string thumbprint;
    std::vector<std::string> contact;
    bool terms_agreed = false;
    Time created{};
    std::string eab_kid;  // the external account key it was bound with, if any
};

struct Challenge {
    std::string type;   // http-01
    std::string token;
    std::string status = "pending";  // pending, processing, valid, invalid
    std::optional<Time> validated;
    nlohmann::json error;  // a problem document when invalid
};

struct Authorization {
    std::string id;
    std::string account;
    std::string order;
    Identifier identifier;
    std::string status = "pending";  // pending, valid, invalid, deactivated, expired, revoked
    Time expires{};
    std::vector<Challenge> challenges;
    nlohmann::json refusal;  // the CA's policy refuses the name: its challenges fail with this
    bool wildcard = false;   // for "*.NAME": the identifier is NAME, and only dns-01 is offered
};

struct Order {
    std::string id;
    std::string account;
    std::string endpoint;
    std::string status = "pending";  // pending, ready, processing, valid, invalid
    Time expires{};
    std::vector<Identifier> identifiers;
    std::vector<std::string> authorizations;  // ids
    nlohmann::json error;
    std::string ca;               // once finalized: the request in the CA's store
    std::int64_t request_id = 0;
    std::string serial;           // once valid
};

// Storage form (not the wire form, which has URLs: acme_wire.hpp).
nlohmann::json to_storage(const Account& a);
nlohmann::json to_storage(const Authorization& a);
nlohmann::json to_storage(const Order& o);
Account account_from_storage(const nlohmann::json& j);
Authorization authorization_from_storage(const nlohmann::json& j);
Order order_from_storage(const nlohmann::json& j);

// An authorization past its expiry (pending or valid) is expired. True when it changed.
bool refresh_authorization(Authorization& a, Time now);
// A pending order becomes ready when every authorization is valid, invalid when one is not
// going to be (invalid, deactivated, expired, revoked) or when the order expires first; a ready
// one expires too. Processing, valid and invalid orders are left alone. True when it changed.
bool refresh_order(Order& o, const std::vector<Authorization>& authorizations, Time now);
// The authorization's status once a challenge of it ended (valid: the authorization is valid;
// invalid: it is invalid, RFC 8555 §7.1.6).
void finish_challenge(Authorization& a, std::size_t challenge, bool valid, Time now, const nlohmann::json& error);

std::string rfc3339(Time t);
// 128 random bits, base64url: ids and tokens.
std::string random_id(std::size_t bytes = 16);

}  // namespace pkilab::acme
