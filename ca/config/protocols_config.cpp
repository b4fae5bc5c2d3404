#include "ca/config/protocols_config.hpp"

#include <algorithm>

#include "ca/config/lab_config.hpp"
#include "ca/text.hpp"

namespace pkilab {

const CaConfig& read_lab_ca(const yaml::Node& n, const LabConfig& lab) {
    const std::string name = n.str();
    if (const CaConfig* ca = lab.find_ca(name)) return *ca;
    std::vector<std::string_view> names;
    for (const auto& c : lab.cas) names.push_back(c.name);
    const std::string near = yaml::closest_word(name, names);
    n.fail("names no CA of the lab: '" + printable(name) + "'", near.empty() ? "" : "did you mean '" + near + "'?");
}

std::string read_lab_template(const yaml::Node& n, const LabConfig& lab) {
    const std::string name = n.str();
    if (lab.find_template(name)) return name;
    std::vector<std::string_view> names;
    for (const auto& t : lab.templates) names.push_back(t.name);
    const std::string near = yaml::closest_word(name, names);
    n.fail("names no template of the lab: '" + printable(name) + "'", near.empty() ? "" : "did you mean '" + near + "'?");
}

void check_publishes(const yaml::Node& at, const CaConfig& ca, const std::string& template_name) {
    if (std::find(ca.templates.begin(), ca.templates.end(), template_name) == ca.templates.end())
        at.fail("CA " + ca.name + " does not publish template " + template_name,
                "add " + template_name + " to the templates of " + ca.name + ", or name a CA that publishes it");
}

void read_protocols_config(const yaml::Node& node, LabConfig& lab) {
    node.expect_map({"est", "acme", "scep", "cmp"});
    if (auto n = node.get("est")) lab.protocols.est = read_est_config(*n, lab);
    if (auto n = node.get("acme")) lab.protocols.acme = read_acme_config(*n, lab);
    if (auto n = node.get("scep")) lab.protocols.scep = read_scep_config(*n, lab);
    if (auto n = node.get("cmp")) lab.protocols.cmp = read_cmp_config(*n, lab);
}

}  // namespace pkilab
