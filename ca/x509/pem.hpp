#pragma once
// Reading and writing certificates in the encodings admins hand around.
#include <filesystem>
#include <string>
#include <vector>

#include "ca/bytes.hpp"
#include "ca/ossl/ptr.hpp"

namespace pkilab {

inline constexpr size_t kMaxCertificateBytes = 64 * 1024;

// One certificate from PEM or DER; trailing bytes and oversize input are InputErrors naming
// `where`.
ossl::X509Ptr parse_certificate(ByteView input, std::string_view where);
// Every certificate in a PEM bundle (or a single DER certificate).
std::vector<ossl::X509Ptr> parse_certificates(ByteView input, std::string_view where);

Bytes certificate_der(const X509* cert);
std::string certificate_pem(const X509* cert);
// A degenerate PKCS#7 SignedData (certs-only), DER, as certsrv and EST hand out chains.
Bytes pkcs7_certs_only(const std::vector<const X509*>& certs);
std::string pkcs7_pem(ByteView pkcs7_der);

// Any DER object as PEM with the given label ("X509 CRL", "CERTIFICATE").
std::string pem_encode(const char* label, ByteView der);

// Reads a whole file, refusing anything over `max_bytes` (InputError naming the file).
Bytes read_file(const std::filesystem::path& path, size_t max_bytes);

}  // namespace pkilab
