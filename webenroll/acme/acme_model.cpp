#include "webenroll/acme/acme_model.hpp"

#include <openssl/rand.h>

#include <ctime>
#include <stdexcept>

#include "webenroll/acme/acme_base64url.hpp"
#include "webenroll/acme/acme_problem.hpp"

namespace pkilab::acme {

namespace {

std::int64_t secs(Time t) { return t.time_since_epoch().count(); }
Time from_secs(const nlohmann::json& j) { return Time{Duration{j.get<std::int64_t>()}}; }

nlohmann::json identifiers_json(const std::vector<Identifier>& ids) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& i : ids) out.push_back({{"type", i.type}, {"value", i.value}});
    return out;
}

Identifier identifier_from(const nlohmann::json& j) { return {j.at("type").get<std::string>(), j.at("value").get<std::string>()}; }

}  // namespace

nlohmann::json to_storage(const Account& a) {
    return {{"id", a.id}, {"endpoint", a.endpoint}, {"status", a.status}, {"jwk", a.jwk}, {"thumbprint", a.thumbprint},
            {"contact", a.contact}, {"terms_agreed", a.terms_agreed}, {"created", secs(a.created)}, {"eab_kid", a.eab_kid}};
}

Account account_from_storage(const nlohmann::json& j) {
    Account a;
    a.id = j.at("id").get<std::string>();
    a.endpoint = j.at("endpoint").get<std::string>();
    a.status = j.at("status").get<std::string>();
    a.jwk = j.at("jwk");
    a.thumbprint = j.at("thumbprint").get<std::string>();
    a.contact = j.at("contact").get<std::vector<std::string>>();
    a.terms_agreed = j.at("terms_agreed").get<bool>();
    a.created = from_secs(j.at("created"));
    a.eab_kid = j.value("eab_kid", "");
    return a;
}

nlohmann::json to_storage(const Authorization& a) {
    nlohmann::json challenges = nlohmann::json::array();
    for (const auto& c : a.challenges) {
        nlohmann::json cj{{"type", c.type}, {"token", c.token}, {"status", c.status}, {"error", c.error}};
        if (c.validated) cj["validated"] = secs(*c.validated);
        challenges.push_back(std::move(cj));
    }
    return {{"id", a.id}, {"account", a.account}, {"order", a.order}, {"identifier", {{"type", a.identifier.type}, {"value", a.identifier.value}}},
            {"status", a.status}, {"expires", secs(a.expires)}, {"challenges", std::move(challenges)}, {"refusal", a.refusal}, {"wildcard", a.wildcard}};
}

Authorization authorization_from_storage(const nlohmann::json& j) {
    Authorization a;
    a.id = j.at("id").get<std::string>();
    a.account = j.at("account").get<std::string>();
    a.order = j.at("order").get<std::string>();
    a.identifier = identifier_from(j.at("identifier"));
    a.status = j.at("status").get<std::string>();
    a.expires = from_secs(j.at("expires"));
    for (const auto& cj : j.at("challenges")) {
        Challenge c;
        c.type = cj.at("type").get<std::string>();
        c.token = cj.at("token").get<std::string>();
        c.status = cj.at("status").get<std::string>();
        c.error = cj.value("error", nlohmann::json());
        if (cj.contains("validated")) c.validated = from_secs(cj.at("validated"));
        a.challenges.push_back(std::move(c));
    }
    a.refusal = j.value("refusal", nlohmann::json());
    a.wildcard = j.value("wildcard", false);
    return a;
}

nlohmann::json to_storage(const Order& o) {
    return {{"id", o.id}, {"account", o.account}, {"endpoint", o.endpoint}, {"status", o.status}, {"expires", secs(o.expires)},
            {"identifiers", identifiers_json(o.identifiers)}, {"authorizations", o.authorizations}, {"error", o.error},
            {"ca", o.ca}, {"request_id", o.request_id}, {"serial", o.serial}};
}

Order order_from_storage(const nlohmann::json& j) {
    Order o;
    o.id = j.at("id").get<std::string>();
    o.account = j.at("account").get<std::string>();
    o.endpoint = j.at("endpoint").get<std::string>();
    o.status = j.at("status").get<std::string>();
    o.expires = from_secs(j.at("expires"));
    for (const auto& i : j.at("identifiers")) o.identifiers.push_back(identifier_from(i));
    o.authorizations = j.at("authorizations").get<std::vector<std::string>>();
    o.error = j.value("error", nlohmann::json());
    o.ca = j.at("ca").get<std::string>();
    o.request_id = j.at("request_id").get<std::int64_t>();
    o.serial = j.at("serial").get<std::string>();
    return o;
}

bool refresh_authorization(Authorization& a, Time now) {
    if ((a.status == "pending" || a.status == "valid") && now >= a.expires) {
        a.status = "expired";
        return true;
    }
    return false;
}

bool refresh_order(Order& o, const std::vector<Authorization>& authorizations, Time now) {
    if (o.status != "pending" && o.status != "ready") return false;
    if (now >= o.expires) {
        o.status = "invalid";
        o.error = problem_json("malformed", "the order expired on " + rfc3339(o.expires) + " (lab clock) before it was finalized", 400);
        return true;
    }
    if (o.status == "ready") return false;
    bool all_valid = !authorizations.empty();
    for (const auto& a : authorizations) {
        if (a.status == "valid") continue;
        all_valid = false;
        if (a.status != "pending") {
            o.status = "invalid";
            o.error = problem_json("unauthorized", "the authorization for " + a.identifier.value + " is " + a.status, 403);
            return true;
        }
    }
    if (all_valid) {
        o.status = "ready";
        return true;
    }
    return false;
}

void finish_challenge(Authorization& a, std::size_t challenge, bool valid, Time now, const nlohmann::json& error) {
    Challenge& c = a.challenges.at(challenge);
    c.status = valid ? "valid" : "invalid";
    if (valid) c.validated = now;
    else c.error = error;
    if (a.status == "pending") a.status = valid ? "valid" : "invalid";
}

std::string rfc3339(Time t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(std::chrono::system_clock::time_point(t));
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string random_id(std::size_t bytes) {
    Bytes raw(bytes);
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) throw std::runtime_error("RAND_bytes failed");
    return b64url_encode(raw);
}

}  // namespace pkilab::acme
