#pragma once
// What one certsrv caller may use and see: the templates of the certsrv CA it may enroll for,
// the template a request names, and the requests that are its own.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ca/authority/lab.hpp"
#include "webenroll/auth/caller.hpp"

namespace pkilab::web::certsrv {

// The templates `ca` publishes that the caller may submit for: its role may submit at all
// (Access::Enroll) and the template's enroll list names it (may_enroll).
std::vector<const CertificateTemplate*> enrollable_templates(const Lab& lab, const std::string& ca, const Caller& caller);

// The template called `name` that `ca` publishes: by pkilab name, else case-insensitively by
// pkilab name or AD CS template name (AD CS compares template names without case). Null when
// the CA publishes none of that name, which AD CS answers with 0x80094800.
const CertificateTemplate* published_template(const Lab& lab, const std::string& ca, std::string_view name);

// Read roles see every request; an enrollee only those it sent from a web front end under its
// own name (a CLI user of the same name is someone else).
bool may_see(const Caller& caller, const RequestRecord& request);
// Request `id` of `ca` when it exists and the caller may see it; nullopt alike for both
// refusals, so that an enrollee learns nothing of others' requests.
std::optional<RequestRecord> visible_request(const Lab& lab, const std::string& ca, const Caller& caller, std::int64_t id);

}  // namespace pkilab::web::certsrv
