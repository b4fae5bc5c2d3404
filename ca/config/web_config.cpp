#include "ca/config/web_config.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>

#include "ca/auth/password_hash.hpp"
#include "ca/bytes.hpp"
#include "ca/text.hpp"

namespace pkilab {

namespace {

using yaml::Node;

constexpr std::array<WebRole, 4> kRoles{WebRole::Enrollee, WebRole::Auditor, WebRole::Officer, WebRole::Admin};
constexpr std::string_view kRoleList = "enrollee, auditor, officer or admin";

// "FILE:LINE:COL" -> "line LINE", for "first defined at" remarks.
std::string line_of(const Node& n) {
    const std::string w = n.where();
    const size_t c2 = w.rfind(':');
    const size_t c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : w.rfind(':', c2 - 1);
    return c1 == std::string::npos ? w : "line " + w.substr(c1 + 1, c2 - c1 - 1);
}

bool is_role_name_ignoring_case(std::string_view name) {
    const std::string lower = ascii_lower(name);
    return std::any_of(kRoles.begin(), kRoles.end(), [&](WebRole r) { return lower == to_string(r); });
}

std::string read_token_sha256(const Node& n) {
    std::string hex = n.str();
    const bool ok = hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) { return hex_digit_value(c) >= 0; });
    if (!ok)
        n.fail("token_sha256 is not 64 hex digits (a SHA-256)",
               "make a token and its token_sha256 with `pkilab web new-token`, or hash yours with `pkilab web hash-token`");
    return ascii_lower(hex);
}

WebUser read_user(const Node& item) {
    item.expect_map({"name", "role", "password_hash", "token_sha256", "client_certificate"});
    WebUser u;
    u.where = item.where();
    const Node name = item.require("name");
    check_web_name(name, "web user");
    u.name = name.str();
    // enroll: [admin] must mean one thing: the role.
    if (is_role_name_ignoring_case(u.name))
        name.fail("'" + u.name + "' is the name of a role",
                  "templates' enroll lists would read it as the role; give the user another name");

    const Node role = item.require("role");
    const auto parsed = parse_web_role(role.str());
    if (!parsed) {
        std::string hint = "use " + std::string(kRoleList);
        std::vector<std::string_view> names;
        for (WebRole r : kRoles) names.push_back(to_string(r));
        const std::string near = yaml::closest_word(role.str(), names);
        if (!near.empty()) hint = "did you mean '" + near + "'? " + hint;
        role.fail("unknown role '" + printable(role.str()) + "'", hint);
    }
    u.role = *parsed;

    if (auto h = item.get("password_hash")) {
        u.password_hash = h->str();
        if (const std::string problem = password_hash_problem(u.password_hash); !problem.empty())
            h->fail("password_hash: " + problem, "make one with `pkilab web hash-password`");
    }
    if (auto t = item.get("token_sha256")) u.token_sha256 = read_token_sha256(*t);
    if (auto c = item.get("client_certificate")) u.client_certificate = c->boolean();
    if (u.password_hash.empty() && u.token_sha256.empty() && !u.client_certificate)
        item.fail("web user '" + u.name + "' has neither password_hash, token_sha256 nor client_certificate, so cannot log in",
                  "add password_hash (make one with `pkilab web hash-password`), token_sha256 "
                  "(`pkilab web new-token` makes a token and its hash) or client_certificate: true");
    return u;
}

void read_users(const Node& n, WebConfig& web) {
    const std::vector<Node> items = n.list();
    if (items.size() > kMaxWebUsers)
        n.fail("web.users lists " + std::to_string(items.size()) + " users; at most " + std::to_string(kMaxWebUsers) +
                   " are allowed",
               "a lab needs a handful of users, one per role to practise with");
    std::map<std::string, Node> names;   // lower case: "Alice" and "alice" would be one login to a person
    std::map<std::string, Node> tokens;  // token_sha256 -> the user's name node
    for (const auto& item : items) {
        WebUser u = read_user(item);
        const Node name = item.require("name");
        if (auto [prev, fresh] = names.emplace(ascii_lower(u.name), name); !fresh)
            name.fail("web user '" + u.name + "' is defined twice (first at " + line_of(prev->second) + ")",
                      "give each user their own name (names differing only in case count as one)");
        if (!u.token_sha256.empty()) {
            if (auto [prev, fresh] = tokens.emplace(u.token_sha256, name); !fresh)
                item.require("token_sha256")
                    .fail("web user '" + u.name + "' has the same token as '" + prev->second.str() + "' (" +
                              line_of(prev->second) + ")",
                          "a token identifies one user: make each its own with `pkilab web new-token`");
        }
        web.users.push_back(std::move(u));
    }
}

std::string list_words(const std::vector<std::string_view>& words, size_t at_most) {
    std::string out;
    for (size_t i = 0; i < words.size() && i < at_most; ++i) out += (i ? ", " : "") + std::string(words[i]);
    if (words.size() > at_most) out += " and " + std::to_string(words.size() - at_most) + " more";
    return out.empty() ? "none" : out;
}

}  // namespace

const char* to_string(WebRole r) {
    switch (r) {
        case WebRole::Enrollee: return "enrollee";
        case WebRole::Auditor: return "auditor";
        case WebRole::Officer: return "officer";
        case WebRole::Admin: return "admin";
    }
    return "enrollee";
}

std::optional<WebRole> parse_web_role(std::string_view name) {
    for (WebRole r : kRoles)
        if (name == to_string(r)) return r;
    return std::nullopt;
}

void check_web_name(const Node& node, std::string_view what) {
    const std::string s = node.str();
    auto ok_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '@' || c == '-';
    };
    if (s.empty() || s.size() > 64 || !std::isalnum(static_cast<unsigned char>(s[0])) ||
        !std::all_of(s.begin(), s.end(), ok_char))
        node.fail("'" + printable(s) + "' is not a valid " + std::string(what) + " name",
                  "use 1 to 64 of A-Z a-z 0-9 . _ @ -, starting with a letter or digit");
}

WebConfig read_web_config(const Node& n, const std::vector<CaConfig>& cas) {
    n.expect_map({"certsrv_ca", "rate_limit_per_minute", "san_from_request_attributes", "users"});
    WebConfig web;
    web.where = n.where();
    if (auto c = n.get("certsrv_ca")) {
        web.certsrv_ca = c->str();
        const bool known = std::any_of(cas.begin(), cas.end(), [&](const CaConfig& ca) { return ca.name == web.certsrv_ca; });
        if (!known) {
            std::vector<std::string_view> names;
            for (const auto& ca : cas) names.push_back(ca.name);
            std::string hint = "defined CAs: " + list_words(names, names.size());
            const std::string near = yaml::closest_word(web.certsrv_ca, names);
            if (!near.empty()) hint = "did you mean '" + near + "'? " + hint;
            c->fail("certsrv_ca '" + printable(web.certsrv_ca) + "' is not a CA of this lab", hint);
        }
    }
    if (auto r = n.get("rate_limit_per_minute"))
        web.rate_limit_per_minute = static_cast<std::uint32_t>(r->integer(0, 1'000'000));
    if (auto s = n.get("san_from_request_attributes")) web.san_from_request_attributes = s->boolean();
    if (auto u = n.get("users")) read_users(*u, web);
    return web;
}

void check_enroll_names(const Node& templates, const WebConfig& web) {
    std::set<std::string_view> users;
    std::set<std::string_view> auditors;
    std::vector<std::string_view> candidates;
    for (WebRole r : kRoles)
        if (r != WebRole::Auditor) candidates.push_back(to_string(r));
    std::vector<std::string_view> user_names;
    for (const auto& u : web.users) {
        if (u.role == WebRole::Auditor) auditors.insert(u.name);
        users.insert(u.name);
        user_names.push_back(u.name);
        candidates.push_back(u.name);
    }
    for (const auto& item : templates.list()) {
        const auto enroll = item.get("enroll");
        if (!enroll) continue;
        const std::string template_name = item.require("name").str();
        for (const auto& entry : enroll->list()) {
            const std::string name = entry.str();
            // Auditors read and change nothing: the web front end refuses their submissions
            // before any template is looked at, so listing one would promise what cannot happen.
            if (name == to_string(WebRole::Auditor) || auditors.count(name) != 0)
                entry.fail("template '" + template_name + "' lets " +
                               (auditors.count(name) ? "auditor '" + name + "'" : std::string("auditors")) +
                               " enroll, but auditors are read-only and may not submit requests",
                           "list enrollee, officer, admin or users of those roles");
            if (parse_web_role(name) || users.count(name) != 0) continue;
            std::string hint = "roles: enrollee, officer, admin; web users: " + list_words(user_names, 10);
            const std::string near = yaml::closest_word(name, candidates);
            if (!near.empty()) hint = "did you mean '" + near + "'? " + hint;
            entry.fail("template '" + template_name + "' lets '" + name + "' enroll, but '" + name +
                           "' is neither a role nor a web user",
                       hint);
        }
    }
}

}  // namespace pkilab
