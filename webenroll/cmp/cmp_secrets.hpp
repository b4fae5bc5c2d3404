#pragma once
// The shared secrets of MAC-protected CMP requests (RFC 9483 §3.2, PBM): the lab file's
// protocols.cmp.secrets, or, when it names none, one reference and secret generated at the
// first start and kept in STATE/cmp/secret (mode 0600).
#include <filesystem>
#include <string>
#include <vector>

#include "ca/bytes.hpp"
#include "ca/config/cmp_config.hpp"

namespace pkilab::web {

struct CmpSharedSecret {
    std::string reference;  // the senderKID a client sends (openssl cmp -ref)
    Bytes secret;
};

inline constexpr const char* kGeneratedCmpReference = "pkilab-cmp";

// STATE/cmp: the generated secret and the CMP server's key and certificate.
std::filesystem::path cmp_folder(const std::filesystem::path& state_dir);

struct CmpSecrets {
    std::vector<CmpSharedSecret> entries;
    std::filesystem::path generated_file;  // set when the secret was generated (for the start-up note)
};

// Resolves the lab file's secrets ("env:NAME", "file:PATH" or the text itself); InputError
// naming the entry when one cannot be read. With none, reads or creates the generated one.
CmpSecrets load_cmp_secrets(const CmpConfig& config, const std::filesystem::path& state_dir);

}  // namespace pkilab::web
