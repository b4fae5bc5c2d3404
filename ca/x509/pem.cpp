#include "ca/x509/pem.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include <openssl/pem.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"

namespace pkilab {

namespace {

// A bundle is a chain or a trust store, not a database.
constexpr size_t kMaxBundleBytes = 4 * 1024 * 1024;
constexpr size_t kMaxBundleCertificates = 1000;

bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool only_whitespace(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return is_space(static_cast<unsigned char>(c)); });
}

// DER starts with a SEQUENCE tag; anything else is taken for PEM.
bool looks_like_der(ByteView input) { return !input.empty() && input[0] == 0x30; }

ossl::X509Ptr parse_der(ByteView der, std::string_view where) {
    if (der.size() > static_cast<size_t>(LONG_MAX)) throw InputError(std::string(where), "encoding", "input too large");
    const unsigned char* p = der.data();
    ossl::X509Ptr cert;
    {
        ossl::ErrorMark mark;
        cert.reset(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    }
    if (!cert)
        throw InputError(std::string(where), "encoding", "not a valid DER certificate (truncated or malformed)");
    const size_t used = static_cast<size_t>(p - der.data());
    if (used != der.size())
        throw InputError(std::string(where), "encoding",
                         std::to_string(der.size() - used) + " trailing bytes after the DER certificate",
                         "send exactly one certificate");
    return cert;
}

// Reads PEM blocks one at a time from a read-only memory BIO.
class PemReader {
public:
    PemReader(ByteView input, std::string_view where) : input_(as_chars(input)), where_(where) {
        bio_.reset(BIO_new_mem_buf(input_.data(), static_cast<int>(input_.size())));
        ossl::check(bio_.get(), "BIO_new_mem_buf");
    }

    // What has not been read yet.
    std::string_view rest() const {
        char* data = nullptr;
        long n = BIO_get_mem_data(bio_.get(), &data);
        return n > 0 ? std::string_view(data, static_cast<size_t>(n)) : std::string_view();
    }

    bool has_more_blocks() const { return rest().find("-----BEGIN ") != std::string_view::npos; }

    // The DER of the next block, which must be a certificate.
    Bytes next_certificate_der() {
        char* raw_name = nullptr;
        char* raw_header = nullptr;
        unsigned char* raw_data = nullptr;
        long len = 0;
        int ok = 0;
        {
            ossl::ErrorMark mark;
            ok = PEM_read_bio(bio_.get(), &raw_name, &raw_header, &raw_data, &len);
        }
        ossl::OsslStringPtr name(raw_name);
        ossl::OsslStringPtr header(raw_header);
        ossl::OsslBytesPtr data(raw_data);
        if (ok != 1 || len < 0)
            throw InputError(std::string(where_), "encoding", "malformed PEM (bad base64 or missing END line)");
        const std::string_view label(name.get());
        if (label != PEM_STRING_X509 && label != PEM_STRING_X509_OLD)
            throw InputError(std::string(where_), "encoding",
                             "PEM block '" + printable_label(label) + "' is not a CERTIFICATE");
        if (header && header.get()[0] != '\0')
            throw InputError(std::string(where_), "encoding", "PEM certificate block has headers");
        return Bytes(data.get(), data.get() + len);
    }

private:
    static std::string printable_label(std::string_view s) {
        std::string out;
        for (char c : s.substr(0, 40)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
        return out;
    }

    std::string_view input_;
    std::string_view where_;
    ossl::BioPtr bio_;
};

void check_not_empty(ByteView input, std::string_view where) {
    if (input.empty() || only_whitespace(as_chars(input)))
        throw InputError(std::string(where), "encoding", "empty input", "send a PEM or DER certificate");
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    if (n <= 0) throw InternalError("empty output from a memory BIO");
    return std::string(data, static_cast<size_t>(n));
}

}  // namespace

ossl::X509Ptr parse_certificate(ByteView input, std::string_view where) {
    if (input.size() > kMaxCertificateBytes)
        throw InputError(std::string(where), "size",
                         "input is " + std::to_string(input.size()) + " bytes; at most " +
                             std::to_string(kMaxCertificateBytes) + " are accepted");
    check_not_empty(input, where);
    if (looks_like_der(input)) return parse_der(input, where);

    PemReader reader(input, where);
    if (!reader.has_more_blocks())
        throw InputError(std::string(where), "encoding", "neither a PEM nor a DER certificate",
                         "send a file that starts with -----BEGIN CERTIFICATE----- or DER");
    Bytes der = reader.next_certificate_der();
    if (reader.has_more_blocks())
        throw InputError(std::string(where), "encoding", "more than one certificate where one was expected",
                         "send only the certificate itself, not a chain");
    if (!only_whitespace(reader.rest()))
        throw InputError(std::string(where), "encoding", "trailing data after the PEM block");
    return parse_der(der, where);
}

std::vector<ossl::X509Ptr> parse_certificates(ByteView input, std::string_view where) {
    if (input.size() > kMaxBundleBytes)
        throw InputError(std::string(where), "size",
                         "input is " + std::to_string(input.size()) + " bytes; at most " +
                             std::to_string(kMaxBundleBytes) + " are accepted");
    check_not_empty(input, where);
    std::vector<ossl::X509Ptr> certs;
    if (looks_like_der(input)) {
        certs.push_back(parse_der(input, where));
        return certs;
    }
    PemReader reader(input, where);
    if (!reader.has_more_blocks())
        throw InputError(std::string(where), "encoding", "no PEM certificate found");
    while (reader.has_more_blocks()) {
        if (certs.size() == kMaxBundleCertificates)
            throw InputError(std::string(where), "size",
                             "more than " + std::to_string(kMaxBundleCertificates) + " certificates");
        Bytes der = reader.next_certificate_der();
        certs.push_back(parse_der(der, where));
    }
    if (!only_whitespace(reader.rest()))
        throw InputError(std::string(where), "encoding", "trailing data after the last PEM block");
    return certs;
}

Bytes certificate_der(const X509* cert) {
    unsigned char* raw = nullptr;
    int len = i2d_X509(cert, &raw);
    ossl::OsslBytesPtr der(raw);
    if (len <= 0) ossl::throw_error("encoding a certificate");
    return Bytes(der.get(), der.get() + len);
}

std::string certificate_pem(const X509* cert) {
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    ossl::check(bio.get(), "BIO_new");
    ossl::check(PEM_write_bio_X509(bio.get(), cert), "writing a PEM certificate");
    return bio_text(bio.get());
}

Bytes pkcs7_certs_only(const std::vector<const X509*>& certs) {
    ossl::Pkcs7Ptr p7(PKCS7_new());
    ossl::check(p7.get(), "PKCS7_new");
    ossl::check(PKCS7_set_type(p7.get(), NID_pkcs7_signed), "PKCS7_set_type");
    ossl::check(PKCS7_content_new(p7.get(), NID_pkcs7_data), "PKCS7_content_new");
    for (const X509* cert : certs) {
        // PKCS7_add_certificate takes its own reference; the const_cast only satisfies its signature.
        ossl::check(PKCS7_add_certificate(p7.get(), const_cast<X509*>(cert)), "PKCS7_add_certificate");
    }
    unsigned char* raw = nullptr;
    int len = i2d_PKCS7(p7.get(), &raw);
    ossl::OsslBytesPtr der(raw);
    if (len <= 0) ossl::throw_error("encoding PKCS#7");
    return Bytes(der.get(), der.get() + len);
}

std::string pkcs7_pem(ByteView pkcs7_der) {
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    ossl::check(bio.get(), "BIO_new");
    ossl::check(PEM_write_bio(bio.get(), PEM_STRING_PKCS7, "", pkcs7_der.data(), static_cast<long>(pkcs7_der.size())),
                "writing PEM");
    return bio_text(bio.get());
}

Bytes read_file(const std::filesystem::path& path, size_t max_bytes) {
    const std::string name = path.string();
    int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) throw InputError(name, "", std::string("cannot open: ") + std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};

    struct stat st {};
    if (::fstat(fd, &st) != 0) throw InputError(name, "", std::string("cannot stat: ") + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw InputError(name, "", "not a regular file");
    if (static_cast<unsigned long long>(st.st_size) > max_bytes)
        throw InputError(name, "size",
                         "file is " + std::to_string(st.st_size) + " bytes; at most " +
                             std::to_string(max_bytes) + " are accepted");
    // Read at most one byte past the limit, in case the file grew after fstat.
    Bytes out(static_cast<size_t>(st.st_size) + 1);
    size_t used = 0;
    while (used <= max_bytes) {
        if (used == out.size()) out.resize(std::min(out.size() * 2, max_bytes + 1));
        ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw InputError(name, "", std::string("cannot read: ") + std::strerror(errno));
        }
        if (n == 0) break;
        used += static_cast<size_t>(n);
    }
    if (used > max_bytes)
        throw InputError(name, "size", "file is larger than " + std::to_string(max_bytes) + " bytes");
    out.resize(used);
    return out;
}

std::string pem_encode(const char* label, ByteView der) {
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    ossl::check(bio.get(), "BIO_new");
    ossl::check(PEM_write_bio(bio.get(), label, "", der.data(), static_cast<long>(der.size())) > 0, "PEM_write_bio");
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace pkilab
