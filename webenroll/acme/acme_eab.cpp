#include "webenroll/acme/acme_eab.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "webenroll/acme/acme_base64url.hpp"
#include "webenroll/acme/acme_jwk.hpp"
#include "webenroll/acme/acme_model.hpp"
#include "webenroll/acme/acme_problem.hpp"

namespace pkilab::acme {

namespace {

constexpr std::size_t kMaxKeyFile = 64 * 1024;

std::string member(const nlohmann::json& j, const char* name) {
    const auto it = j.find(name);
    if (it == j.end() || !it->is_string()) malformed(std::string("the external account binding has no string \"") + name + "\"");
    return it->get<std::string>();
}

}  // namespace

std::optional<std::string> find_eab_key(const std::filesystem::path& file, const std::string& kid) {
    std::ifstream in(file);
    std::string line;
    std::size_t read = 0;
    while (std::getline(in, line) && (read += line.size()) < kMaxKeyFile) {
        std::istringstream fields(line);
        std::string k, key;
        if (fields >> k >> key && !k.starts_with("#") && k == kid) return key;
    }
    return std::nullopt;
}

std::string ensure_eab_keys(const std::filesystem::path& file) {
    if (!std::filesystem::exists(file)) {
        std::filesystem::create_directories(file.parent_path());
        const std::string text = "# ACME external account binding keys: KID KEY (base64url), one a line\nlab-eab-1 " + random_id(32) + "\n";
        const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0) throw std::runtime_error("cannot create " + file.string());
        const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
        ::close(fd);
        if (!ok) throw std::runtime_error("cannot write " + file.string());
    }
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string k, key;
        if (fields >> k >> key && !k.starts_with("#")) return k;
    }
    return {};
}

std::string verify_eab(const nlohmann::json& binding, const nlohmann::json& account_jwk, const std::string& url,
                       const std::filesystem::path& keys) {
    if (!binding.is_object()) malformed("the external account binding is not a JWS object");
    const std::string protected_b64 = member(binding, "protected"), payload_b64 = member(binding, "payload");
    const auto signature = b64url_decode(member(binding, "signature"));
    const auto header_bytes = b64url_decode(protected_b64);
    const auto payload_bytes = b64url_decode(payload_b64);
    if (!signature || !header_bytes || !payload_bytes) malformed("the external account binding is not base64url");
    const nlohmann::json header = nlohmann::json::parse(as_chars(*header_bytes), nullptr, false);
    if (!header.is_object()) malformed("the external account binding's header is not a JSON object");
    if (member(header, "alg") != "HS256")
        throw AcmeError(400, "badSignatureAlgorithm", "the external account binding must be MACed with HS256");
    if (header.contains("nonce")) malformed("the external account binding must not carry a nonce");
    if (member(header, "url") != url) malformed("the external account binding's url is not " + url);
    const std::string kid = member(header, "kid");
    const nlohmann::json bound = nlohmann::json::parse(as_chars(*payload_bytes), nullptr, false);
    if (!bound.is_object() || jwk_thumbprint(bound) != jwk_thumbprint(account_jwk))
        throw AcmeError(400, "malformed", "the external account binding is over another key than the account's");
    const auto key_text = find_eab_key(keys, kid);
    const auto key = key_text ? b64url_decode(*key_text) : std::nullopt;
    if (!key || key->empty()) throw AcmeError(403, "unauthorized", "no external account key named '" + kid.substr(0, 64) + "'");
    const std::string input = protected_b64 + "." + payload_b64;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()), reinterpret_cast<const unsigned char*>(input.data()), input.size(),
              mac, &len))
        throw std::runtime_error("HMAC failed");
    if (signature->size() != len || CRYPTO_memcmp(signature->data(), mac, len) != 0)
        throw AcmeError(403, "unauthorized", "the external account binding's MAC does not verify under key '" + kid.substr(0, 64) + "'");
    return kid;
}

}  // namespace pkilab::acme
