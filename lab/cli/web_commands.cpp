// pkilab web hash-password | hash-token | new-token: credentials for the lab file's web.users.
// They open no lab: what they print goes into a lab file, which may not be up yet.
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "ca/auth/password_hash.hpp"
#include "ca/auth/token_hash.hpp"
#include "lab/cli/cli.hpp"

namespace pkilab::cli {

namespace {

constexpr std::size_t kMaxSecretBytes = 4096;

// The terminal does not echo while this lives, and echoes again however the read ends.
class EchoOff {
public:
    EchoOff() {
        if (tcgetattr(STDIN_FILENO, &saved_) != 0) return;
        termios quiet = saved_;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    ~EchoOff() {
        if (active_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    termios saved_{};
    bool active_ = false;
};

// One line of stdin without its newline (nor the CR before it, from a file written on Windows).
std::string read_line(const std::string& what) {
    std::string line;
    char c = 0;
    while (std::cin.get(c) && c != '\n') {
        line.push_back(c);
        if (line.size() > kMaxSecretBytes)
            throw InputError("stdin", "", "the " + what + " is longer than " + std::to_string(kMaxSecretBytes) + " bytes",
                             "give it on one line");
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

// From a terminal: asked twice, not echoed. From a pipe or file: its first line.
std::string read_secret(const std::string& what) {
    std::string secret;
    if (isatty(STDIN_FILENO) != 0) {
        auto ask = [&](const std::string& prompt) {
            std::cerr << prompt << std::flush;
            std::string line;
            {
                EchoOff quiet;
                line = read_line(what);
            }
            std::cerr << "\n";
            return line;
        };
        std::string prompt = what + ": ";
        prompt[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(prompt[0])));
        secret = ask(prompt);
        if (!secret.empty() && ask("Again: ") != secret)
            throw InputError("stdin", "", "the two " + what + "s differ", "type the same " + what + " twice");
    } else {
        secret = read_line(what);
    }
    if (secret.empty())
        throw InputError("stdin", "", "the " + what + " is empty", "give it on the first line of stdin, or type it");
    return secret;
}

}  // namespace

void add_web_commands(CLI::App& app, Cli& cli) {
    auto* web = app.add_subcommand("web", "Credentials for the lab file's web users (web.users); no lab needed");
    web->require_subcommand(1);

    auto iterations = std::make_shared<std::uint32_t>(kDefaultPbkdf2Iterations);
    auto* hash_pw = web->add_subcommand("hash-password",
                                        "Read a password from stdin and print its password_hash (PBKDF2-HMAC-SHA256)");
    hash_pw->add_option("--iterations", *iterations, "PBKDF2 iterations")
        ->check(CLI::Range(kMinPbkdf2Iterations, kMaxPbkdf2Iterations))
        ->default_val(kDefaultPbkdf2Iterations);
    hash_pw->callback([&cli, iterations] {
        const std::string phc = hash_password(read_secret("password"), *iterations);
        cli.emit({{"password_hash", phc}}, phc + "\n");
    });

    web->add_subcommand("hash-token", "Read a bearer token from stdin and print its token_sha256")->callback([&cli] {
        const std::string hex = token_sha256(read_secret("token"));
        cli.emit({{"token_sha256", hex}}, hex + "\n");
    });

    web->add_subcommand("new-token", "Print a new random bearer token and, on a second line, its token_sha256")
        ->callback([&cli] {
            const std::string token = new_token();
            const std::string hex = token_sha256(token);
            cli.emit({{"token", token}, {"token_sha256", hex}}, token + "\n" + hex + "\n");
        });
}

}  // namespace pkilab::cli
