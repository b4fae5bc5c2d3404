#include "lab/cli/cli.hpp"

#include <cstdlib>
#include <iostream>
#include <pwd.h>
#include <unistd.h>

#include "ca/keys/key_file.hpp"
#include "ca/x509/pem.hpp"

namespace pkilab::cli {

Lab& Cli::lab() {
    if (!lab_) lab_ = Lab::open(state_dir, system_clock_);
    return *lab_;
}

Requester Cli::requester(std::string channel) const {
    Requester r;
    const passwd* pw = getpwuid(getuid());
    r.identity = pw != nullptr ? pw->pw_name : "uid:" + std::to_string(getuid());
    r.role = "admin";  // a local user with access to the state folder holds the CA keys
    r.channel = std::move(channel);
    return r;
}

void Cli::emit(const nlohmann::json& j, const std::string& human) const {
    // Replace, not throw: a lab file may hold text that is not UTF-8 (a template description).
    if (json) std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    else std::cout << human;
}

std::string read_input_file(const std::string& path, std::size_t max_bytes, const std::string& option) {
    if (path == "-") {
        std::string data;
        char buf[4096];
        while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
            data.append(buf, static_cast<size_t>(std::cin.gcount()));
            if (data.size() > max_bytes)
                throw InputError(option, "stdin", "input is larger than " + std::to_string(max_bytes) + " bytes");
        }
        return data;
    }
    Bytes b = read_file(path, max_bytes);
    return std::string(as_chars(b));
}

void write_output_file(const std::string& path, std::string_view content, bool secret) {
    if (path == "-") {
        std::cout << content;
        return;
    }
    namespace fs = std::filesystem;
    auto mode = secret ? (fs::perms::owner_read | fs::perms::owner_write)
                       : (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    write_file_atomically(path, content, mode);
}

}  // namespace pkilab::cli
