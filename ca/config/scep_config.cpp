#include "ca/config/scep_config.hpp"

#include "ca/config/lab_config.hpp"

namespace pkilab {

ScepConfig read_scep_config(const yaml::Node& node, const LabConfig&) {
    node.expect_map({"enabled"});
    ScepConfig c;
    c.where = node.where();
    if (auto e = node.get("enabled")) c.enabled = e->boolean();
    return c;
}

}  // namespace pkilab
