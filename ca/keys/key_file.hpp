#pragma once
// CA private keys on disk: PKCS#8 PEM files of mode 0600, optionally encrypted with a
// passphrase that comes from an environment variable or a file and is never logged.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "ca/ossl/ptr.hpp"

namespace pkilab {

// "env:NAME" or "file:/path". An empty source means the key is stored unencrypted.
struct PassphraseSource {
    std::string spec;
    bool empty() const { return spec.empty(); }
};

// Reads the passphrase now. Throws InputError naming the source (never the passphrase) if
// the variable is unset, the file unreadable, or the passphrase empty. A trailing newline
// in a file is dropped.
std::string resolve_passphrase(const PassphraseSource& source);
// Checks the syntax of a source without reading it (lab validate). Throws InputError.
void check_passphrase_source(std::string_view spec, std::string_view where);

// Writes atomically (temp file in the same folder, fsync, rename) with mode 0600 from the
// start; encrypted PKCS#8 (AES-256-CBC, PBKDF2) when a passphrase is given.
void save_private_key(const std::filesystem::path& path, const EVP_PKEY* key,
                      const std::optional<std::string>& passphrase);

// Refuses a key file that is group- or world-accessible (InputError naming the file and its
// mode), a wrong passphrase, or an unparseable file.
ossl::PkeyPtr load_private_key(const std::filesystem::path& path,
                               const std::optional<std::string>& passphrase);

// Unencrypted PKCS#8 PEM of a private key, e.g. for `pkilab key new`.
std::string private_key_to_pem(const EVP_PKEY* key);
std::string public_key_to_pem(const EVP_PKEY* key);

// Writes `content` atomically with the given mode (used for keys, certificates and exports).
void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           std::filesystem::perms mode);

}  // namespace pkilab
