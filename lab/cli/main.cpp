// pkilab: a lab certificate authority. Exit codes: 0 success, 1 refused by policy,
// 2 bad input, 3 internal error.
#include <cstdlib>
#include <iostream>

#include <nlohmann/json.hpp>

#include "lab/cli/cli.hpp"

namespace {

const char* category_name(pkilab::ErrorCategory c) {
    switch (c) {
        case pkilab::ErrorCategory::BadInput: return "bad_input";
        case pkilab::ErrorCategory::NotFound: return "not_found";
        case pkilab::ErrorCategory::Conflict: return "conflict";
        case pkilab::ErrorCategory::Internal: return "internal";
    }
    return "internal";
}

// With --json a script gets the error on stdout as data too: where, field, problem and fix.
void print_json_error(const std::string& category, const std::string& message, const pkilab::InputError* input,
                      int exit_code) {
    nlohmann::json e{{"category", category}, {"message", message}};
    if (input != nullptr) {
        e["where"] = input->where();
        e["field"] = input->field();
        e["problem"] = input->problem();
        e["hint"] = input->hint();
    }
    std::cout << nlohmann::json{{"error", e}, {"exit_code", exit_code}}.dump(2) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    using namespace pkilab;
    cli::Cli cli;
    CLI::App app{"pkilab: a lab certificate authority (root and issuing CAs, templates, requests, revocation)"};
    app.require_subcommand(1);
    const char* env_state = std::getenv("PKILAB_STATE");
    cli.state_dir = env_state != nullptr && *env_state != '\0' ? env_state : "pkilab-state";
    cli.state_given = env_state != nullptr && *env_state != '\0';
    app.add_option("--state", cli.state_dir, "The lab's state folder (default $PKILAB_STATE, else ./pkilab-state)")
        ->each([&cli](const std::string&) { cli.state_given = true; });
    app.add_flag("--json", cli.json, "Print results as JSON");
    app.set_version_flag("--version", "pkilab 0.1.0");

    cli::add_lab_commands(app, cli);
    cli::add_ca_commands(app, cli);
    cli::add_template_commands(app, cli);
    cli::add_request_commands(app, cli);
    cli::add_cert_commands(app, cli);
    cli::add_clock_commands(app, cli);
    cli::add_key_commands(app, cli);
    cli::add_check_commands(app, cli);
    cli::add_serve_commands(app, cli);
    cli::add_crl_commands(app, cli);
    cli::add_web_commands(app, cli);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? kExitOk : kExitBadInput;
    } catch (const Error& e) {
        std::cerr << "pkilab: " << e.what() << "\n";
        if (cli.json) print_json_error(category_name(e.category()), e.what(), dynamic_cast<const InputError*>(&e), exit_code_for(e));
        return exit_code_for(e);
    } catch (const std::exception& e) {
        std::cerr << "pkilab: internal error: " << e.what() << "\n";
        if (cli.json) print_json_error("internal", e.what(), nullptr, kExitInternal);
        return kExitInternal;
    }
    return cli.exit_code;
}
