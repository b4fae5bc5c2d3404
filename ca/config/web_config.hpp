#pragma once
// The lab file's `web:` section (who may use `pkilab serve`'s pages and API), and the check
// that ties the templates' `enroll:` lists to its users. lab_config.cpp calls these; the keys
// are documented in docs/LAB-FILE.md.
#include <cstddef>
#include <string_view>
#include <vector>

#include "ca/config/lab_config.hpp"
#include "ca/config/yaml_reader.hpp"

namespace pkilab {

inline constexpr size_t kMaxWebUsers = 1000;

// Web user names, and the names in a template's `enroll:`: [A-Za-z0-9][A-Za-z0-9._@-]{0,63}
// (room for "alice@lab.test"). Throws InputError at `node`.
void check_web_name(const yaml::Node& node, std::string_view what);

// Reads `web:`; certsrv_ca must name one of `cas`.
WebConfig read_web_config(const yaml::Node& node, const std::vector<CaConfig>& cas);

// Each name in an `enroll:` of `templates` (the lab file's list) is a role or a user of `web`.
// Throws InputError at the first that is neither.
void check_enroll_names(const yaml::Node& templates, const WebConfig& web);

}  // namespace pkilab
