#include "ca/config/cmp_config.hpp"

#include <algorithm>
#include <set>

#include "ca/config/lab_config.hpp"
#include "ca/config/protocols_config.hpp"
#include "ca/text.hpp"

namespace pkilab {

namespace {

using yaml::Node;

CmpProfile read_profile(const Node& item, const LabConfig& lab, const std::string& section_ca) {
    item.expect_map({"label", "template", "ca"});
    CmpProfile p;
    p.where = item.where();
    const Node label = item.require("label");
    p.label = label.str();
    if (const std::string problem = cmp_label_problem(p.label); !problem.empty()) label.fail(problem);
    const Node tmpl = item.require("template");
    p.template_name = read_lab_template(tmpl, lab);
    if (auto c = item.get("ca")) {
        p.ca = read_lab_ca(*c, lab).name;
        check_publishes(*c, *lab.find_ca(p.ca), p.template_name);
    } else if (!section_ca.empty()) {
        check_publishes(tmpl, *lab.find_ca(section_ca), p.template_name);
    }
    return p;
}

CmpSecret read_secret(const Node& item) {
    item.expect_map({"reference", "secret"});
    CmpSecret s;
    s.where = item.where();
    const Node ref = item.require("reference");
    s.reference = ref.str();
    // The reference travels as the senderKID (an OCTET STRING) and is shown in logs.
    if (s.reference.empty() || s.reference.size() > 128 ||
        !std::all_of(s.reference.begin(), s.reference.end(), [](char c) { return c > ' ' && c < 0x7f; }))
        ref.fail("a CMP reference is 1 to 128 printable ASCII characters without spaces");
    const Node secret = item.require("secret");
    s.secret = secret.str();
    if (s.secret.empty() || s.secret == "env:" || s.secret == "file:") secret.fail("a CMP secret cannot be empty");
    if (s.secret.size() > 1024) secret.fail("a CMP secret has at most 1024 characters");
    return s;
}

}  // namespace

std::string cmp_label_problem(std::string_view label) {
    if (label.empty()) return "a CMP profile label cannot be empty";
    if (label.size() > 64) return "a CMP profile label has at most 64 characters";
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    if (!word(label.front()) ||
        !std::all_of(label.begin(), label.end(), [&](char c) { return word(c) || c == '.' || c == '_' || c == '-'; }))
        return "CMP profile label '" + printable(label) +
               "' is not [A-Za-z0-9][A-Za-z0-9._-]* (it is one segment of a URL path)";
    return {};
}

CmpConfig read_cmp_config(const Node& node, const LabConfig& lab) {
    node.expect_map({"enabled", "ca", "template", "profiles", "secrets"});
    CmpConfig c;
    c.where = node.where();
    if (auto e = node.get("enabled")) c.enabled = e->boolean();
    if (auto n = node.get("ca")) c.ca = read_lab_ca(*n, lab).name;
    if (auto n = node.get("template")) {
        c.template_name = read_lab_template(*n, lab);
        if (!c.ca.empty()) check_publishes(*n, *lab.find_ca(c.ca), c.template_name);
    }
    if (auto n = node.get("profiles")) {
        std::set<std::string> seen;
        for (const Node& item : n->list()) {
            CmpProfile p = read_profile(item, lab, c.ca);
            if (!seen.insert(ascii_lower(p.label)).second)
                item.fail("CMP profile '" + p.label + "' is given twice (labels are compared without case here)");
            c.profiles.push_back(std::move(p));
        }
    }
    if (auto n = node.get("secrets")) {
        std::set<std::string> seen;
        const std::vector<Node> items = n->list();
        if (items.size() > kMaxCmpSecrets) n->fail("at most " + std::to_string(kMaxCmpSecrets) + " CMP secrets");
        for (const Node& item : items) {
            CmpSecret s = read_secret(item);
            if (!seen.insert(s.reference).second) item.fail("CMP reference '" + s.reference + "' is given twice");
            c.secrets.push_back(std::move(s));
        }
    }
    return c;
}

}  // namespace pkilab
