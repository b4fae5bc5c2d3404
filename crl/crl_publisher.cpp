#include "crl/crl_publisher.hpp"

#include <openssl/evp.h>

#include "ca/errors.hpp"
#include "ca/file_lock.hpp"
#include "ca/ossl/error.hpp"
#include "ca/pipeline/plugin_events.hpp"
#include "crl/crl_builder.hpp"
#include "crl/crl_check.hpp"
#include "crl/crl_schedule.hpp"
#include "crl/publication.hpp"

namespace pkilab::crl {

namespace fs = std::filesystem;

namespace {

std::string sha256_hex(ByteView data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    ossl::check(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr), "SHA-256");
    return to_hex(ByteView(md, len));
}

std::string describe(const CrlRecord& r) {
    return std::string(to_string(r.kind)) + " CRL " + std::to_string(r.number) + " (" + std::to_string(r.entries) +
           (r.entries == 1 ? " entry" : " entries") + ", next update " + format_time(r.next_update) + ")";
}

// Every file a CRL goes to: the lab's own copy, its http:// locations, and the CA's extra folders.
std::vector<fs::path> destinations(const Lab& lab, const CertificateAuthority& ca, CrlKind kind) {
    std::vector<fs::path> out{canonical_crl_file(lab.state_dir(), ca.name(), kind)};
    const auto locations = locations_of(lab, ca.name(), kind == CrlKind::Delta ? Artifact::DeltaCrl : Artifact::BaseCrl);
    for (const auto& loc : locations) out.push_back(loc.file);
    // In extra folders the file keeps the name of its first URL (AD CS's file:// publishing),
    // else CaName.crl / CaName+.crl.
    const std::string name = !locations.empty() ? locations.front().file.filename().string()
                                                : ca.name() + (kind == CrlKind::Delta ? "+" : "") + ".crl";
    for (const auto& dir : ca.config().crl.publish_dirs) {
        const fs::path folder = fs::path(dir).is_absolute() ? fs::path(dir) : lab.state_dir() / dir;
        out.push_back(folder / name);
    }
    return out;
}

AuditEvent publish_event(const CertificateAuthority& ca, const std::string& actor, Time at, std::string outcome,
                         std::string detail) {
    AuditEvent e;
    e.at = at;
    e.actor = actor;
    e.action = "crl-publish";
    e.ca = ca.name();
    e.outcome = std::move(outcome);
    e.detail = std::move(detail);
    return e;
}

}  // namespace

fs::path canonical_crl_file(const fs::path& state_dir, const std::string& ca, CrlKind kind) {
    return state_dir / "crl" / ca / (kind == CrlKind::Delta ? "delta.crl" : "base.crl");
}

Published publish_crl(const Lab& lab, const CertificateAuthority& ca, CrlKind kind, const std::string& actor,
                      const std::string& why) {
    const CrlConfig& config = ca.config().crl;
    Store& store = lab.store();
    if (kind == CrlKind::Delta && !config.deltas())
        throw InputError("CA " + ca.name(), "crl.delta_period", "CA " + ca.name() + " publishes no delta CRLs",
                         "set crl.delta_period (e.g. 1d) in the lab file, or publish the base CRL");
    std::optional<CrlRecord> base = store.latest_crl(ca.name(), CrlKind::Base);
    if (kind == CrlKind::Delta && !base) base = publish_crl(lab, ca, CrlKind::Base, actor, why).record;

    // One publisher at a time per CA, across processes (`pkilab serve` and a `pkilab revoke`):
    // otherwise the slower of two could replace a newer CRL with an older one.
    const fs::path lock_file = canonical_crl_file(lab.state_dir(), ca.name(), kind).parent_path() / "lock";
    std::error_code ec;
    fs::create_directories(lock_file.parent_path(), ec);
    const FileLock lock(lock_file);
    // What another publisher recorded while this one waited.
    if (kind == CrlKind::Delta) base = store.latest_crl(ca.name(), CrlKind::Base);

    const Time now = lab.clock().now();
    const CrlTimes times = crl_times(config, kind, now);
    CrlHeader header;
    header.kind = kind;
    header.number = store.next_crl_number(ca.name());
    if (kind == CrlKind::Delta) header.base_number = base->number;
    header.this_update = times.this_update;
    header.next_update = times.next_update;
    if (config.next_publish_extension) header.next_publish = times.next_publish;
    if (kind == CrlKind::Base) header.freshest_crl = ca.urls().freshest_crl;
    // The delta's IDP must equal its base's (RFC 5280 5.2.4 same scope; OpenSSL compares them
    // byte for byte), so both name the base CRL's locations.
    if (config.issuing_distribution_point) header.distribution_point = ca.urls().cdp;

    RevokedListWriter entries(parse_hold_instruction(config.hold_instruction));
    // AD CS leaves a certificate off once it has expired; keep_expired keeps it.
    const Time expired_before = config.keep_expired ? Time{} : times.this_update;
    const RevocationScan scan =
        store.scan_revocations(ca.name(), kind == CrlKind::Delta ? std::optional(base->status_seq) : std::nullopt,
                               expired_before,
                               [&](const RevokedRow& row) {
                                   // A release has no revocation time left; the delta lists it as of now.
                                   const Time when = row.reason == RevocationReason::RemoveFromCrl ? times.this_update
                                                                                                    : row.revoked_at;
                                   entries.add(row.serial, row.reason, when, row.invalidity_date);
                               });
    const std::uint64_t count = entries.count();

    Bytes der;
    Published out;
    try {
        der = build_crl(ca, header, std::move(entries));
        verify_crl_against_ca(ca, der, header);
        out.files = destinations(lab, ca, kind);
        publish_everywhere(out.files, der);
    } catch (const std::exception& e) {
        store.append_audit(publish_event(ca, actor, now, "failed",
                                         std::string(to_string(kind)) + " CRL " + std::to_string(header.number) +
                                             " not published, the previous one stays: " + e.what()));
        throw;
    }
    CrlRecord& r = out.record;
    r.ca = ca.name();
    r.number = header.number;
    r.kind = kind;
    r.base_number = header.base_number;
    r.this_update = times.this_update;
    r.next_update = times.next_update;
    r.next_publish = times.next_publish;
    r.entries = count;
    r.status_seq = scan.status_seq;
    r.size = der.size();
    r.sha256 = sha256_hex(der);
    r.published_at = now;
    store.record_crl(r, publish_event(ca, actor, now, "ok", describe(r) + ", " + why));
    notify_plugins(lab.context().policies,
                   {PKILAB_EVENT_CRL_PUBLISHED, ca.name(), 0, "", describe(r), now});
    return out;
}

std::vector<Attempt> publish_due(const Lab& lab, const std::string& actor) {
    std::vector<Attempt> out;
    for (const auto& ca : lab.cas()) {
        const Time now = lab.clock().now();
        auto attempt = [&](CrlKind kind) {
            Attempt a{ca.name(), kind, std::nullopt, {}};
            try {
                a.published = publish_crl(lab, ca, kind, actor, "scheduled");
            } catch (const std::exception& e) {
                a.error = e.what();
            }
            out.push_back(std::move(a));
            return out.back().published.has_value();
        };
        const auto base = lab.store().latest_crl(ca.name(), CrlKind::Base);
        if (is_due(base, base, CrlKind::Base, now) && !attempt(CrlKind::Base)) continue;
        if (!ca.config().crl.deltas()) continue;
        const auto latest_base = lab.store().latest_crl(ca.name(), CrlKind::Base);
        if (is_due(lab.store().latest_crl(ca.name(), CrlKind::Delta), latest_base, CrlKind::Delta, now))
            attempt(CrlKind::Delta);
    }
    return out;
}

std::vector<Attempt> publish_after_status_change(const Lab& lab, const std::string& ca_name, const std::string& actor) {
    const CertificateAuthority& ca = lab.ca(ca_name);
    const CrlConfig& config = ca.config().crl;
    std::vector<CrlKind> kinds;
    switch (config.publish_on_revoke) {
        case CrlConfig::OnRevoke::Base:
            kinds.push_back(CrlKind::Base);
            if (config.deltas()) kinds.push_back(CrlKind::Delta);
            break;
        case CrlConfig::OnRevoke::Delta: kinds.push_back(CrlKind::Delta); break;
        case CrlConfig::OnRevoke::Nothing: break;
    }
    std::vector<Attempt> out;
    for (const CrlKind kind : kinds) {
        Attempt a{ca.name(), kind, std::nullopt, {}};
        try {
            a.published = publish_crl(lab, ca, kind, actor, "after a status change");
        } catch (const std::exception& e) {
            a.error = e.what();
        }
        const bool failed = !a.published;
        out.push_back(std::move(a));
        if (failed) break;  // a delta of the old base would say less than the base we failed to make
    }
    return out;
}

}  // namespace pkilab::crl
