// pkilab check request (preflight: "would this CSR pass?") and pkilab plugins list
#include <sstream>

#include "ca/finding_json.hpp"
#include "ca/x509/csr.hpp"
#include "lab/cli/cli.hpp"
#include "lab/cli/render.hpp"

namespace pkilab::cli {

namespace {

struct CheckArgs {
    std::string csr, template_name, ca;
};

// The whole pipeline but the signature: template rules, the certificate it would build, lint
// and every policy plugin, all findings at once. Nothing is recorded.
void check_request(Cli& cli, const CheckArgs& a) {
    Lab& lab = cli.lab();
    const std::string csr = read_input_file(a.csr, kMaxCsrBytes, "CSR");
    Evaluation e;
    try {
        e = evaluate(lab.context(), EnrollmentRequest{a.template_name, a.ca, Bytes(csr.begin(), csr.end()), cli.requester()});
    } catch (const InputError& err) {
        if (err.where() != "CSR") throw;
        throw InputError(a.csr + ": CSR", err.field(), err.problem(), err.hint());
    }
    const bool passes = !has_errors(e.findings);
    std::ostringstream human;
    human << a.csr << " against template " << e.template_name << " on CA " << e.ca << ": "
          << (passes ? (e.would_pend ? "would be held for a CA manager's approval" : "would be issued") : "would be denied")
          << "\n"
          << human_findings(e.findings);
    cli.emit({{"csr", a.csr},
              {"template", e.template_name},
              {"ca", e.ca},
              {"passes", passes},
              {"would_pend", e.would_pend},
              {"findings", nlohmann::json::parse(findings_to_json(e.findings))}},
             human.str());
    cli.exit_code = passes ? kExitOk : kExitRefused;
}

void plugins_list(Cli& cli) {
    Lab& lab = cli.lab();
    nlohmann::json out = nlohmann::json::array();
    std::ostringstream human;
    for (const auto& s : lab.policies().status()) {
        out.push_back({{"name", s.name}, {"plugin", s.plugin}, {"version", s.version}, {"abi", s.abi}, {"file", s.file},
                       {"mode", s.mode}});
        human << s.name << "  " << s.plugin << " " << s.version << "  ABI " << s.abi << "  " << s.mode << "  " << s.file
              << "\n";
    }
    if (out.empty()) human << "This lab loads no policy plugins (see plugins: in docs/LAB-FILE.md).\n";
    cli.emit(out, human.str());
}

}  // namespace

void add_check_commands(CLI::App& app, Cli& cli) {
    auto* check = app.add_subcommand("check", "Test before production: would a request pass?");
    check->require_subcommand(1);
    auto a = std::make_shared<CheckArgs>();
    auto* req = check->add_subcommand("request", "Run a CSR through the template, lint and policy plugins without signing");
    req->add_option("csr", a->csr, "PKCS#10 request, PEM or DER")->required();
    req->add_option("--template", a->template_name, "Template name")->required();
    req->add_option("--ca", a->ca, "CA (default: the issuing CA that publishes the template)");
    req->callback([&cli, a] { check_request(cli, *a); });

    auto* plugins = app.add_subcommand("plugins", "Policy plugins");
    plugins->require_subcommand(1);
    plugins->add_subcommand("list", "The plugins this lab loads")->callback([&cli] { plugins_list(cli); });
}

}  // namespace pkilab::cli
