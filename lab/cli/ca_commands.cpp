// pkilab ca list | show | export, and pkilab template list | show
#include <sstream>

#include "ca/x509/certificate_info.hpp"
#include "ca/x509/pem.hpp"
#include "lab/cli/cli.hpp"
#include "lab/cli/render.hpp"

namespace pkilab::cli {

namespace {

nlohmann::json ca_json(const Lab& lab, const CertificateAuthority& ca) {
    const CertificateInfo info = describe_certificate(ca.certificate());
    return {{"name", ca.name()},
            {"parent", ca.config().parent.value_or("")},
            {"subject", info.subject},
            {"serial", info.serial},
            {"key", info.key.description},
            {"signature_algorithm", info.signature_algorithm},
            {"not_before", format_time(info.not_before)},
            {"not_after", format_time(info.not_after)},
            {"templates", ca.config().templates},
            {"cdp", ca.urls().cdp},
            {"aia", ca.urls().aia},
            {"ocsp", ca.urls().ocsp},
            {"certificate_file", (ca_folder(lab.state_dir(), ca.name()) / "ca.pem").string()}};
}

void ca_list(Cli& cli) {
    Lab& lab = cli.lab();
    nlohmann::json out = nlohmann::json::array();
    std::ostringstream human;
    for (const auto& ca : lab.cas()) {
        nlohmann::json j = ca_json(lab, ca);
        human << ca.name() << (ca.is_root() ? " (root)" : " under " + *ca.config().parent) << "\n"
              << "  " << j["subject"].get<std::string>() << ", " << j["key"].get<std::string>() << ", until "
              << j["not_after"].get<std::string>() << "\n";
        out.push_back(std::move(j));
    }
    cli.emit(out, human.str());
}

void ca_show(Cli& cli, const std::string& name) {
    Lab& lab = cli.lab();
    const CertificateAuthority& ca = lab.ca(name);
    const CertificateInfo info = describe_certificate(ca.certificate());
    std::ostringstream human;
    human << "CA " << ca.name() << (ca.is_root() ? " (root)" : " under " + *ca.config().parent) << "\n" << cli::human(info);
    human << "Templates:    ";
    for (const auto& t : ca.config().templates) human << t << " ";
    human << "\nFiles:        " << ca_folder(lab.state_dir(), ca.name()).string() << "\n";
    cli.emit(ca_json(lab, ca), human.str());
}

void ca_export(Cli& cli, const std::string& name, const std::string& out, bool chain, const std::string& format) {
    Lab& lab = cli.lab();
    const CertificateAuthority& ca = lab.ca(name);
    std::string content;
    if (format == "der") {
        if (chain) throw InputError("--format", "der", "DER holds one certificate; a chain needs pem or p7b");
        Bytes der = certificate_der(ca.certificate());
        content.assign(as_chars(der));
    } else if (format == "p7b") {
        Bytes p7 = pkcs7_certs_only(lab.chain(ca));
        content.assign(as_chars(p7));
    } else {
        for (const X509* c : chain ? lab.chain(ca) : std::vector<const X509*>{ca.certificate()})
            content += certificate_pem(c);
    }
    write_output_file(out, content);
    if (out != "-") cli.emit({{"ca", name}, {"file", out}, {"format", format}, {"chain", chain}}, "Wrote " + out + "\n");
}

void template_list(Cli& cli) {
    Lab& lab = cli.lab();
    nlohmann::json out = nlohmann::json::array();
    std::ostringstream human;
    for (const auto& t : lab.config().templates) {
        std::vector<std::string> cas;
        for (const auto& ca : lab.cas())
            if (ca.publishes(t.name)) cas.push_back(ca.name());
        out.push_back({{"name", t.name}, {"display_name", t.display_name}, {"version", t.version_string()}, {"cas", cas}});
        human << t.name << " v" << t.version_string() << "  " << t.display_name;
        if (!cas.empty()) {
            human << "  (issued by";
            for (const auto& c : cas) human << " " << c;
            human << ")";
        }
        human << "\n";
    }
    cli.emit(out, human.str());
}

void template_show(Cli& cli, const std::string& name) {
    const CertificateTemplate& t = find_template(cli.lab().context(), name);
    auto names = [](const std::vector<SanRule>& rules) {
        nlohmann::json j = nlohmann::json::object();
        for (const auto& r : rules) j[to_string(r.type)] = {{"required", r.required}, {"patterns", r.patterns}, {"max", r.max}};
        return j;
    };
    nlohmann::json j{{"name", t.name},
                     {"display_name", t.display_name},
                     {"description", t.description},
                     {"version", t.version_string()},
                     {"subject_source", t.subject_source == SubjectSource::Request ? "request" : "template"},
                     {"subject", t.subject},
                     {"required_subject_attributes", t.required_subject_attributes},
                     {"san", names(t.san_rules)},
                     {"keys", {{"rsa_min_bits", t.keys.rsa_min_bits}, {"ec_curves", t.keys.ec_curves}, {"ed25519", t.keys.allow_ed25519}}},
                     {"key_usage", t.key_usage},
                     {"extended_key_usage", t.extended_key_usage},
                     {"application_policies", t.application_policies},
                     {"ca", t.is_ca},
                     {"validity", format_duration(t.validity)},
                     {"backdate", format_duration(t.backdate)},
                     {"include", {{"cdp", t.include_cdp}, {"aia", t.include_aia}, {"ocsp", t.include_ocsp}, {"freshest_crl", t.include_freshest_crl}}},
                     {"microsoft_template_name", t.ms_template_name},
                     {"pend_all_requests", t.pend_all_requests},
                     {"allow_csr_extensions", t.allow_csr_extensions},
                     {"allow_server_keygen", t.allow_server_keygen}};
    cli.emit(j, j.dump(2) + "\n");
}

}  // namespace

void add_ca_commands(CLI::App& app, Cli& cli) {
    auto* ca = app.add_subcommand("ca", "The lab's certificate authorities");
    ca->require_subcommand(1);
    ca->add_subcommand("list", "List the CAs")->callback([&cli] { ca_list(cli); });

    auto name = std::make_shared<std::string>();
    auto* show = ca->add_subcommand("show", "Show one CA");
    show->add_option("name", *name, "CA name")->required();
    show->callback([&cli, name] { ca_show(cli, *name); });

    struct ExportArgs { std::string name, out = "-", format = "pem"; bool chain = false; };
    auto args = std::make_shared<ExportArgs>();
    auto* exp = ca->add_subcommand("export", "Write a CA certificate (PEM by default)");
    exp->add_option("name", args->name, "CA name")->required();
    exp->add_option("--out", args->out, "Output file (- for stdout)");
    exp->add_option("--format", args->format, "pem, der or p7b")->check(CLI::IsMember({"pem", "der", "p7b"}));
    exp->add_flag("--chain", args->chain, "Include the issuers up to the root");
    exp->callback([&cli, args] { ca_export(cli, args->name, args->out, args->chain, args->format); });
}

void add_template_commands(CLI::App& app, Cli& cli) {
    auto* t = app.add_subcommand("template", "Certificate templates");
    t->require_subcommand(1);
    t->add_subcommand("list", "List the templates")->callback([&cli] { template_list(cli); });
    auto name = std::make_shared<std::string>();
    auto* show = t->add_subcommand("show", "Show one template");
    show->add_option("name", *name, "Template name")->required();
    show->callback([&cli, name] { template_show(cli, *name); });
}

}  // namespace pkilab::cli
