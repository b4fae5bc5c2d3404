// pkilab check request (preflight: "would this CSR pass?") and pkilab plugins list
#include <sstream>

#include "ca/finding_json.hpp"
#include "ca/lint/lint.hpp"
#include "ca/plugin/policy_host.hpp"
#include "ca/plugin/policy_request.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"
#include "lab/cli/cli.hpp"
#include "lab/cli/render.hpp"

namespace pkilab::cli {

namespace {

struct CheckArgs {
    std::string csr, template_name, ca, profile;
    std::vector<std::string> settings;  // --set key=value for the profile
};

// The built-in product-profile plugin, configured from the command line.
std::unique_ptr<PolicyHost> profile_host(const std::string& profile, const std::vector<std::string>& settings) {
    PluginsConfig plugins;
    PluginConfig pc;
    pc.name = "profile";
    pc.file = "libpkilab_product_profile.so";
    pc.where = "--profile";
    pc.settings.emplace_back("profile", profile);
    for (const auto& kv : settings) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) throw InputError("--set", kv, "not KEY=VALUE", "write e.g. --set pool_fqdn=pool01.lab.test");
        pc.settings.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    plugins.load.push_back(std::move(pc));
    auto host = std::make_unique<PolicyHost>(std::move(plugins), ".");
    host->load();
    return host;
}

// The whole pipeline but the signature: template rules, the certificate it would build, lint
// and every policy plugin, all findings at once. Nothing is recorded.
void check_request(Cli& cli, const CheckArgs& a) {
    Lab& lab = cli.lab();
    const std::string csr = read_input_file(a.csr, kMaxCsrBytes, "CSR");
    std::unique_ptr<PolicyHost> profile;
    ExtraPolicy extra;
    IssuanceContext ctx = lab.context();
    if (!a.profile.empty()) {
        profile = profile_host(a.profile, a.settings);
        extra = ExtraPolicy{profile.get(), {"profile"}};
        ctx.extra = &extra;
    }
    const Evaluation e = naming_csr_file(a.csr, [&] {
        return evaluate(ctx, EnrollmentRequest{a.template_name, a.ca, Bytes(csr.begin(), csr.end()), cli.requester()});
    });
    const bool passes = !has_errors(e.findings);
    std::ostringstream human;
    human << a.csr << " against template " << e.template_name << " on CA " << e.ca
          << (a.profile.empty() ? std::string() : " and profile " + a.profile) << ": "
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

struct CheckCertArgs {
    std::string cert, chain, profile;
    std::vector<std::string> settings;  // --set key=value for the profile
};

// An existing certificate, from any CA (an export from a production AD CS, say): RFC 5280
// lint and a product profile. Needs no lab: nothing here is signed or recorded.
void check_cert(Cli& cli, const CheckCertArgs& a) {
    constexpr size_t kMaxBundleBytes = 1024 * 1024;
    const std::string text = read_input_file(a.cert, kMaxCertificateBytes, "certificate");
    ossl::X509Ptr cert = parse_certificate(as_bytes(text), a.cert);
    std::vector<ossl::X509Ptr> chain;
    if (!a.chain.empty()) {
        const std::string bundle = read_input_file(a.chain, kMaxBundleBytes, "--chain");
        chain = parse_certificates(as_bytes(bundle), a.chain);
    }
    const X509* issuer = nullptr;
    const bool self_issued = X509_check_issued(cert.get(), cert.get()) == X509_V_OK;
    for (const auto& c : chain)
        if (issuer == nullptr && X509_check_issued(c.get(), cert.get()) == X509_V_OK) issuer = c.get();

    Findings findings = run_lint(LintContext{cert.get(), issuer});
    if (issuer == nullptr && !self_issued) {
        // Without its issuer, the rules that compare with it would judge the certificate
        // against itself: leave them out and say so.
        std::erase_if(findings, [](const Finding& f) {
            return f.code == "lint.rfc5280.authority_key_identifier" || f.code == "lint.rfc5280.issuer_name_match" ||
                   f.code == "lint.pkilab.validity_within_issuer";
        });
        findings.push_back(Finding{"lint", "lint.issuer_unknown", Severity::Info, "issuer",
                                   "the issuer's certificate was not given: rules that compare with it were skipped",
                                   "add --chain with the issuing CA's certificate"});
    }

    if (!a.profile.empty()) {
        const std::unique_ptr<PolicyHost> host = profile_host(a.profile, a.settings);
        PolicySubject subject;
        subject.kind = PKILAB_KIND_CERT_CHECK;
        subject.now = cli.system_clock().now();
        subject.profile = a.profile;
        subject.cert = cert.get();
        if (issuer != nullptr) subject.issuer_not_after = from_asn1_time(X509_get0_notAfter(issuer));
        const PolicyRequest request(subject);
        const std::string chain_names[] = {"profile"};
        PolicyVerdict v = host->evaluate(chain_names, request.view());
        findings.insert(findings.end(), v.findings.begin(), v.findings.end());
    }

    const bool passes = !has_errors(findings);
    const CertificateInfo info = describe_certificate(cert.get());
    std::ostringstream human;
    human << a.cert << " (" << info.subject << ", issued by " << info.issuer << ")"
          << (a.profile.empty() ? std::string() : " for profile " + a.profile) << ": "
          << (passes ? "passes" : "fails") << "\n"
          << human_findings(findings);
    cli.emit({{"certificate", a.cert},
              {"subject", info.subject},
              {"profile", a.profile},
              {"passes", passes},
              {"findings", nlohmann::json::parse(findings_to_json(findings))}},
             human.str());
    cli.exit_code = passes ? kExitOk : kExitRefused;
}

void plugins_list(Cli& cli) {
    Lab& lab = cli.lab();
    nlohmann::json out = nlohmann::json::array();
    std::ostringstream human;
    // The counts come from the store (each request's last decision), not from this process.
    const std::vector<PluginVerdictCount> counts = lab.store().plugin_verdict_counts();
    for (const auto& s : lab.policies().status()) {
        nlohmann::json verdicts = {{"allow", 0}, {"deny", 0}, {"pend", 0}, {"abstain", 0}, {"failed", 0}};
        for (const auto& c : counts)
            if (c.plugin == s.name && verdicts.contains(c.verdict)) verdicts[c.verdict] = c.requests;
        nlohmann::json j = {{"name", s.name}, {"plugin", s.plugin}, {"version", s.version}, {"abi", s.abi},
                            {"file", s.file}, {"mode", s.mode}, {"verdicts", verdicts}};
        if (s.mode == "isolated") j["restarts"] = s.restarts;
        out.push_back(std::move(j));
        human << s.name << "  " << s.plugin << " " << s.version << "  ABI " << s.abi << "  " << s.mode << "  " << s.file
              << "\n    requests: " << verdicts["allow"] << " allowed, " << verdicts["deny"] << " denied, "
              << verdicts["pend"] << " held for approval, " << verdicts["abstain"] << " abstained, "
              << verdicts["failed"] << " failed\n";
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
    req->add_option("--profile", a->profile, "Also check the certificate it would get against a product profile");
    req->add_option("--set", a->settings, "Profile setting KEY=VALUE");
    req->callback([&cli, a] { check_request(cli, *a); });

    auto c = std::make_shared<CheckCertArgs>();
    auto* cert = check->add_subcommand("cert", "Check an existing certificate (from any CA): RFC 5280 lint and a product profile");
    cert->add_option("cert", c->cert, "Certificate, PEM or DER")->required();
    cert->add_option("--chain", c->chain, "Issuer certificates (PEM bundle), for the rules that compare with the issuer");
    cert->add_option("--profile", c->profile, "lync2013, lync2010, skype2015, cabf-tls or windows-kdc");
    cert->add_option("--set", c->settings, "Profile setting KEY=VALUE, e.g. pool_fqdn=pool01.lab.test, sip_domains=lab.test");
    cert->callback([&cli, c] { check_cert(cli, *c); });

    auto* plugins = app.add_subcommand("plugins", "Policy plugins");
    plugins->require_subcommand(1);
    plugins->add_subcommand("list", "The plugins this lab loads")->callback([&cli] { plugins_list(cli); });
}

}  // namespace pkilab::cli
