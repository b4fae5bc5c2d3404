#pragma once
// Shared state of one `pkilab` invocation: global options, the lab (opened on first use),
// and how results are printed (human text, or JSON with --json).
#include <filesystem>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ca/authority/lab.hpp"
#include "ca/clock.hpp"
#include "ca/errors.hpp"

namespace pkilab::cli {

class Cli {
public:
    std::string state_dir;  // --state, else $PKILAB_STATE, else ./pkilab-state
    bool state_given = false;  // by --state or $PKILAB_STATE: a lab file's lab.state does not override it
    bool json = false;      // --json
    int exit_code = kExitOk;

    Lab& lab();
    const Clock& system_clock() const { return system_clock_; }
    Requester requester(std::string channel = "cli") const;

    // Prints `j` with --json, otherwise `human` (which should end with a newline).
    void emit(const nlohmann::json& j, const std::string& human) const;

private:
    SystemClock system_clock_;
    std::unique_ptr<Lab> lab_;
};

// Each file registers its own subcommands.
void add_lab_commands(CLI::App& app, Cli& cli);
void add_ca_commands(CLI::App& app, Cli& cli);
void add_template_commands(CLI::App& app, Cli& cli);
void add_request_commands(CLI::App& app, Cli& cli);
void add_cert_commands(CLI::App& app, Cli& cli);
void add_clock_commands(CLI::App& app, Cli& cli);
void add_key_commands(CLI::App& app, Cli& cli);
void add_check_commands(CLI::App& app, Cli& cli);
void add_serve_commands(CLI::App& app, Cli& cli);  // after add_check_commands: adds `plugins reload`
void add_crl_commands(CLI::App& app, Cli& cli);
void add_web_commands(CLI::App& app, Cli& cli);

// After a revoke, hold or release on `ca`: publishes the CRL the CA's publish_on_revoke asks for,
// warning on stderr when that fails (the status change itself is recorded either way).
void publish_after_change(Cli& cli, const std::string& ca);

// Runs `f`, and names `csr_file` in a CSR error it throws: the pipeline knows it was given a
// CSR, the person needs to know which file.
template <class F>
auto naming_csr_file(const std::string& csr_file, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const InputError& e) {
        if (e.where() != "CSR") throw;
        throw InputError(csr_file + ": CSR", e.field(), e.problem(), e.hint());
    }
}

// Reads a file given on the command line, refusing anything over `max_bytes`.
std::string read_input_file(const std::string& path, std::size_t max_bytes, const std::string& option);
// Writes an output file (mode 0644, or 0600 for secrets); "-" writes to stdout.
void write_output_file(const std::string& path, std::string_view content, bool secret = false);

}  // namespace pkilab::cli
