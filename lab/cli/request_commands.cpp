// pkilab request submit | list | show | approve | deny | resubmit
#include <sstream>

#include "ca/finding_json.hpp"
#include "ca/keys/key_file.hpp"
#include "ca/pipeline/server_keygen.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"
#include "lab/cli/cli.hpp"
#include "lab/cli/render.hpp"

namespace pkilab::cli {

namespace {

struct SubmitArgs {
    std::string template_name, csr, ca, out;
    bool keygen = false;
    std::string subject;
    std::vector<std::string> sans;
    std::string p12_out, p12_pass;
};

void write_certificate_if_issued(Cli& cli, const IssuanceOutcome& o, const std::string& out) {
    if (!o.certificate || out.empty()) return;
    ossl::X509Ptr cert = parse_certificate(o.certificate->der, "issued certificate");
    write_output_file(out, certificate_pem(cert.get()));
    (void)cli;
}

void submit_command(Cli& cli, const SubmitArgs& a) {
    Lab& lab = cli.lab();
    IssuanceOutcome outcome;
    std::string extra;
    // Options that the other mode would silently ignore are mistakes: say so.
    if (a.keygen && !a.csr.empty())
        throw InputError("request submit", "--csr", "--keygen makes the key and the request itself; --csr is not used with it",
                         "drop --csr, or drop --keygen to submit your own CSR");
    if (!a.keygen && (!a.subject.empty() || !a.sans.empty() || !a.p12_out.empty()))
        throw InputError("request submit", a.subject.empty() ? (a.sans.empty() ? "--p12-out" : "--san") : "--subject",
                         "--subject, --san and --p12-out go with --keygen; a CSR carries its own names",
                         "add --keygen, or put the names in the CSR");
    if (a.keygen) {
        if (a.p12_out.empty()) throw InputError("--keygen", "--p12-out", "server-side key generation needs --p12-out FILE");
        std::vector<GeneralName> sans;
        for (const auto& s : a.sans) sans.push_back(parse_general_name(s, "--san"));
        ServerKeygenRequest r{a.template_name, a.ca, a.subject, sans, cli.requester(),
                              resolve_passphrase(PassphraseSource{a.p12_pass}), a.subject};
        const CertificateTemplate& tmpl = find_template(lab.context(), a.template_name);
        // The chain of whichever CA issues it: known after submission, so export the lab's
        // chain for the issuing CA chosen by the same rule.
        std::vector<const X509*> chain;
        for (const auto& ca : lab.cas())
            if ((a.ca.empty() ? ca.publishes(tmpl.name) && !ca.is_root() : ca.name() == a.ca)) {
                chain = lab.chain(ca);
                break;
            }
        ServerKeygenOutcome k = submit_with_server_key(lab.context(), r, chain);
        outcome = std::move(k.issuance);
        if (!k.pkcs12.empty()) {
            write_output_file(a.p12_out, as_chars(k.pkcs12), true);
            extra = "  key and certificate written to " + a.p12_out + " (PKCS#12)\n";
        }
    } else {
        if (a.csr.empty()) throw InputError("request submit", "--csr", "a CSR file is required (or --keygen)");
        std::string csr = read_input_file(a.csr, kMaxCsrBytes, "--csr");
        outcome = naming_csr_file(a.csr, [&] {
            return submit(lab.context(), EnrollmentRequest{a.template_name, a.ca, Bytes(csr.begin(), csr.end()), cli.requester()});
        });
    }
    write_certificate_if_issued(cli, outcome, a.out);
    if (outcome.certificate && !a.out.empty() && a.out != "-") extra += "  certificate written to " + a.out + "\n";
    if (!(a.out == "-" && outcome.certificate)) cli.emit(to_json(outcome), human(outcome) + extra);
    cli.exit_code = exit_code_for(outcome);
}

void list_command(Cli& cli, const std::string& ca, const std::string& state, std::size_t limit) {
    RequestQuery q;
    q.ca = ca;
    if (!state.empty()) q.state = parse_request_state(state);
    q.limit = limit;
    nlohmann::json out = nlohmann::json::array();
    std::ostringstream human;
    for (const auto& r : cli.lab().store().list_requests(q)) {
        out.push_back(to_json(r));
        human << r.ca << " #" << r.id << "  " << to_string(r.state) << "  " << r.template_name << "  " << r.subject
              << "  " << format_time(r.submitted_at) << (r.serial.empty() ? "" : "  serial " + r.serial) << "\n";
    }
    cli.emit(out, human.str());
}

std::string default_ca(Cli& cli, const std::string& ca) {
    if (!ca.empty()) return ca;
    // With one issuing CA (the common lab), `--ca` can be left out.
    std::string found;
    for (const auto& c : cli.lab().cas()) {
        if (c.is_root()) continue;
        if (!found.empty()) throw InputError("request", "--ca", "this lab has several issuing CAs", "name one with --ca");
        found = c.name();
    }
    if (found.empty()) found = cli.lab().cas().front().name();
    return found;
}

void show_command(Cli& cli, const std::string& ca_arg, std::int64_t id) {
    const std::string ca = default_ca(cli, ca_arg);
    auto r = cli.lab().store().find_request(ca, id);
    if (!r) throw NotFoundError("CA " + ca + " has no request " + std::to_string(id));
    std::ostringstream human;
    human << "Request " << r->id << " on " << r->ca << ": " << to_string(r->state) << "\n"
          << "  disposition: " << r->disposition << "\n"
          << "  template:    " << r->template_name << " v" << r->template_version << "\n"
          << "  subject:     " << r->subject << "\n"
          << "  requester:   " << r->requester.identity << " via " << r->requester.channel << "\n"
          << "  submitted:   " << format_time(r->submitted_at) << "\n";
    if (!r->serial.empty()) human << "  serial:      " << r->serial << "\n";
    human << human_findings(findings_from_json(r->findings_json));
    cli.emit(to_json(*r), human.str());
}

}  // namespace

void add_request_commands(CLI::App& app, Cli& cli) {
    auto* req = app.add_subcommand("request", "Certificate requests");
    req->require_subcommand(1);

    auto a = std::make_shared<SubmitArgs>();
    auto* submit_cmd = req->add_subcommand("submit", "Submit a CSR (or have the CA make the key with --keygen)");
    submit_cmd->add_option("--template", a->template_name, "Template name")->required();
    submit_cmd->add_option("--csr", a->csr, "PKCS#10 request, PEM or DER (- for stdin)");
    submit_cmd->add_option("--ca", a->ca, "CA to ask (default: the issuing CA that publishes the template)");
    submit_cmd->add_option("--out", a->out, "Write the issued certificate here (PEM; - for stdout)");
    submit_cmd->add_flag("--keygen", a->keygen, "Server-side key generation (template must allow it)");
    submit_cmd->add_option("--subject", a->subject, "Subject DN for --keygen, e.g. \"CN=pool.lab.test, O=Lab\"");
    submit_cmd->add_option("--san", a->sans, "SAN for --keygen, e.g. dns:pool.lab.test (repeatable)");
    submit_cmd->add_option("--p12-out", a->p12_out, "PKCS#12 output for --keygen");
    submit_cmd->add_option("--p12-pass", a->p12_pass, "PKCS#12 passphrase source: env:VAR or file:PATH")->default_val("env:PKILAB_P12_PASSWORD");
    submit_cmd->callback([&cli, a] { submit_command(cli, *a); });

    struct ListArgs { std::string ca, state; std::size_t limit = 1000; };
    auto l = std::make_shared<ListArgs>();
    auto* list = req->add_subcommand("list", "List requests");
    list->add_option("--ca", l->ca, "Only this CA");
    list->add_option("--state", l->state, "pending, issued, denied or failed");
    list->add_option("--limit", l->limit, "At most this many");
    list->callback([&cli, l] { list_command(cli, l->ca, l->state, l->limit); });

    struct IdArgs { std::string ca, reason; std::int64_t id = 0; };
    auto s = std::make_shared<IdArgs>();
    auto* show = req->add_subcommand("show", "Show one request with its findings");
    show->add_option("id", s->id, "Request ID")->required();
    show->add_option("--ca", s->ca, "CA (default: the only issuing CA)");
    show->callback([&cli, s] { show_command(cli, s->ca, s->id); });

    auto officer_action = [&cli, req](const char* name, const char* help, auto action) {
        auto args = std::make_shared<IdArgs>();
        auto* cmd = req->add_subcommand(name, help);
        cmd->add_option("id", args->id, "Request ID")->required();
        cmd->add_option("--ca", args->ca, "CA (default: the only issuing CA)");
        const bool is_deny = std::string(name) == "deny";
        if (is_deny) cmd->add_option("--reason", args->reason, "Why, for the requester");
        cmd->callback([&cli, args, action, is_deny] {
            const std::string ca = default_ca(cli, args->ca);
            IssuanceOutcome o = action(cli.lab().context(), ca, args->id, cli.requester(), args->reason);
            cli.emit(to_json(o), human(o));
            // An officer's deny that went through is a success; approve and resubmit report
            // what policy now says of the request (1 when it refuses it).
            cli.exit_code = is_deny ? kExitOk : exit_code_for(o);
        });
    };
    officer_action("approve", "Issue a pending request (CA manager approval)",
                   [](const IssuanceContext& c, const std::string& ca, std::int64_t id, const Requester& who, const std::string&) {
                       return approve(c, ca, id, who);
                   });
    officer_action("deny", "Deny a pending request",
                   [](const IssuanceContext& c, const std::string& ca, std::int64_t id, const Requester& who, const std::string& why) {
                       return deny(c, ca, id, who, why);
                   });
    officer_action("resubmit", "Run a pending, denied or failed request through policy again",
                   [](const IssuanceContext& c, const std::string& ca, std::int64_t id, const Requester& who, const std::string&) {
                       return resubmit(c, ca, id, who);
                   });
}

}  // namespace pkilab::cli
