#pragma once
// One certificate template as a YAML mapping. The same reader parses the built-in templates
// (YAML text in builtin_templates.cpp) and the templates of a lab file, so both follow the
// same rules. The keys are documented in docs/LAB-FILE.md.
#include <functional>
#include <string_view>

#include "ca/config/yaml_reader.hpp"
#include "ca/template/template.hpp"

namespace pkilab {

// Finds a template that `base:` may name; nullptr when there is none.
using TemplateLookup = std::function<const CertificateTemplate*(std::string_view name)>;

// Parses and checks one template mapping. With `base: NAME` the result starts as a copy of that
// template and every key present overrides it (mappings key by key; lists and `san` whole).
// The key `replace` is accepted but not interpreted here (the lab file uses it). Throws InputError.
CertificateTemplate parse_template(const yaml::Node& node, const TemplateLookup& bases);

// Same, from YAML text holding one template mapping; `filename` is used in error locations.
CertificateTemplate parse_template_text(std::string_view yaml_text, std::string_view filename,
                                        const TemplateLookup& bases);

// Template and CA names: [A-Za-z0-9][A-Za-z0-9._-]{0,63}. Throws InputError at `node`.
void check_identifier(const yaml::Node& node, std::string_view what);

}  // namespace pkilab
