#include "webenroll/certsrv/certsrv_forms.hpp"

#include <array>
#include <cstdio>

#include "ca/errors.hpp"

namespace pkilab::web::certsrv {

namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kDashes = "-----";
constexpr const char* kCsrHint =
    "paste the PKCS#10 request: the whole PEM text (-----BEGIN CERTIFICATE REQUEST----- to -----END CERTIFICATE "
    "REQUEST-----) or its base64 body";
constexpr const char* kSanHint = "write SAN:dns=host.example&dns=other.example (types: dns, email, upn, ipaddress, url, guid, dn)";
constexpr std::array<std::string_view, 7> kSanTypes{"dns", "email", "upn", "ipaddress", "url", "guid", "dn"};

[[noreturn]] void refuse(const std::string& field, const std::string& problem, const std::string& hint = {}) {
    throw InputError(kFormWhere, field, problem, hint);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_control(char c) { return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f; }
bool is_alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_base64(char c) { return is_alnum(c) || c == '+' || c == '/'; }

std::string_view trim(std::string_view s, bool (*drop)(char)) {
    while (!s.empty() && drop(s.front())) s.remove_prefix(1);
    while (!s.empty() && drop(s.back())) s.remove_suffix(1);
    return s;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

// A byte for a message: "0x0A".
std::string describe(char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(c)));
    return buf;
}

// Outside text quoted in a message: printable ASCII only, and short.
std::string printable(std::string_view s, std::size_t max = 40) {
    std::string out;
    for (char c : s.substr(0, max)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    if (s.size() > max) out += "...";
    return out;
}

// Where the base64 body of the field starts and ends, once the PEM frame (if any) is checked.
std::string_view pem_body(std::string_view text) {
    const std::size_t begin = text.find(kBegin);
    if (begin == std::string_view::npos) {
        if (text.find(kDashes) != std::string_view::npos)
            refuse("CertRequest", "has a ----- line that is not a -----BEGIN line", kCsrHint);
        return text;
    }
    if (begin != 0) refuse("CertRequest", "has text before its -----BEGIN line", "paste the request alone");
    const std::size_t label_end = text.find(kDashes, kBegin.size());
    if (label_end == std::string_view::npos)
        refuse("CertRequest", "has a -----BEGIN line that does not end in -----", kCsrHint);
    const std::string_view label = text.substr(kBegin.size(), label_end - kBegin.size());
    if (label != "CERTIFICATE REQUEST" && label != "NEW CERTIFICATE REQUEST") {
        if (label.find("PRIVATE KEY") != std::string_view::npos)
            refuse("CertRequest", "holds a private key, not a certificate request",
                   "never send a private key anywhere; send the CSR made with it (and consider the key exposed)");
        if (label == "CERTIFICATE" || label == "X509 CERTIFICATE" || label == "TRUSTED CERTIFICATE")
            refuse("CertRequest", "holds a certificate, not a certificate request", "send the CSR, not a certificate");
        refuse("CertRequest", "holds a PEM block labelled '" + printable(label) + "', not a certificate request", kCsrHint);
    }
    const std::string end_line = "-----END " + std::string(label) + "-----";
    const std::size_t end = text.find(end_line, label_end + kDashes.size());
    if (end == std::string_view::npos)
        refuse("CertRequest", "has no " + end_line + " line", "paste the whole request, down to its END line");
    if (!trim(text.substr(end + end_line.size()), is_space).empty())
        refuse("CertRequest", "has text after its -----END line", "send one request, alone");
    const std::string_view body = text.substr(label_end + kDashes.size(), end - label_end - kDashes.size());
    if (body.find(':') != std::string_view::npos)
        refuse("CertRequest", "has PEM header lines (such as Proc-Type:); a certificate request has none", kCsrHint);
    return body;
}

std::vector<SanEntry> parse_san(std::string_view value, const std::string& field) {
    if (value.empty()) refuse(field, "is a SAN attribute without names", kSanHint);
    std::vector<SanEntry> out;
    std::size_t k = 0;
    for (std::size_t pos = 0; pos <= value.size();) {
        std::size_t amp = value.find('&', pos);
        if (amp == std::string_view::npos) amp = value.size();
        const std::string_view entry = trim(value.substr(pos, amp - pos), is_blank);
        pos = amp + 1;
        if (++k > kMaxSanEntries)
            refuse(field, "has more than " + std::to_string(kMaxSanEntries) + " names in its SAN attribute");
        const std::string which = "SAN name " + std::to_string(k);
        if (entry.empty()) refuse(field, which + " is empty ('&' at an end, or two in a row)", kSanHint);
        const std::size_t eq = entry.find('=');
        if (eq == std::string_view::npos) refuse(field, which + " is not type=value", kSanHint);
        SanEntry e;
        for (char c : trim(entry.substr(0, eq), is_blank)) e.type.push_back(lower(c));
        e.value = std::string(trim(entry.substr(eq + 1), is_blank));
        bool known = false;
        for (auto t : kSanTypes) known = known || e.type == t;
        if (!known) refuse(field, which + " has the unknown type '" + printable(e.type) + "'", kSanHint);
        if (e.value.empty()) refuse(field, which + " (" + e.type + ") has no value", kSanHint);
        out.push_back(std::move(e));
    }
    return out;
}

void check_template_name(std::string_view value, const std::string& field) {
    if (value.empty()) refuse(field, "has an empty template name", "write e.g. CertificateTemplate:WebServer");
    if (value.size() > kMaxTemplateNameChars)
        refuse(field, "has a template name longer than " + std::to_string(kMaxTemplateNameChars) + " characters");
    for (char c : value)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            refuse(field, "has a template name that is not printable ASCII (" + describe(c) + ")");
}

}  // namespace

Bytes normalize_csr_text(std::string_view text) {
    if (text.size() > kMaxCertRequestChars)
        refuse("CertRequest", "is " + std::to_string(text.size()) + " characters long; at most " +
                                  std::to_string(kMaxCertRequestChars) + " are taken",
               "a CSR is a few KiB: send one request");
    const std::string_view trimmed = trim(text, is_space);
    if (trimmed.empty()) refuse("CertRequest", "is empty", kCsrHint);
    const std::string_view body = pem_body(trimmed);

    std::string clean;
    clean.reserve(body.size());
    std::size_t pad = 0;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (is_space(c)) continue;
        if (c == '=') {
            ++pad;
        } else if (!is_base64(c)) {
            const std::size_t at = static_cast<std::size_t>(body.data() - text.data()) + i;
            refuse("CertRequest", "has a character that is not base64 (" + describe(c) + " at character " +
                                      std::to_string(at + 1) + ")",
                   kCsrHint);
        } else if (pad > 0) {
            refuse("CertRequest", "has base64 after its '=' padding", kCsrHint);
        }
        clean.push_back(c);
    }
    if (pad > 2) refuse("CertRequest", "ends in more than two '=' padding characters", kCsrHint);
    if (clean.size() % 4 != 0)
        refuse("CertRequest", "is cut short: its base64 has " + std::to_string(clean.size()) +
                                  " characters, not a multiple of 4",
               "paste the whole request");
    Bytes der = base64_decode(clean, "CertRequest");
    if (der.empty()) refuse("CertRequest", "holds no bytes", kCsrHint);
    // A PKCS#10 request is a DER SEQUENCE; anything else (a PKCS#7 renewal, a text file encoded
    // twice) is refused here with a clearer word than the CSR parser's.
    if (der.front() != 0x30)
        refuse("CertRequest", "does not decode to a DER SEQUENCE (its first byte is " +
                                  describe(static_cast<char>(der.front())) + "), so it is no PKCS#10 request",
               kCsrHint);
    return der;
}

CertAttributes parse_cert_attrib(std::string_view text) {
    if (text.size() > kMaxCertAttribChars)
        refuse("CertAttrib", "is " + std::to_string(text.size()) + " characters long; at most " +
                                 std::to_string(kMaxCertAttribChars) + " are taken");
    CertAttributes out;
    bool have_template = false, have_san = false;
    std::size_t line_no = 0, count = 0;
    for (std::size_t pos = 0; pos <= text.size();) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const std::string field = "CertAttrib line " + std::to_string(line_no);
        for (char c : line)
            if (is_control(c))
                refuse(field, "has a control character (" + describe(c) + ")", "one attribute a line, as name:value");
        line = trim(line, is_blank);
        if (line.empty()) continue;
        if (++count > kMaxAttributes) refuse("CertAttrib", "has more than " + std::to_string(kMaxAttributes) + " attributes");

        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) refuse(field, "is not name:value", "write e.g. CertificateTemplate:WebServer");
        const std::string_view name = trim(line.substr(0, colon), is_blank);
        const std::string_view value = trim(line.substr(colon + 1), is_blank);
        if (name.empty()) refuse(field, "has no attribute name before its ':'", "write e.g. CertificateTemplate:WebServer");
        if (name.size() > kMaxAttributeNameChars)
            refuse(field, "has an attribute name longer than " + std::to_string(kMaxAttributeNameChars) + " characters");
        for (char c : name)
            if (!is_alnum(c) && c != '_' && c != '-' && c != '.')
                refuse(field, "has a character not allowed in an attribute name (" + describe(c) + ")",
                       "attribute names are letters, digits, '_', '-' and '.'");
        if (value.size() > kMaxAttributeValueChars)
            refuse(field, "has a value longer than " + std::to_string(kMaxAttributeValueChars) + " characters");

        if (iequals(name, "CertificateTemplate")) {
            if (have_template) refuse(field, "names a second certificate template", "give one CertificateTemplate line");
            check_template_name(value, field);
            have_template = true;
            out.template_name = std::string(value);
        } else if (iequals(name, "SAN")) {
            if (have_san) refuse(field, "is a second SAN attribute", "put every name in one SAN line, joined by '&'");
            have_san = true;
            out.san = parse_san(value, field);
            out.san_text = std::string(value);
        } else {
            out.other_names.emplace_back(name);
        }
    }
    return out;
}

std::string parse_template_field(std::string_view value) {
    const std::string_view name = trim(value, is_blank);
    check_template_name(name, "CertificateTemplate");
    return std::string(name);
}

Encoding parse_encoding(std::string_view value, Encoding absent) {
    if (value.empty()) return absent;
    if (iequals(value, "bin")) return Encoding::Der;
    if (iequals(value, "b64")) return Encoding::Pem;
    refuse("Enc", "must be bin (DER) or b64 (PEM), not '" + printable(value) + "'");
}

RequestIdParam parse_request_id_param(std::string_view value) {
    if (iequals(value, "CACert")) return {true, 0};
    return {false, parse_request_id(value)};
}

std::int64_t parse_request_id(std::string_view value, std::string_view field) {
    const std::string f(field);
    if (value.empty()) refuse(f, "is missing", "give the request id, e.g. " + f + "=12");
    if (value.size() > 15) refuse(f, "has more than 15 digits; no request id is that large");
    std::int64_t id = 0;
    for (char c : value) {
        if (!is_digit(c)) refuse(f, "is not a request id: '" + printable(value) + "' (digits only, or CACert for the CA certificate)");
        id = id * 10 + (c - '0');
    }
    if (id == 0) refuse(f, "is 0; request ids start at 1");
    return id;
}

unsigned parse_renewal(std::string_view value) {
    if (value.empty()) return 0;
    if (value.size() > 4) refuse("Renewal", "must be a renewal index from 0 to 9999");
    unsigned n = 0;
    for (char c : value) {
        if (!is_digit(c)) refuse("Renewal", "must be a renewal index from 0 to 9999, not '" + printable(value) + "'");
        n = n * 10 + static_cast<unsigned>(c - '0');
    }
    return n;
}

CrlKind parse_crl_type(std::string_view value) {
    if (value.empty() || iequals(value, "base")) return CrlKind::Base;
    if (iequals(value, "delta")) return CrlKind::Delta;
    refuse("Type", "must be base or delta, not '" + printable(value) + "'");
}

}  // namespace pkilab::web::certsrv
