#include "webenroll/est/est_body.hpp"

#include <openssl/pem.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/ossl/ptr.hpp"
#include "ca/text.hpp"

namespace pkilab::web::est {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Some clients send the PEM file as it is: its DER, by OpenSSL's PEM reader.
Bytes pem_csr_der(std::string_view body) {
    ossl::ErrorMark mark;
    ossl::BioPtr bio(ossl::check(BIO_new_mem_buf(body.data(), static_cast<int>(body.size())), "BIO_new_mem_buf"));
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    const int ok = PEM_read_bio(bio.get(), &name, &header, &data, &len);
    ossl::OsslStringPtr owned_name(name), owned_header(header);
    ossl::OsslBytesPtr owned_data(data);
    if (ok != 1 || len <= 0)
        throw InputError(kBodyWhere, "body", "looks like PEM but OpenSSL cannot read it",
                         "send the base64 of the DER (openssl req -outform DER | base64)");
    const std::string_view label(name);
    if (label != "CERTIFICATE REQUEST" && label != "NEW CERTIFICATE REQUEST")
        throw InputError(kBodyWhere, "body", "is a PEM '" + printable(label) + "', not a CERTIFICATE REQUEST");
    return Bytes(data, data + len);
}

}  // namespace

std::string media_type(std::string_view content_type) {
    return ascii_lower(trim(content_type.substr(0, content_type.find(';'))));
}

Bytes decode_csr_body(std::string_view content_type, std::string_view transfer_encoding, std::string_view body) {
    const std::string type = media_type(content_type);
    if (!type.empty() && type != "application/pkcs10")
        throw InputError(kBodyWhere, "Content-Type",
                         "is '" + printable(type) + "'; an EST enrollment carries application/pkcs10",
                         "send the base64 DER of the CSR with -H 'Content-Type: application/pkcs10'");
    const std::string encoding = ascii_lower(trim(transfer_encoding));
    if (!encoding.empty() && encoding != "base64" && encoding != "binary")
        throw InputError(kBodyWhere, "Content-Transfer-Encoding",
                         "is '" + printable(encoding) + "'; EST bodies are base64 (RFC 8951)");
    if (body.empty())
        throw InputError(kBodyWhere, "body", "is empty; it should be the base64 DER of a PKCS#10 request",
                         "openssl req -new ... -outform DER | base64 > csr.b64; curl --data-binary @csr.b64 ...");
    if (encoding == "binary") return Bytes(body.begin(), body.end());
    if (body.find("-----BEGIN") != std::string_view::npos) return pem_csr_der(body);
    Bytes der = base64_decode(body, "EST request body (base64 DER of a PKCS#10 request)");
    if (der.empty())
        throw InputError(kBodyWhere, "body", "holds only whitespace; it should be the base64 DER of a PKCS#10 request");
    return der;
}

std::string base64_lines(ByteView der) {
    const std::string flat = base64_encode(der);
    std::string out;
    out.reserve(flat.size() + flat.size() / 32 + 2);
    for (size_t at = 0; at < flat.size(); at += 64) {
        out.append(flat, at, 64);
        out += "\n";
    }
    return out;
}

}  // namespace pkilab::web::est
