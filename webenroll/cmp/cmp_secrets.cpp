#include "webenroll/cmp/cmp_secrets.hpp"

#include <system_error>

#include "ca/auth/token_hash.hpp"
#include "ca/errors.hpp"
#include "ca/keys/key_file.hpp"
#include "ca/x509/pem.hpp"

namespace pkilab::web {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxSecretFileBytes = 4096;

Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string trimmed_line(const Bytes& content) {
    std::string s(content.begin(), content.end());
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

CmpSharedSecret generated(const fs::path& folder) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw InternalError("cannot create " + folder.string() + ": " + ec.message());
    fs::permissions(folder, fs::perms::owner_all, ec);
    const fs::path file = folder / "secret";
    if (fs::exists(file)) {
        const fs::perms p = fs::status(file).permissions();
        if ((p & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none)
            throw InputError(file.string(), "mode", "the CMP secret file may be read by others than its owner",
                             "chmod 600 " + file.string() + ", or delete it to have a new secret made");
        const std::string secret = trimmed_line(read_file(file, kMaxSecretFileBytes));
        if (!secret.empty()) return {kGeneratedCmpReference, to_bytes(secret)};
    }
    const std::string secret = new_token();
    write_file_atomically(file, secret + "\n", fs::perms::owner_read | fs::perms::owner_write);
    return {kGeneratedCmpReference, to_bytes(secret)};
}

}  // namespace

fs::path cmp_folder(const fs::path& state_dir) { return state_dir / "cmp"; }

CmpSecrets load_cmp_secrets(const CmpConfig& config, const fs::path& state_dir) {
    CmpSecrets out;
    if (config.secrets.empty()) {
        out.entries.push_back(generated(cmp_folder(state_dir)));
        out.generated_file = cmp_folder(state_dir) / "secret";
        return out;
    }
    for (const auto& s : config.secrets) {
        if (s.secret.starts_with("env:") || s.secret.starts_with("file:")) {
            std::string value;
            try {
                value = resolve_passphrase(PassphraseSource{s.secret});
            } catch (const InputError& e) {
                throw InputError(s.where, "protocols.cmp.secrets", "the secret of reference '" + s.reference +
                                 "' cannot be read: " + e.problem(), e.hint());
            }
            out.entries.push_back({s.reference, to_bytes(value)});
        } else {
            out.entries.push_back({s.reference, to_bytes(s.secret)});
        }
    }
    return out;
}

}  // namespace pkilab::web
