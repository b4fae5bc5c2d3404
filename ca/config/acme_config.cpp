#include "ca/config/acme_config.hpp"

#include "ca/config/lab_config.hpp"

namespace pkilab {

AcmeConfig read_acme_config(const yaml::Node& node, const LabConfig&) {
    node.expect_map({"enabled"});
    AcmeConfig c;
    c.where = node.where();
    if (auto e = node.get("enabled")) c.enabled = e->boolean();
    return c;
}

}  // namespace pkilab
