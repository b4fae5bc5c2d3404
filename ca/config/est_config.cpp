#include "ca/config/est_config.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "ca/config/lab_config.hpp"
#include "ca/config/protocols_config.hpp"
#include "ca/text.hpp"

namespace pkilab {

namespace {

using yaml::Node;

constexpr std::array<std::string_view, 5> kOperations{"cacerts", "simpleenroll", "simplereenroll", "csrattrs",
                                                      "serverkeygen"};

EstLabel read_label(const Node& item, const LabConfig& lab, const std::string& section_ca) {
    item.expect_map({"label", "template", "ca"});
    EstLabel l;
    l.where = item.where();
    const Node label = item.require("label");
    l.label = label.str();
    if (const std::string problem = est_label_problem(l.label); !problem.empty()) label.fail(problem);
    const Node tmpl = item.require("template");
    l.template_name = read_lab_template(tmpl, lab);
    if (auto c = item.get("ca")) {
        l.ca = read_lab_ca(*c, lab).name;
        check_publishes(*c, *lab.find_ca(l.ca), l.template_name);
    } else if (!section_ca.empty()) {
        check_publishes(tmpl, *lab.find_ca(section_ca), l.template_name);
    }
    return l;
}

}  // namespace

std::string est_label_problem(std::string_view label) {
    if (label.empty()) return "an EST label cannot be empty";
    if (label.size() > 64) return "an EST label has at most 64 characters";
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    if (!word(label.front()) ||
        !std::all_of(label.begin(), label.end(), [&](char c) { return word(c) || c == '.' || c == '_' || c == '-'; }))
        return "EST label '" + printable(label) + "' is not [A-Za-z0-9][A-Za-z0-9._-]* (it is one segment of a URL path)";
    if (std::find(kOperations.begin(), kOperations.end(), label) != kOperations.end())
        return "'" + std::string(label) + "' is an EST operation's name, so it cannot be a label";
    return {};
}

EstConfig read_est_config(const Node& node, const LabConfig& lab) {
    node.expect_map({"enabled", "ca", "template", "labels", "template_labels", "retry_after"});
    EstConfig c;
    c.where = node.where();
    if (auto e = node.get("enabled")) c.enabled = e->boolean();
    if (auto n = node.get("ca")) c.ca = read_lab_ca(*n, lab).name;
    if (auto n = node.get("template")) {
        c.template_name = read_lab_template(*n, lab);
        if (!c.ca.empty()) check_publishes(*n, *lab.find_ca(c.ca), c.template_name);
    }
    if (auto n = node.get("template_labels")) c.template_labels = n->boolean();
    if (auto n = node.get("retry_after")) c.retry_after_seconds = static_cast<std::uint32_t>(n->integer(1, 86400));
    if (auto n = node.get("labels")) {
        std::set<std::string> seen;
        for (const Node& item : n->list()) {
            EstLabel l = read_label(item, lab, c.ca);
            // Paths are matched exactly, but two labels that differ in case only are a trap.
            if (!seen.insert(ascii_lower(l.label)).second)
                item.fail("EST label '" + l.label + "' is given twice (labels are compared without case here)");
            c.labels.push_back(std::move(l));
        }
    }
    return c;
}

}  // namespace pkilab
