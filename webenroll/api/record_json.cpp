#include "webenroll/api/record_json.hpp"

#include "ca/finding_json.hpp"

namespace pkilab::web {

std::string effective_status(const CertificateRecord& c, Time now) {
    if (c.status == CertStatus::Valid && c.not_after < now) return "expired";
    return to_string(c.status);
}

nlohmann::json to_json(const CertificateRecord& c, Time now) {
    nlohmann::json j{{"ca", c.ca},
                     {"serial", c.serial},
                     {"request_id", c.request_id},
                     {"subject", c.subject},
                     {"sans", c.sans},
                     {"template", c.template_name},
                     {"not_before", format_time(c.not_before)},
                     {"not_after", format_time(c.not_after)},
                     {"issued_at", format_time(c.issued_at)},
                     {"status", effective_status(c, now)}};
    if (c.revocation) {
        j["revocation"] = {{"reason", to_string(c.revocation->reason)},
                           {"reason_code", static_cast<int>(c.revocation->reason)},
                           {"revoked_at", format_time(c.revocation->revoked_at)}};
        if (c.revocation->invalidity_date)
            j["revocation"]["invalidity_date"] = format_time(*c.revocation->invalidity_date);
    }
    return j;
}

nlohmann::json to_json(const RequestRecord& r) {
    nlohmann::json j{{"ca", r.ca},
                     {"request_id", r.id},
                     {"state", to_string(r.state)},
                     {"disposition", r.disposition},
                     {"template", r.template_name},
                     {"template_version", r.template_version},
                     {"requester", {{"identity", r.requester.identity}, {"role", r.requester.role}, {"channel", r.requester.channel}}},
                     {"subject", r.subject},
                     {"submitted_at", format_time(r.submitted_at)},
                     {"findings", nlohmann::json::parse(r.findings_json.empty() ? "[]" : r.findings_json)}};
    if (r.resolved_at) j["resolved_at"] = format_time(*r.resolved_at);
    if (!r.serial.empty()) j["serial"] = r.serial;
    return j;
}

nlohmann::json to_json(const IssuanceOutcome& o) {
    nlohmann::json j{{"ca", o.ca},
                     {"request_id", o.request_id},
                     {"state", to_string(o.state)},
                     {"disposition", o.disposition},
                     {"findings", o.findings}};
    if (o.certificate) j["serial"] = o.certificate->serial;
    return j;
}

nlohmann::json to_json(const CertificateInfo& i) {
    nlohmann::json sans = nlohmann::json::array();
    for (const auto& n : i.sans) sans.push_back(to_string(n));
    nlohmann::json exts = nlohmann::json::array();
    for (const auto& e : i.extensions) exts.push_back({{"oid", e.oid}, {"name", e.name}, {"critical", e.critical}});
    nlohmann::json j{{"serial", i.serial},
                     {"subject", i.subject},
                     {"issuer", i.issuer},
                     {"not_before", format_time(i.not_before)},
                     {"not_after", format_time(i.not_after)},
                     {"sans", sans},
                     {"key", i.key.description},
                     {"signature_algorithm", i.signature_algorithm},
                     {"key_usage", i.key_usage},
                     {"extended_key_usage", i.extended_key_usage},
                     {"crl_urls", i.crl_urls},
                     {"ca_issuer_urls", i.ca_issuer_urls},
                     {"ocsp_urls", i.ocsp_urls},
                     {"subject_key_id", i.subject_key_id},
                     {"authority_key_id", i.authority_key_id},
                     {"sha256_fingerprint", i.sha256_fingerprint},
                     {"extensions", exts}};
    if (i.is_ca) j["ca"] = *i.is_ca;
    if (i.path_length) j["path_length"] = *i.path_length;
    if (!i.ms_template.empty()) j["microsoft_template"] = i.ms_template;
    return j;
}

nlohmann::json to_json(const AuditEvent& e) {
    nlohmann::json j{{"id", e.id},         {"at", format_time(e.at)}, {"actor", e.actor},   {"action", e.action},
                     {"ca", e.ca},         {"serial", e.serial},      {"outcome", e.outcome}, {"detail", e.detail}};
    if (e.request_id) j["request_id"] = *e.request_id;
    return j;
}

}  // namespace pkilab::web
