#include "ca/config/est_config.hpp"

#include "ca/config/lab_config.hpp"

namespace pkilab {

EstConfig read_est_config(const yaml::Node& node, const LabConfig&) {
    node.expect_map({"enabled"});
    EstConfig c;
    c.where = node.where();
    if (auto e = node.get("enabled")) c.enabled = e->boolean();
    return c;
}

}  // namespace pkilab
