// pkilab: a lab certificate authority. Exit codes: 0 success, 1 refused by policy,
// 2 bad input, 3 internal error.
#include <cstdlib>
#include <iostream>

#include "lab/cli/cli.hpp"

int main(int argc, char** argv) {
    using namespace pkilab;
    cli::Cli cli;
    CLI::App app{"pkilab: a lab certificate authority (root and issuing CAs, templates, requests, revocation)"};
    app.require_subcommand(1);
    const char* env_state = std::getenv("PKILAB_STATE");
    cli.state_dir = env_state != nullptr && *env_state != '\0' ? env_state : "pkilab-state";
    app.add_option("--state", cli.state_dir, "The lab's state folder (default $PKILAB_STATE, else ./pkilab-state)");
    app.add_flag("--json", cli.json, "Print results as JSON");
    app.set_version_flag("--version", "pkilab 0.1.0");

    cli::add_lab_commands(app, cli);
    cli::add_ca_commands(app, cli);
    cli::add_template_commands(app, cli);
    cli::add_request_commands(app, cli);
    cli::add_cert_commands(app, cli);
    cli::add_clock_commands(app, cli);
    cli::add_key_commands(app, cli);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? kExitOk : kExitBadInput;
    } catch (const Error& e) {
        std::cerr << "pkilab: " << e.what() << "\n";
        return exit_code_for(e);
    } catch (const std::exception& e) {
        std::cerr << "pkilab: internal error: " << e.what() << "\n";
        return kExitInternal;
    }
    return cli.exit_code;
}
