// pkilab crl publish | status | show
#include <iostream>
#include <sstream>

#include "ca/x509/certificate_info.hpp"
#include "ca/x509/pem.hpp"
#include "crl/crl_publisher.hpp"
#include "crl/crl_schedule.hpp"
#include "crl/crl_status.hpp"
#include "crl/publication.hpp"
#include "lab/cli/cli.hpp"

namespace pkilab::cli {

namespace {

std::vector<const CertificateAuthority*> selected_cas(Lab& lab, const std::string& name) {
    std::vector<const CertificateAuthority*> out;
    if (!name.empty()) out.push_back(&lab.ca(name));
    else
        for (const auto& ca : lab.cas()) out.push_back(&ca);
    return out;
}

std::string human_line(const CrlRecord& r, Time now) {
    std::ostringstream o;
    o << to_string(r.kind) << " CRL " << r.number;
    if (r.base_number) o << " (delta of " << *r.base_number << ")";
    o << ": " << r.entries << (r.entries == 1 ? " entry" : " entries") << ", thisUpdate " << format_time(r.this_update)
      << ", nextUpdate " << format_time(r.next_update) << ", " << crl::to_string(crl::freshness(r, now));
    return o.str();
}

void report_publication(Cli& cli, const std::vector<crl::Attempt>& attempts, nlohmann::json& out, std::ostringstream& human) {
    const Time now = cli.lab().clock().now();
    for (const auto& a : attempts) {
        if (a.published) {
            human << "CA " << a.ca << ": published " << human_line(a.published->record, now) << "\n";
            for (const auto& f : a.published->files) human << "    " << f.string() << "\n";
        } else {
            std::cerr << "pkilab: CA " << a.ca << ": the " << to_string(a.kind) << " CRL was NOT published: " << a.error << "\n";
            cli.exit_code = kExitInternal;
        }
        out.push_back(crl::attempt_json(a, now));
    }
}

void publish_command(Cli& cli, const std::string& ca_name, bool delta) {
    Lab& lab = cli.lab();
    std::vector<crl::Attempt> attempts;
    for (const auto* ca : selected_cas(lab, ca_name)) {
        if (delta && !ca->config().crl.deltas()) {
            if (!ca_name.empty()) crl::publish_crl(lab, *ca, CrlKind::Delta, cli.requester().identity, "on demand");
            continue;  // --delta for all CAs: those without deltas have nothing to publish
        }
        crl::Attempt a{ca->name(), delta ? CrlKind::Delta : CrlKind::Base, std::nullopt, {}};
        try {
            a.published = crl::publish_crl(lab, *ca, a.kind, cli.requester().identity, "on demand");
        } catch (const InputError&) {
            throw;
        } catch (const std::exception& e) {
            a.error = e.what();
        }
        attempts.push_back(std::move(a));
    }
    crl::write_ca_certificates(lab);
    nlohmann::json out = nlohmann::json::array();
    std::ostringstream human;
    report_publication(cli, attempts, out, human);
    cli.emit(out, human.str());
}

void status_command(Cli& cli, const std::string& ca_name) {
    Lab& lab = cli.lab();
    const Time now = lab.clock().now();
    nlohmann::json out = nlohmann::json::array();
    std::ostringstream human;
    human << "Lab clock: " << format_time(now) << "\n";
    for (const auto* ca : selected_cas(lab, ca_name)) {
        const CrlConfig& c = ca->config().crl;
        human << "CA " << ca->name() << " (period " << format_duration(c.period) << " + overlap "
              << format_duration(c.base_overlap());
        if (c.deltas()) human << ", delta period " << format_duration(c.delta_period) << " + overlap " << format_duration(c.delta_overlap_or_default());
        human << ", on revoke: " << crl::to_string(c.publish_on_revoke) << ")\n";
        for (CrlKind kind : {CrlKind::Base, CrlKind::Delta}) {
            if (kind == CrlKind::Delta && !c.deltas()) continue;
            const auto latest = lab.store().latest_crl(ca->name(), kind);
            human << "  " << (latest ? human_line(*latest, now) : std::string(to_string(kind)) + " CRL: never published")
                  << "\n";
            for (const auto& u : kind == CrlKind::Base ? ca->urls().cdp : ca->urls().freshest_crl) human << "    at " << u << "\n";
        }
        out.push_back(crl::crl_status_json(lab, *ca, now));
    }
    cli.emit(out, human.str());
}

std::string reason_of(const X509_REVOKED* r) {
    int crit = 0;
    ossl::Asn1StringPtr reason(static_cast<ASN1_ENUMERATED*>(
        X509_REVOKED_get_ext_d2i(r, NID_crl_reason, &crit, nullptr)));
    if (!reason) return "unspecified";
    const long code = ASN1_ENUMERATED_get(reason.get());
    return code >= 0 && code <= 10 && code != 7 ? to_string(static_cast<RevocationReason>(code)) : std::to_string(code);
}

void show_command(Cli& cli, const std::string& ca_name, bool delta, const std::string& out_file, bool pem,
                  std::size_t limit) {
    Lab& lab = cli.lab();
    const CertificateAuthority& ca = ca_name.empty() ? lab.cas().back() : lab.ca(ca_name);
    const CrlKind kind = delta ? CrlKind::Delta : CrlKind::Base;
    const auto file = crl::canonical_crl_file(lab.state_dir(), ca.name(), kind);
    if (!std::filesystem::exists(file))
        throw NotFoundError("CA " + ca.name() + " has published no " + to_string(kind) + " CRL yet (run `pkilab crl publish" +
                            (delta ? " --delta" : "") + " --ca " + ca.name() + "`)");
    const Bytes der = read_file(file, 1024 * 1024 * 1024);
    if (!out_file.empty()) {
        write_output_file(out_file, pem ? pem_encode("X509 CRL", der) : std::string(as_chars(der)));
        return;
    }
    const unsigned char* p = der.data();
    ossl::X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
    if (!crl) throw InternalError("the published CRL " + file.string() + " does not parse");
    const auto record = lab.store().latest_crl(ca.name(), kind);
    nlohmann::json j{{"ca", ca.name()}, {"file", file.string()}};
    std::ostringstream human;
    if (record) {
        j["crl"] = crl::crl_record_json(*record, lab.clock().now());
        human << "CA " << ca.name() << ": " << human_line(*record, lab.clock().now()) << "\n";
    }
    human << "File: " << file.string() << "\n";
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
    const int n = revoked != nullptr ? sk_X509_REVOKED_num(revoked) : 0;
    nlohmann::json entries = nlohmann::json::array();
    for (int i = 0; i < n && static_cast<std::size_t>(i) < limit; ++i) {
        const X509_REVOKED* r = sk_X509_REVOKED_value(revoked, i);
        const std::string serial = serial_to_hex(X509_REVOKED_get0_serialNumber(r));
        struct tm tm {};
        ASN1_TIME_to_tm(X509_REVOKED_get0_revocationDate(r), &tm);
        const std::string when = format_time(Time{std::chrono::seconds{timegm(&tm)}});
        const std::string reason = reason_of(r);
        entries.push_back({{"serial", serial}, {"revoked_at", when}, {"reason", reason}});
        human << "  " << serial << "  " << when << "  " << reason << "\n";
    }
    if (static_cast<std::size_t>(n) > limit) human << "  ... and " << (static_cast<std::size_t>(n) - limit) << " more (--limit)\n";
    j["entries"] = entries;
    cli.emit(j, human.str());
}

}  // namespace

void publish_after_change(Cli& cli, const std::string& ca) {
    for (const auto& a : crl::publish_after_status_change(cli.lab(), ca, cli.requester().identity))
        if (!a.published)
            std::cerr << "pkilab: WARNING: the status change is recorded, but the " << to_string(a.kind) << " CRL of CA "
                      << a.ca << " was not published: " << a.error << "\n";
}

void add_crl_commands(CLI::App& app, Cli& cli) {
    auto* crl = app.add_subcommand("crl", "Publish and inspect CRLs");
    crl->require_subcommand(1);

    struct Args { std::string ca, out; bool delta = false, pem = false; std::size_t limit = 100; };
    auto a = std::make_shared<Args>();
    auto* publish = crl->add_subcommand("publish", "Publish a new base CRL (or delta CRL) now");
    publish->add_option("--ca", a->ca, "Only this CA (default: every CA)");
    publish->add_flag("--delta", a->delta, "Publish a delta CRL instead of a base CRL");
    publish->callback([&cli, a] { publish_command(cli, a->ca, a->delta); });

    auto st = std::make_shared<Args>();
    auto* status = crl->add_subcommand("status", "Each CA's latest base and delta CRL: number, times, entries, freshness");
    status->add_option("--ca", st->ca, "Only this CA");
    status->callback([&cli, st] { status_command(cli, st->ca); });

    auto sh = std::make_shared<Args>();
    auto* show = crl->add_subcommand("show", "Show a CA's latest CRL and its entries, or write it to a file");
    show->add_option("--ca", sh->ca, "The CA (default: the last CA in the lab file's order, usually the issuing CA)");
    show->add_flag("--delta", sh->delta, "The delta CRL instead of the base CRL");
    show->add_option("--out", sh->out, "Write the CRL to this file (DER, or PEM with --pem; - for stdout)");
    show->add_flag("--pem", sh->pem, "With --out: PEM instead of DER");
    show->add_option("--limit", sh->limit, "Entries to list (default 100)");
    show->callback([&cli, sh] { show_command(cli, sh->ca, sh->delta, sh->out, sh->pem, sh->limit); });
}

}  // namespace pkilab::cli
