// pkilab cert list | show | export, and pkilab revoke | hold | release
#include <sstream>

#include "ca/pipeline/revocation.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/pem.hpp"
#include "lab/cli/cli.hpp"
#include "lab/cli/render.hpp"

namespace pkilab::cli {

namespace {

struct ListArgs {
    std::string ca, subject, san, serial, template_name, status, expiring_before;
    std::size_t limit = 1000;
};

void list_command(Cli& cli, const ListArgs& a) {
    CertificateQuery q;
    q.ca = a.ca;
    q.subject_contains = a.subject;
    q.san_contains = a.san;
    if (!a.serial.empty()) q.serial = normalize_serial(a.serial);
    q.template_name = a.template_name;
    q.limit = a.limit;
    Lab& lab = cli.lab();
    const Time now = lab.clock().now();
    if (!a.expiring_before.empty()) q.expiring_before = parse_time(a.expiring_before, "--expiring-before");
    // "expired" is a valid certificate past its notAfter on the lab clock, as the list shows it.
    if (!a.status.empty()) {
        if (a.status == "valid" || a.status == "expired") q.status = CertStatus::Valid;
        else if (a.status == "revoked") q.status = CertStatus::Revoked;
        else if (a.status == "on-hold") q.status = CertStatus::OnHold;
        else throw InputError("--status", a.status, "unknown status", "use valid, expired, revoked or on-hold");
        if (a.status == "expired" && (!q.expiring_before || *q.expiring_before > now)) q.expiring_before = now;
    }
    nlohmann::json out = nlohmann::json::array();
    std::ostringstream human;
    for (const auto& c : lab.store().search_certificates(q)) {
        if (a.status == "valid" && effective_status(c, now) != "valid") continue;
        out.push_back(to_json(c, now));
        human << c.serial << "  " << effective_status(c, now) << "  " << c.ca << "  " << c.template_name << "  "
              << c.subject << "  until " << format_time(c.not_after) << "\n";
    }
    cli.emit(out, human.str());
}

void show_command(Cli& cli, const std::string& serial, const std::string& ca) {
    Lab& lab = cli.lab();
    CertificateRecord c = find_certificate(lab.context(), serial, ca);
    ossl::X509Ptr cert = parse_certificate(c.der, "stored certificate");
    const CertificateInfo info = describe_certificate(cert.get());
    nlohmann::json j = to_json(c, lab.clock().now());
    j["certificate"] = to_json(info);
    std::string human = "Status:       " + effective_status(c, lab.clock().now()) +
                        (c.revocation ? std::string(" (") + to_string(c.revocation->reason) + " at " +
                                            format_time(c.revocation->revoked_at) + ")"
                                      : std::string()) +
                        "\nCA:           " + c.ca + ", request " + std::to_string(c.request_id) + ", template " +
                        c.template_name + "\n" + cli::human(info);
    cli.emit(j, human);
}

void export_command(Cli& cli, const std::string& serial, const std::string& ca, const std::string& format,
                    const std::string& out) {
    Lab& lab = cli.lab();
    CertificateRecord c = find_certificate(lab.context(), serial, ca);
    ossl::X509Ptr cert = parse_certificate(c.der, "stored certificate");
    std::vector<const X509*> chain{cert.get()};
    for (const X509* up : lab.chain(lab.ca(c.ca))) chain.push_back(up);
    std::string content;
    if (format == "der") {
        content.assign(as_chars(c.der));
    } else if (format == "p7b") {
        Bytes p7 = pkcs7_certs_only(chain);
        content.assign(as_chars(p7));
    } else if (format == "p7b-pem") {
        content = pkcs7_pem(pkcs7_certs_only(chain));
    } else if (format == "chain") {
        for (const X509* x : chain) content += certificate_pem(x);
    } else {
        content = certificate_pem(cert.get());
    }
    write_output_file(out, content);
    if (out != "-") cli.emit({{"serial", c.serial}, {"file", out}, {"format", format}}, "Wrote " + out + "\n");
}

void print_status(Cli& cli, const CertificateRecord& c, const char* verb) {
    std::string human = std::string("Certificate ") + c.serial + " on " + c.ca + ": " + verb;
    if (c.revocation && c.status == CertStatus::Revoked) human += std::string(" (") + to_string(c.revocation->reason) + ")";
    human += "\n";
    cli.emit(to_json(c, cli.lab().clock().now()), human);
}

}  // namespace

void add_cert_commands(CLI::App& app, Cli& cli) {
    auto* cert = app.add_subcommand("cert", "Issued certificates");
    cert->require_subcommand(1);

    auto l = std::make_shared<ListArgs>();
    auto* list = cert->add_subcommand("list", "List or search certificates");
    list->add_option("--ca", l->ca, "Only this CA");
    list->add_option("--subject", l->subject, "Subject contains (case-insensitive)");
    list->add_option("--san", l->san, "A SAN contains, e.g. www.lab.test");
    list->add_option("--serial", l->serial, "Serial (hex)");
    list->add_option("--template", l->template_name, "Template name");
    list->add_option("--status", l->status, "valid, expired, revoked or on-hold");
    list->add_option("--expiring-before", l->expiring_before, "notAfter before this UTC date/time");
    list->add_option("--limit", l->limit, "At most this many");
    list->callback([&cli, l] { list_command(cli, *l); });

    struct SerialArgs { std::string serial, ca, format = "pem", out = "-", reason = "unspecified", invalidity; };
    auto s = std::make_shared<SerialArgs>();
    auto* show = cert->add_subcommand("show", "Show one certificate");
    show->add_option("serial", s->serial, "Serial (hex)")->required();
    show->add_option("--ca", s->ca, "CA, when the serial is on several");
    show->callback([&cli, s] { show_command(cli, s->serial, s->ca); });

    auto e = std::make_shared<SerialArgs>();
    auto* exp = cert->add_subcommand("export", "Write a certificate: pem, der, p7b (DER PKCS#7 with chain), p7b-pem, chain (full-chain PEM)");
    exp->add_option("serial", e->serial, "Serial (hex)")->required();
    exp->add_option("--ca", e->ca, "CA, when the serial is on several");
    exp->add_option("--format", e->format, "pem, der, p7b, p7b-pem or chain")
        ->check(CLI::IsMember({"pem", "der", "p7b", "p7b-pem", "chain"}));
    exp->add_option("--out", e->out, "Output file (- for stdout)");
    exp->callback([&cli, e] { export_command(cli, e->serial, e->ca, e->format, e->out); });

    auto r = std::make_shared<SerialArgs>();
    auto* revoke_cmd = app.add_subcommand("revoke", "Revoke a certificate");
    revoke_cmd->add_option("serial", r->serial, "Serial (hex)")->required();
    revoke_cmd->add_option("--reason", r->reason,
                           "unspecified, keyCompromise, caCompromise, affiliationChanged, superseded, "
                           "cessationOfOperation, certificateHold, privilegeWithdrawn, aaCompromise");
    revoke_cmd->add_option("--invalidity-date", r->invalidity, "When the key was known compromised (UTC)");
    revoke_cmd->add_option("--ca", r->ca, "CA, when the serial is on several");
    revoke_cmd->callback([&cli, r] {
        RevocationReason reason = parse_revocation_reason(r->reason, "--reason");
        std::optional<Time> invalidity;
        if (!r->invalidity.empty()) invalidity = parse_time(r->invalidity, "--invalidity-date");
        CertificateRecord c = revoke(cli.lab().context(), r->serial, reason, cli.requester(), invalidity, r->ca);
        publish_after_change(cli, c.ca);
        print_status(cli, c, c.status == CertStatus::OnHold ? "on hold" : "revoked");
    });

    auto h = std::make_shared<SerialArgs>();
    auto* hold_cmd = app.add_subcommand("hold", "Put a certificate on hold (certificateHold, reversible)");
    hold_cmd->add_option("serial", h->serial, "Serial (hex)")->required();
    hold_cmd->add_option("--ca", h->ca, "CA, when the serial is on several");
    hold_cmd->callback([&cli, h] {
        CertificateRecord c = hold(cli.lab().context(), h->serial, cli.requester(), h->ca);
        publish_after_change(cli, c.ca);
        print_status(cli, c, "on hold");
    });

    auto u = std::make_shared<SerialArgs>();
    auto* release_cmd = app.add_subcommand("release", "Release a certificate from hold");
    release_cmd->add_option("serial", u->serial, "Serial (hex)")->required();
    release_cmd->add_option("--ca", u->ca, "CA, when the serial is on several");
    release_cmd->callback([&cli, u] {
        CertificateRecord c = release(cli.lab().context(), u->serial, cli.requester(), u->ca);
        publish_after_change(cli, c.ca);
        print_status(cli, c, "released");
    });
}

}  // namespace pkilab::cli
