#include "ca/config/cmp_config.hpp"

#include "ca/config/lab_config.hpp"

namespace pkilab {

CmpConfig read_cmp_config(const yaml::Node& node, const LabConfig&) {
    node.expect_map({"enabled"});
    CmpConfig c;
    c.where = node.where();
    if (auto e = node.get("enabled")) c.enabled = e->boolean();
    return c;
}

}  // namespace pkilab
