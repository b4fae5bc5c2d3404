// pkilab lab up | validate
#include <filesystem>
#include <iostream>
#include <sstream>

#include "ca/config/lab_config.hpp"
#include "ca/plugin/plugin_file.hpp"
#include "ca/plugin/policy_host.hpp"
#include "crl/crl_publisher.hpp"
#include "crl/publication.hpp"
#include "lab/cli/cli.hpp"

namespace pkilab::cli {

namespace {

std::string default_lab_file() {
    // Run from a checkout, the lab that ships with it; otherwise the one this build came from.
    if (std::filesystem::exists("lab/default/lab.yaml")) return "lab/default/lab.yaml";
    return PKILAB_DEFAULT_LAB_FILE;
}

void lab_up_command(Cli& cli, const std::string& file) {
    const LabConfig config = load_lab_file(file);
    // Before anything is made: a lab whose CAs would publish at one path cannot be served.
    crl::check_publication_paths(config);
    if (!cli.state_given)
        if (const auto dir = config.state_dir)
            cli.state_dir = (std::filesystem::absolute(file).parent_path() / *dir).lexically_normal().string();
    LabUpReport r = lab_up(cli.state_dir, file, cli.system_clock());
    nlohmann::json cas = nlohmann::json::array();
    std::ostringstream human;
    human << (r.created ? "Lab created" : "Lab reused") << " in " << std::filesystem::absolute(r.state_dir).string()
          << " from " << r.lab_file.string() << "\n";
    if (r.lab_file_changed) human << "  the lab file changed since the last `lab up`: templates and URLs now follow it\n";
    for (const auto& ca : r.cas) {
        cas.push_back({{"name", ca.name}, {"created", ca.created}, {"subject", ca.subject}, {"serial", ca.serial},
                       {"differences", ca.differences}, {"warnings", ca.warnings}});
        // Legacy choices are loud on stderr even with --json: they are easy to forget in a lab file.
        for (const auto& w : ca.warnings) std::cerr << "pkilab: WARNING: " << w << "\n";
        human << "  CA " << ca.name << (ca.created ? " (created)" : " (exists)") << ": " << ca.subject << "\n";
        for (const auto& d : ca.differences)
            human << "    warning: " << d << (ca.created ? "\n" : "; the existing CA is kept (make a new state folder to start over)\n");
    }
    for (const auto& w : r.warnings) human << "  warning: " << w << "\n";
    // A new lab serves its CRLs and CA certificates at once; an existing one catches up on any
    // CRL that fell due while nothing ran.
    nlohmann::json crls = nlohmann::json::array();
    {
        Lab& lab = cli.lab();
        crl::write_ca_certificates(lab);
        for (const auto& a : crl::publish_due(lab, "lab-up")) {
            if (a.published) {
                human << "  CA " << a.ca << ": published " << to_string(a.kind) << " CRL " << a.published->record.number << "\n";
                crls.push_back({{"ca", a.ca}, {"kind", to_string(a.kind)}, {"number", a.published->record.number}});
            } else {
                std::cerr << "pkilab: WARNING: CA " << a.ca << ": the " << to_string(a.kind) << " CRL was not published: " << a.error << "\n";
                crls.push_back({{"ca", a.ca}, {"kind", to_string(a.kind)}, {"error", a.error}});
            }
        }
    }
    // The walkthrough names WebServer only where this lab issues it.
    bool web_server = false;
    for (const auto& ca : config.cas)
        for (const auto& t : ca.templates) web_server = web_server || t == "WebServer";
    if (web_server)
        human << "\nIssue a first certificate:\n"
              << "  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout www.key \\\n"
              << "      -subj /CN=www.lab.test -addext subjectAltName=DNS:www.lab.test -out www.csr\n"
              << "  pkilab --state " << r.state_dir.string() << " request submit --template WebServer --csr www.csr --out www.pem\n";
    else
        human << "\nSee the templates this lab issues with: pkilab --state " << r.state_dir.string() << " template list\n";
    cli.emit({{"state_dir", std::filesystem::absolute(r.state_dir).string()},
              {"lab_file", r.lab_file.string()},
              {"created", r.created},
              {"lab_file_changed", r.lab_file_changed},
              {"cas", cas},
              {"warnings", r.warnings},
              {"crls_published", crls}},
             human.str());
}

void lab_validate_command(Cli& cli, const std::string& file) {
    LabConfig config = load_lab_file(file);
    crl::check_publication_paths(config);
    // Plugin files are found and checked, but not loaded: loading runs their code, and
    // validating must not (`lab up` loads them and checks their configuration).
    const auto dirs = plugin_directories(config.plugins, std::filesystem::absolute(file).parent_path());
    for (const auto& p : config.plugins.load) (void)checked_plugin_file(p.file, dirs, p.where + ": plugin " + p.name);
    nlohmann::json cas = nlohmann::json::array();
    std::ostringstream human;
    human << file << ": valid (" << config.cas.size() << " CAs, " << config.templates.size() << " templates, "
          << config.plugins.load.size() << " policy plugins; their settings are checked by `lab up`)\n";
    for (const auto& ca : config.cas) {
        cas.push_back({{"name", ca.name}, {"parent", ca.parent.value_or("")}, {"templates", ca.templates}});
        human << "  CA " << ca.name << (ca.parent ? " under " + *ca.parent : std::string(" (root)")) << "\n";
    }
    cli.emit({{"file", file}, {"valid", true}, {"cas", cas}}, human.str());
}

}  // namespace

void add_lab_commands(CLI::App& app, Cli& cli) {
    auto* lab = app.add_subcommand("lab", "Create and check labs");
    lab->require_subcommand(1);

    auto* up = lab->add_subcommand("up", "Create the lab in the state folder, or reuse it (idempotent)");
    auto up_file = std::make_shared<std::string>(default_lab_file());
    up->add_option("labfile", *up_file, "Lab file (default lab/default/lab.yaml)");
    up->callback([&cli, up_file] { lab_up_command(cli, *up_file); });

    auto* validate = lab->add_subcommand("validate", "Check a lab file without changing anything");
    auto validate_file = std::make_shared<std::string>();
    validate->add_option("labfile", *validate_file, "Lab file")->required();
    validate->callback([&cli, validate_file] { lab_validate_command(cli, *validate_file); });
}

}  // namespace pkilab::cli
