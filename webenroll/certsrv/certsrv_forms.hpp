#pragma once
// What certsrv clients send, read as hostile input: certfnsh.asp's CertRequest (the CSR as
// text) and CertAttrib (AD CS request attributes, one "name:value" a line), and the query
// parameters of the downloads (ReqID, Renewal, Enc, Type). Every refusal is an InputError
// naming the field and, for attributes, the line. Nothing here knows HTTP or the CA, so the
// unit tests and the fuzz target (tests/fuzz/fuzz_certsrv_form.cpp) take this file alone.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ca/bytes.hpp"
#include "ca/store/store.hpp"

namespace pkilab::web::certsrv {

inline constexpr const char* kFormWhere = "certsrv request";

inline constexpr std::size_t kMaxCertRequestChars = 64 * 1024;
inline constexpr std::size_t kMaxCertAttribChars = 16 * 1024;
inline constexpr std::size_t kMaxAttributes = 64;
inline constexpr std::size_t kMaxAttributeNameChars = 64;
inline constexpr std::size_t kMaxAttributeValueChars = 4096;
inline constexpr std::size_t kMaxTemplateNameChars = 128;
inline constexpr std::size_t kMaxSanEntries = 100;

// The CSR of the CertRequest field, as DER. Takes what AD CS takes from a paste: PEM labelled
// CERTIFICATE REQUEST or certreq's NEW CERTIFICATE REQUEST, or the bare base64 body; CRLF, LF,
// spaces and tabs anywhere. At most kMaxCertRequestChars. Only the text is checked here;
// parse_csr judges the DER.
Bytes normalize_csr_text(std::string_view text);

// One name of AD CS's SAN request attribute ("SAN:dns=a.example&upn=b@example").
struct SanEntry {
    std::string type;   // lower case: dns, email, upn, ipaddress, url, guid, dn
    std::string value;
};

struct CertAttributes {
    std::string template_name;             // CertificateTemplate:NAME; empty when the text has none
    std::vector<SanEntry> san;             // the SAN attribute's names, in order
    std::string san_text;                  // the SAN attribute's value as written (for the page)
    std::vector<std::string> other_names;  // names of the other attributes (AD CS stores them; nothing here reads them)
};

// CertAttrib: lines separated by CRLF or LF, each "name:value" (names case-insensitive, as
// AD CS takes them); blank lines skipped. At most kMaxCertAttribChars and kMaxAttributes.
CertAttributes parse_cert_attrib(std::string_view text);
// The advanced form's CertificateTemplate select (pkilab's own page; AD CS's page folds it into
// CertAttrib with a script, which the CSP forbids): the same rules as the attribute's value.
std::string parse_template_field(std::string_view value);

enum class Encoding { Der, Pem };  // Enc=bin, Enc=b64
// Enc: "bin" or "b64" (any case); `absent` when the value is empty.
Encoding parse_encoding(std::string_view value, Encoding absent);

// ReqID of certnew.cer / certnew.p7b: a request id or "CACert".
struct RequestIdParam {
    bool ca_certificate = false;
    std::int64_t id = 0;  // when !ca_certificate: 1 or more
};
RequestIdParam parse_request_id_param(std::string_view value);
// A request id alone (certckpn.asp, certfnsh.asp's chkpnd): 1 to 15 decimal digits, not 0.
std::int64_t parse_request_id(std::string_view value, std::string_view field = "ReqID");
// Renewal: the CA certificate's renewal index, 0 when absent; 0 to 9999.
unsigned parse_renewal(std::string_view value);
// certcrl.crl's Type: "base" (or absent) or "delta".
CrlKind parse_crl_type(std::string_view value);

}  // namespace pkilab::web::certsrv
