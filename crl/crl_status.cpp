#include "crl/crl_status.hpp"

#include "crl/crl_schedule.hpp"

namespace pkilab::crl {

const char* to_string(CrlConfig::OnRevoke o) {
    switch (o) {
        case CrlConfig::OnRevoke::Base: return "base";
        case CrlConfig::OnRevoke::Delta: return "delta";
        case CrlConfig::OnRevoke::Nothing: return "nothing";
    }
    return "?";
}

nlohmann::json crl_record_json(const CrlRecord& r, Time now) {
    nlohmann::json j{{"kind", pkilab::to_string(r.kind)},
                     {"number", r.number},
                     {"this_update", format_time(r.this_update)},
                     {"next_update", format_time(r.next_update)},
                     {"next_publish", format_time(r.next_publish)},
                     {"entries", r.entries},
                     {"size", r.size},
                     {"sha256", r.sha256},
                     {"published_at", format_time(r.published_at)},
                     {"freshness", to_string(freshness(r, now))}};
    if (r.base_number) j["base_number"] = *r.base_number;
    return j;
}

nlohmann::json attempt_json(const Attempt& a, Time now) {
    nlohmann::json j{{"ca", a.ca}, {"kind", pkilab::to_string(a.kind)}};
    if (a.published) {
        j["crl"] = crl_record_json(a.published->record, now);
        nlohmann::json files = nlohmann::json::array();
        for (const auto& f : a.published->files) files.push_back(f.string());
        j["files"] = files;
    } else {
        j["error"] = a.error;
    }
    return j;
}

nlohmann::json crl_status_json(const Lab& lab, const CertificateAuthority& ca, Time now) {
    const CrlConfig& c = ca.config().crl;
    nlohmann::json j{{"ca", ca.name()},
                     {"period", format_duration(c.period)},
                     {"overlap", format_duration(c.base_overlap())},
                     {"delta_period", format_duration(c.delta_period)},
                     {"publish_on_revoke", to_string(c.publish_on_revoke)}};
    for (CrlKind kind : {CrlKind::Base, CrlKind::Delta}) {
        if (kind == CrlKind::Delta && !c.deltas()) continue;
        const auto latest = lab.store().latest_crl(ca.name(), kind);
        nlohmann::json k = latest ? crl_record_json(*latest, now)
                                  : nlohmann::json{{"kind", pkilab::to_string(kind)}, {"freshness", "missing"}};
        nlohmann::json urls = nlohmann::json::array();
        for (const auto& u : kind == CrlKind::Base ? ca.urls().cdp : ca.urls().freshest_crl) urls.push_back(u);
        k["urls"] = urls;
        k["file"] = canonical_crl_file(lab.state_dir(), ca.name(), kind).string();
        j[pkilab::to_string(kind)] = k;
    }
    return j;
}

}  // namespace pkilab::crl
