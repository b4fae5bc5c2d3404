#include "ca/keys/key_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "ca/bytes.hpp"
#include "ca/errors.hpp"
#include "ca/keys/key.hpp"
#include "ca/ossl/error.hpp"
#include "ca/unique_fd.hpp"
#include "ca/x509/pem.hpp"

namespace pkilab {

namespace {

constexpr size_t kMaxKeyFileBytes = 1024 * 1024;
constexpr size_t kMaxPassphraseFileBytes = 4096;

// Wipes a string that held key material before its memory is released.
class Wiped {
public:
    explicit Wiped(std::string& s) : s_(s) {}
    ~Wiped() { OPENSSL_cleanse(s_.data(), s_.size()); }
    Wiped(const Wiped&) = delete;
    Wiped& operator=(const Wiped&) = delete;

private:
    std::string& s_;
};

// A missing folder or a permission problem is the user's to fix; anything else is ours.
[[noreturn]] void io_fail(const std::filesystem::path& path, const std::string& action, int err) {
    const std::string message = action + ": " + std::strerror(err);
    if (err == ENOENT || err == ENOTDIR || err == EACCES || err == EPERM || err == EROFS || err == EISDIR)
        throw InputError(path.string(), "", message);
    throw InternalError(path.string() + ": " + message);
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    if (n <= 0) throw InternalError("empty output from a memory BIO");
    return std::string(data, static_cast<size_t>(n));
}

std::string mode_text(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

// Opens a key file, refusing it unless it is a regular file that only its owner can access.
std::string read_key_file(const std::filesystem::path& path) {
    const std::string name = path.string();
    UniqueFd fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) io_fail(path, "cannot open the key file", errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) io_fail(path, "cannot stat the key file", errno);
    if (!S_ISREG(st.st_mode)) throw InputError(name, "", "key file is not a regular file");
    if ((st.st_mode & 077) != 0)
        throw InputError(name, "mode",
                         "key file has mode " + mode_text(st.st_mode) +
                             ": group or others can access it",
                         "chmod 600 " + name);
    if (static_cast<unsigned long long>(st.st_size) > kMaxKeyFileBytes)
        throw InputError(name, "size", "key file is larger than " + std::to_string(kMaxKeyFileBytes) + " bytes");
    std::string content(kMaxKeyFileBytes + 1, '\0');
    size_t used = 0;
    while (used < content.size()) {
        ssize_t n = ::read(fd.get(), content.data() + used, content.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            io_fail(path, "cannot read the key file", errno);
        }
        if (n == 0) break;
        used += static_cast<size_t>(n);
    }
    if (used > kMaxKeyFileBytes)
        throw InputError(name, "size", "key file is larger than " + std::to_string(kMaxKeyFileBytes) + " bytes");
    content.resize(used);
    return content;
}

struct PassphraseContext {
    const std::string* passphrase = nullptr;
};

// Hands the passphrase to OpenSSL. Without one it refuses, so OpenSSL never prompts on a terminal.
int passphrase_callback(char* buf, int size, int /*rwflag*/, void* u) {
    const auto* ctx = static_cast<const PassphraseContext*>(u);
    if (ctx == nullptr || ctx->passphrase == nullptr) return -1;
    const std::string& p = *ctx->passphrase;
    if (size < 0 || p.size() > static_cast<size_t>(size)) return -1;
    std::memcpy(buf, p.data(), p.size());
    return static_cast<int>(p.size());
}

bool is_env_name(std::string_view s) {
    if (s.empty()) return false;
    if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

}  // namespace

void check_passphrase_source(std::string_view spec, std::string_view where) {
    if (spec.empty()) return;
    // The spec is never echoed: someone may have written the passphrase itself here.
    const char* hint = "write env:VARIABLE_NAME or file:/path/to/passphrase";
    if (spec.starts_with("env:")) {
        if (!is_env_name(spec.substr(4)))
            throw InputError(std::string(where), "", "env: needs a variable name ([A-Za-z_][A-Za-z0-9_]*)", hint);
        return;
    }
    if (spec.starts_with("file:")) {
        std::string_view path = spec.substr(5);
        if (path.empty()) throw InputError(std::string(where), "", "file: needs a path", hint);
        if (path.find('\0') != std::string_view::npos)
            throw InputError(std::string(where), "", "the path contains a NUL byte", hint);
        return;
    }
    throw InputError(std::string(where), "", "not a passphrase source (the value is not shown)", hint);
}

std::string resolve_passphrase(const PassphraseSource& source) {
    check_passphrase_source(source.spec, "passphrase source");
    if (source.empty()) throw InputError("passphrase source", "", "no passphrase source given");
    const std::string& spec = source.spec;
    if (spec.starts_with("env:")) {
        const std::string var = spec.substr(4);
        const char* value = std::getenv(var.c_str());
        if (value == nullptr)
            throw InputError(spec, "", "environment variable " + var + " is not set",
                             "export " + var + " before running pkilab");
        if (*value == '\0') throw InputError(spec, "", "environment variable " + var + " is empty");
        return value;
    }
    Bytes bytes = read_file(spec.substr(5), kMaxPassphraseFileBytes);
    std::string p(bytes.begin(), bytes.end());
    OPENSSL_cleanse(bytes.data(), bytes.size());
    if (!p.empty() && p.back() == '\n') p.pop_back();
    if (!p.empty() && p.back() == '\r') p.pop_back();
    if (p.find('\0') != std::string::npos) {
        OPENSSL_cleanse(p.data(), p.size());
        throw InputError(spec, "", "passphrase file contains a NUL byte");
    }
    if (p.empty()) throw InputError(spec, "", "passphrase file is empty");
    return p;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           std::filesystem::perms mode) {
    std::filesystem::path dir = path.parent_path();
    if (dir.empty()) dir = ".";
    unsigned char rnd[8];
    ossl::check(RAND_bytes(rnd, sizeof rnd), "RAND_bytes");
    const std::filesystem::path tmp = dir / ("." + path.filename().string() + ".tmp-" + to_hex(rnd));

    // Created 0600 and set to the final mode only when complete, whatever the umask.
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) io_fail(path, "cannot create a file next to it", errno);
    struct Unlink {
        const std::filesystem::path& p;
        bool armed = true;
        ~Unlink() {
            if (armed) ::unlink(p.c_str());
        }
    } cleanup{tmp};

    size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            io_fail(path, "cannot write", errno);
        }
        done += static_cast<size_t>(n);
    }
    if (::fchmod(fd.get(), static_cast<mode_t>(mode) & 07777) != 0) io_fail(path, "cannot set the mode", errno);
    if (::fsync(fd.get()) != 0) io_fail(path, "cannot sync", errno);
    if (fd.close() != 0) io_fail(path, "cannot close", errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0) io_fail(path, "cannot rename the new file into place", errno);
    cleanup.armed = false;

    // The rename is durable only once the folder itself is synced.
    UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd.get() < 0) io_fail(dir, "cannot open the folder to sync it", errno);
    if (::fsync(dfd.get()) != 0 && errno != EINVAL) io_fail(dir, "cannot sync the folder", errno);
}

void save_private_key(const std::filesystem::path& path, const EVP_PKEY* key,
                      const std::optional<std::string>& passphrase) {
    if (key == nullptr) throw InternalError("save_private_key: no key");
    if (passphrase && passphrase->empty())
        throw InputError(path.string(), "passphrase", "empty passphrase", "give a non-empty passphrase");
    ossl::BioPtr bio(BIO_new(BIO_s_secmem()));
    ossl::check(bio.get(), "BIO_new");
    // PKCS#8 v2 encryption uses PBKDF2 (HMAC-SHA256) in OpenSSL 3.
    const int ok = passphrase
                       ? PEM_write_bio_PKCS8PrivateKey(bio.get(), key, EVP_aes_256_cbc(), passphrase->data(),
                                                       static_cast<int>(passphrase->size()), nullptr, nullptr)
                       : PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    ossl::check(ok, "encoding the private key");
    std::string pem = bio_text(bio.get());
    Wiped wipe(pem);
    write_file_atomically(path, pem, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

ossl::PkeyPtr load_private_key(const std::filesystem::path& path, const std::optional<std::string>& passphrase) {
    const std::string name = path.string();
    std::string content = read_key_file(path);
    Wiped wipe(content);
    const bool encrypted = content.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string::npos ||
                           content.find("Proc-Type: 4,ENCRYPTED") != std::string::npos;
    ossl::BioPtr bio(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
    ossl::check(bio.get(), "BIO_new_mem_buf");
    PassphraseContext ctx{passphrase ? &*passphrase : nullptr};
    ossl::PkeyPtr key;
    {
        ossl::ErrorMark mark;
        key.reset(PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, passphrase_callback, &ctx, nullptr, nullptr));
    }
    if (!key) {
        if (encrypted && !passphrase)
            throw InputError(name, "passphrase", "the key file is encrypted and no passphrase was given",
                             "set key_passphrase for this CA");
        if (encrypted)
            throw InputError(name, "passphrase", "cannot decrypt the key file: wrong passphrase",
                             "check the passphrase source");
        throw InputError(name, "", "no PEM private key found (unreadable or corrupt file)");
    }
    try {
        describe_key(key.get());
    } catch (const InputError& e) {
        throw InputError(name, e.field(), e.problem(), e.hint());
    }
    return key;
}

std::string private_key_to_pem(const EVP_PKEY* key) {
    ossl::BioPtr bio(BIO_new(BIO_s_secmem()));
    ossl::check(bio.get(), "BIO_new");
    ossl::check(PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
                "encoding the private key");
    return bio_text(bio.get());
}

std::string public_key_to_pem(const EVP_PKEY* key) {
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    ossl::check(bio.get(), "BIO_new");
    ossl::check(PEM_write_bio_PUBKEY(bio.get(), key), "encoding the public key");
    return bio_text(bio.get());
}

}  // namespace pkilab
