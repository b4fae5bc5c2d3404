#include "ca/config/protocols_config.hpp"

#include "ca/config/lab_config.hpp"

namespace pkilab {

void read_protocols_config(const yaml::Node& node, LabConfig& lab) {
    node.expect_map({"est", "acme", "scep", "cmp"});
    if (auto n = node.get("est")) lab.protocols.est = read_est_config(*n, lab);
    if (auto n = node.get("acme")) lab.protocols.acme = read_acme_config(*n, lab);
    if (auto n = node.get("scep")) lab.protocols.scep = read_scep_config(*n, lab);
    if (auto n = node.get("cmp")) lab.protocols.cmp = read_cmp_config(*n, lab);
}

}  // namespace pkilab
