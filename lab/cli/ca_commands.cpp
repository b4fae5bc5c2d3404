// pkilab ca list | show | export, and pkilab template list | show
#include <sstream>

#include "ca/bytes.hpp"
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
    Lab& lab = cli.lab();
    const CertificateTemplate& t = find_template(lab.context(), name);
    std::vector<std::string> cas;
    for (const auto& ca : lab.cas())
        if (ca.publishes(t.name)) cas.push_back(ca.name());
    auto yes = [](bool b) { return b ? "yes" : "no"; };
    auto joined = [](const std::vector<std::string>& v, const char* none = "none") {
        std::string out;
        for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
        return out.empty() ? std::string(none) : out;
    };

    nlohmann::json san = nlohmann::json::object();
    std::string san_text;
    for (const auto& r : t.san_rules) {
        san[to_string(r.type)] = {{"required", r.required}, {"patterns", r.patterns}, {"max", r.max}};
        san_text += std::string(san_text.empty() ? "" : "; ") + to_string(r.type) + (r.required ? " (required)" : "") +
                    (r.patterns.empty() ? "" : " matching " + joined(r.patterns)) +
                    (r.max > 0 ? ", at most " + std::to_string(r.max) : "");
    }
    nlohmann::json policies = nlohmann::json::array();
    std::vector<std::string> policy_text;
    for (const auto& p : t.certificate_policies) {
        policies.push_back({{"oid", p.oid}, {"cps_uri", p.cps_uri}, {"user_notice", p.user_notice}});
        policy_text.push_back(p.oid + (p.cps_uri.empty() ? "" : " (CPS " + p.cps_uri + ")"));
    }
    nlohmann::json custom = nlohmann::json::array();
    std::vector<std::string> custom_text;
    for (const auto& e : t.custom_extensions) {
        custom.push_back({{"oid", e.oid}, {"critical", e.critical}, {"der", to_hex(e.value)}});
        custom_text.push_back(e.oid + (e.critical ? " (critical)" : "") + " = " + to_hex(e.value));
    }
    nlohmann::json ms{{"template_name", t.ms_template_name}};
    if (t.ms_template_v2)
        ms["template_v2"] = {{"oid", t.ms_template_v2->oid}, {"major", t.ms_template_v2->major}, {"minor", t.ms_template_v2->minor}};

    nlohmann::json j{{"name", t.name},
                     {"display_name", t.display_name},
                     {"description", t.description},
                     {"version", t.version_string()},
                     {"cas", cas},
                     {"subject_source", t.subject_source == SubjectSource::Request ? "request" : "template"},
                     {"subject", t.subject},
                     {"required_subject_attributes", t.required_subject_attributes},
                     {"san", san},
                     {"max_sans", t.max_sans},
                     {"san_from_request", t.san_from_request_extension},
                     {"keys", {{"rsa_min_bits", t.keys.rsa_min_bits}, {"allow_rsa_1024", t.keys.allow_rsa_1024},
                               {"ec_curves", t.keys.ec_curves}, {"ed25519", t.keys.allow_ed25519}}},
                     {"key_usage", t.key_usage},
                     {"key_usage_critical", t.key_usage_critical},
                     {"extended_key_usage", t.extended_key_usage},
                     {"extended_key_usage_critical", t.extended_key_usage_critical},
                     {"application_policies", t.application_policies},
                     {"ca", t.is_ca},
                     {"path_length", t.path_length ? nlohmann::json(*t.path_length) : nlohmann::json(nullptr)},
                     {"basic_constraints_on_end_entity", t.basic_constraints_on_end_entity},
                     {"certificate_policies", policies},
                     {"validity", format_duration(t.validity)},
                     {"backdate", format_duration(t.backdate)},
                     {"include", {{"cdp", t.include_cdp}, {"aia", t.include_aia}, {"ocsp", t.include_ocsp}, {"freshest_crl", t.include_freshest_crl}}},
                     {"ocsp_no_check", t.ocsp_no_check},
                     {"custom_extensions", custom},
                     {"microsoft", ms},
                     {"pend_all_requests", t.pend_all_requests},
                     {"allow_csr_extensions", t.allow_csr_extensions},
                     {"allow_server_keygen", t.allow_server_keygen},
                     {"server_keygen_key", t.allow_server_keygen ? to_string(t.server_keygen_key) : std::string()}};

    std::vector<std::string> keys;
    if (t.keys.rsa_min_bits > 0) keys.push_back("RSA " + std::to_string(t.keys.rsa_min_bits) + "+");
    if (!t.keys.ec_curves.empty()) keys.push_back("ECDSA " + joined(t.keys.ec_curves));
    if (t.keys.allow_ed25519) keys.push_back("Ed25519");
    std::ostringstream h;
    h << "Template " << t.name << " v" << t.version_string() << " (" << t.display_name << ")\n";
    if (!t.description.empty()) h << "  " << t.description << "\n";
    h << "  Issued by:        " << joined(cas, "no CA of this lab") << "\n"
      << "  Subject:          "
      << (t.subject_source == SubjectSource::Request
              ? "from the request" + (t.required_subject_attributes.empty() ? std::string() : " (required: " + joined(t.required_subject_attributes) + ")")
              : "fixed: " + t.subject)
      << "\n"
      << "  SANs:             " << (san_text.empty() ? "none allowed" : san_text) << "; at most " << t.max_sans << " in all"
      << (t.san_from_request_extension ? "" : "; the request's SAN is not used") << "\n"
      << "  Keys:             " << joined(keys, "none") << "\n"
      << "  Key usage:        " << joined(t.key_usage) << (t.key_usage_critical && !t.key_usage.empty() ? " (critical)" : "") << "\n"
      << "  EKU:              " << joined(t.extended_key_usage) << (t.extended_key_usage_critical ? " (critical)" : "") << "\n";
    if (!t.application_policies.empty()) h << "  App policies:     " << joined(t.application_policies) << "\n";
    h << "  Basic const.:     "
      << (t.is_ca ? "CA" + (t.path_length ? ", path length " + std::to_string(*t.path_length) : std::string())
                  : std::string(t.basic_constraints_on_end_entity ? "end entity (CA:FALSE written)" : "end entity (not written)"))
      << "\n"
      << "  Policies:         " << joined(policy_text) << "\n"
      << "  Validity:         " << format_duration(t.validity) << ", backdated " << format_duration(t.backdate) << "\n"
      << "  Locations:        CDP " << yes(t.include_cdp) << ", Freshest CRL " << yes(t.include_freshest_crl) << ", AIA "
      << yes(t.include_aia) << ", OCSP " << yes(t.include_ocsp) << (t.ocsp_no_check ? "; id-pkix-ocsp-nocheck" : "") << "\n";
    if (!custom_text.empty()) h << "  Custom ext.:      " << joined(custom_text) << "\n";
    h << "  Microsoft:        "
      << (t.ms_template_name.empty() ? std::string("no template name") : "template name " + t.ms_template_name)
      << (t.ms_template_v2 ? "; template " + t.ms_template_v2->oid + " v" + std::to_string(t.ms_template_v2->major) + "." +
                                 std::to_string(t.ms_template_v2->minor)
                           : std::string())
      << "\n"
      << "  Issuance:         manager approval " << yes(t.pend_all_requests) << ", CSR extensions copied "
      << yes(t.allow_csr_extensions) << ", server-side key "
      << (t.allow_server_keygen ? "yes (" + to_string(t.server_keygen_key) + ")" : std::string("no")) << "\n";
    cli.emit(j, h.str());
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
