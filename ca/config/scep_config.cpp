#include "ca/config/scep_config.hpp"

#include <algorithm>

#include "ca/auth/password_hash.hpp"
#include "ca/config/lab_config.hpp"
#include "ca/config/protocols_config.hpp"

namespace pkilab {

namespace {

bool valid_endpoint_name(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!lower_alnum(name.front())) return false;
    return std::all_of(name.begin(), name.end(), [&](char c) { return lower_alnum(c) || c == '.' || c == '_' || c == '-'; });
}

ScepEndpointConfig read_endpoint(const yaml::Node& node, const LabConfig& lab) {
    node.expect_map({"name", "template", "ca", "challenge_hash"});
    ScepEndpointConfig e;
    const yaml::Node name = node.require("name");
    e.name = name.str();
    if (!valid_endpoint_name(e.name))
        name.fail("not a SCEP endpoint name", "lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64");
    if (auto t = node.get("template")) e.template_name = read_lab_template(*t, lab);
    if (auto c = node.get("ca")) {
        const CaConfig& ca = read_lab_ca(*c, lab);
        e.ca = ca.name;
        check_publishes(*c, ca, e.template_name);
    }
    if (auto h = node.get("challenge_hash")) {
        e.challenge_hash = h->str();
        if (const std::string problem = password_hash_problem(e.challenge_hash); !problem.empty())
            h->fail(problem, "make one with `pkilab web hash-password`");
    }
    return e;
}

}  // namespace

ScepConfig read_scep_config(const yaml::Node& node, const LabConfig& lab) {
    node.expect_map({"enabled", "challenge_lifetime", "endpoints"});
    ScepConfig c;
    c.where = node.where();
    if (auto e = node.get("enabled")) c.enabled = e->boolean();
    if (auto l = node.get("challenge_lifetime")) {
        c.challenge_lifetime = yaml::at(*l, [&] { return parse_duration(l->str(), "challenge_lifetime"); });
        if (c.challenge_lifetime < std::chrono::minutes{1} || c.challenge_lifetime > std::chrono::hours{24 * 30})
            l->fail("challenge_lifetime must be between 1m and 30d");
    }
    if (auto list = node.get("endpoints")) {
        const auto items = list->list();
        if (items.empty()) list->fail("no endpoints", "leave endpoints out for the default one");
        if (items.size() > kMaxScepEndpoints) list->fail("more than " + std::to_string(kMaxScepEndpoints) + " endpoints");
        c.endpoints.clear();
        for (const auto& item : items) {
            ScepEndpointConfig e = read_endpoint(item, lab);
            for (const auto& have : c.endpoints)
                if (have.name == e.name) item.fail("a second endpoint named " + e.name);
            c.endpoints.push_back(std::move(e));
        }
    }
    return c;
}

}  // namespace pkilab
