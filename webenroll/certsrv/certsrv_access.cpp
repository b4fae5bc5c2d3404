#include "webenroll/certsrv/certsrv_access.hpp"

#include <cctype>

namespace pkilab::web::certsrv {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

}  // namespace

std::vector<const CertificateTemplate*> enrollable_templates(const Lab& lab, const std::string& ca, const Caller& caller) {
    std::vector<const CertificateTemplate*> out;
    if (!role_allows(caller.role, Access::Enroll)) return out;
    for (const auto& name : lab.ca(ca).config().templates)
        if (const CertificateTemplate* t = lab.config().find_template(name); t && may_enroll(caller, *t)) out.push_back(t);
    return out;
}

const CertificateTemplate* published_template(const Lab& lab, const std::string& ca, std::string_view name) {
    const CaConfig& config = lab.ca(ca).config();
    for (const auto& published : config.templates)
        if (published == name) return lab.config().find_template(published);
    // Then without case, by pkilab name, then by AD CS name (a template made with base: keeps its
    // base's AD CS name, so that one may be shared). A name two templates answer to names neither.
    for (const bool by_ms_name : {false, true}) {
        const CertificateTemplate* found = nullptr;
        for (const auto& published : config.templates) {
            const CertificateTemplate* t = lab.config().find_template(published);
            if (!t) continue;
            const std::string& candidate = by_ms_name ? t->ms_template_name : t->name;
            if (candidate.empty() || !iequals(candidate, name)) continue;
            if (found) return nullptr;
            found = t;
        }
        if (found) return found;
    }
    return nullptr;
}

bool may_see(const Caller& caller, const RequestRecord& request) {
    if (role_allows(caller.role, Access::Read)) return true;
    return !caller.anonymous() && request.requester.identity == caller.name && request.requester.channel != "cli" &&
           request.requester.channel != "lab";
}

std::optional<RequestRecord> visible_request(const Lab& lab, const std::string& ca, const Caller& caller, std::int64_t id) {
    auto r = lab.store().find_request(ca, id);
    if (!r || !may_see(caller, *r)) return std::nullopt;
    return r;
}

}  // namespace pkilab::web::certsrv
