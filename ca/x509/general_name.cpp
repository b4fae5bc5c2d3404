#include "ca/x509/general_name.hpp"
#include "ca/text.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <optional>

#include <openssl/objects.h>

#include "ca/bytes.hpp"
#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/name.hpp"

namespace pkilab {

namespace {

constexpr const char* kUpnOid = "1.3.6.1.4.1.311.20.2.3";
constexpr size_t kMaxDnsName = 253;
constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxEmail = 255;
constexpr size_t kMaxEmailLocal = 64;
constexpr size_t kMaxUri = 4096;
constexpr size_t kMaxUpn = 1024;
constexpr size_t kMaxOtherDer = 4096;

class Checker {
public:
    Checker(std::string_view where, NameType type) : where_(where), field_(to_string(type)) {}

    [[noreturn]] void fail(const std::string& problem, const std::string& hint = {}) const {
        throw InputError(std::string(where_), field_, problem, hint);
    }

    // NUL, controls, spaces and non-ASCII: refused in every IA5String-based name.
    void ascii_only(std::string_view v, std::string_view what) const {
        for (unsigned char c : v) {
            if (c == 0) fail(std::string(what) + " contains a NUL byte");
            if (c == ' ') fail(std::string(what) + " contains a space");
            if (c < 0x20 || c == 0x7F) fail(std::string(what) + " contains a control character");
            if (c >= 0x80)
                fail(std::string(what) + " contains a non-ASCII character",
                     "use the ASCII (punycode, percent-encoded) form");
        }
    }

    void dns(std::string_view v, bool allow_wildcard, std::string_view what = "DNS name") const {
        const std::string w(what);
        if (v.empty()) fail("empty " + w);
        ascii_only(v, what);
        if (v.size() > kMaxDnsName)
            fail(w + " is " + std::to_string(v.size()) + " characters long; at most 253 are allowed");
        if (v.back() == '.') fail(w + " '" + std::string(v) + "' ends with a dot", "drop the trailing dot");
        size_t start = 0;
        for (int index = 0;; ++index) {
            size_t dot = v.find('.', start);
            std::string_view label = v.substr(start, dot == std::string_view::npos ? v.npos : dot - start);
            if (label.empty())
                fail(w + " '" + std::string(v) + "' has an empty label (\"..\" or a leading dot)");
            if (label == "*" && index == 0 && allow_wildcard) {
                if (dot == std::string_view::npos) fail("a wildcard needs a domain after \"*.\"");
            } else {
                check_label(label, v, w);
            }
            if (dot == std::string_view::npos) break;
            start = dot + 1;
        }
    }

private:
    void check_label(std::string_view label, std::string_view v, const std::string& w) const {
        if (label.size() > kMaxLabel)
            fail(w + " has a label of " + std::to_string(label.size()) +
                 " characters; at most 63 are allowed");
        for (char c : label) {
            if (c == '*')
                fail("'*' in '" + std::string(v) + "': a wildcard is only allowed as the whole leftmost label",
                     "write *.example.test");
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
                fail("character '" + std::string(1, c) + "' is not allowed in a " + w,
                     "use letters, digits and '-'");
        }
        if (label.front() == '-' || label.back() == '-')
            fail("label '" + std::string(label) + "' starts or ends with '-'");
    }

    std::string_view where_;
    std::string field_;
};

struct IpAddress {
    std::array<unsigned char, 16> bytes{};
    size_t length = 0;  // 4 or 16
    int prefix = -1;    // CIDR prefix length for name constraints, -1 for a plain address
};

IpAddress parse_ip(std::string_view text, const Checker& check) {
    if (text.empty()) check.fail("empty IP address");
    if (text.find('\0') != std::string_view::npos) check.fail("IP address contains a NUL byte");
    if (text.size() > 64) check.fail("'" + printable(text) + "' is not an IP address");
    IpAddress ip;
    std::string addr(text.substr(0, text.find('/')));
    if (inet_pton(AF_INET, addr.c_str(), ip.bytes.data()) == 1) {
        ip.length = 4;
    } else if (inet_pton(AF_INET6, addr.c_str(), ip.bytes.data()) == 1) {
        ip.length = 16;
    } else {
        check.fail("'" + printable(addr) + "' is not an IPv4 or IPv6 address",
                   "write e.g. 10.0.0.1 or 2001:db8::1");
    }
    if (size_t slash = text.find('/'); slash != std::string_view::npos) {
        std::string_view digits = text.substr(slash + 1);
        const int max = static_cast<int>(ip.length * 8);
        int p = 0;
        bool ok = !digits.empty() && digits.size() <= 3;
        for (char c : digits) {
            if (c < '0' || c > '9') ok = false;
            else if (ok) p = p * 10 + (c - '0');  // at most 3 digits: no overflow
        }
        if (!ok || p > max)
            check.fail("'" + printable(digits) + "' is not a prefix length (0.." + std::to_string(max) + ")");
        for (int bit = p; bit < max; ++bit)
            if ((ip.bytes[static_cast<size_t>(bit / 8)] >> (7 - bit % 8)) & 1)
                check.fail("'" + printable(text) + "' has host bits set after the /" +
                               std::to_string(p) + " prefix",
                           "write the network address, e.g. 10.0.0.0/8");
        ip.prefix = p;
    }
    return ip;
}

std::string ip_text(const unsigned char* bytes, size_t length) {
    char buf[INET6_ADDRSTRLEN] = {};
    const int family = length == 4 ? AF_INET : AF_INET6;
    if (inet_ntop(family, bytes, buf, sizeof buf) == nullptr)
        throw InternalError("inet_ntop failed");
    return buf;
}

std::string canonical_ip(const IpAddress& ip) {
    std::string s = ip_text(ip.bytes.data(), ip.length);
    if (ip.prefix >= 0) s += "/" + std::to_string(ip.prefix);
    return s;
}

void check_email(std::string_view v, const Checker& check) {
    if (v.empty()) check.fail("empty email address");
    check.ascii_only(v, "email address");
    if (v.size() > kMaxEmail) check.fail("email address is longer than 255 characters");
    if (std::count(v.begin(), v.end(), '@') != 1)
        check.fail("email address '" + std::string(v) + "' must contain exactly one '@'");
    size_t at = v.find('@');
    if (at == 0) check.fail("email address '" + std::string(v) + "' has an empty local part");
    if (at > kMaxEmailLocal) check.fail("email local part is longer than 64 characters");
    check.dns(v.substr(at + 1), false, "email domain");
}

void check_uri(std::string_view v, const Checker& check) {
    if (v.empty()) check.fail("empty URI");
    check.ascii_only(v, "URI");
    if (v.size() > kMaxUri) check.fail("URI is longer than 4096 characters");
    size_t colon = v.find(':');
    bool scheme_ok = colon != std::string_view::npos && colon > 0 &&
                     std::isalpha(static_cast<unsigned char>(v[0]));
    for (size_t i = 1; scheme_ok && i < colon; ++i) {
        char c = v[i];
        scheme_ok = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    }
    if (!scheme_ok)
        check.fail("URI '" + std::string(v) + "' has no scheme", "write e.g. http://pki.lab.test/ca.crl");
    if (colon + 1 == v.size()) check.fail("URI '" + std::string(v) + "' has nothing after the scheme");
}

// Valid UTF-8 without NUL or control characters, checked by OpenSSL's own converter.
bool clean_utf8(std::string_view v) {
    for (unsigned char c : v)
        if (c < 0x20 || c == 0x7F) return false;
    ossl::Asn1StringPtr s(ASN1_UTF8STRING_new());
    ossl::check(s.get(), "ASN1_UTF8STRING_new");
    ossl::check(ASN1_STRING_set(s.get(), v.data(), static_cast<int>(v.size())), "ASN1_STRING_set");
    unsigned char* out = nullptr;
    int n = 0;
    {
        ossl::ErrorMark mark;
        n = ASN1_STRING_to_UTF8(&out, s.get());
    }
    ossl::OsslBytesPtr guard(out);
    return n >= 0;
}

void check_upn(std::string_view v, const Checker& check) {
    if (v.empty()) check.fail("empty UPN");
    if (v.find('\0') != std::string_view::npos) check.fail("UPN contains a NUL byte");
    if (v.size() > kMaxUpn) check.fail("UPN is longer than 1024 bytes");
    if (!clean_utf8(v)) check.fail("UPN is not valid UTF-8 or contains a control character");
    size_t at = v.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == v.size() ||
        v.find('@', at + 1) != std::string_view::npos)
        check.fail("UPN '" + printable(v) + "' must be user@suffix with exactly one '@'");
}

struct OtherValue {
    ossl::Asn1ObjectPtr oid;
    ossl::Asn1TypePtr value;
    Bytes der;
};

OtherValue parse_other(std::string_view v, const Checker& check) {
    size_t colon = v.find(':');
    if (colon == std::string_view::npos)
        check.fail("otherName '" + printable(v) + "' is not <oid>:<hex DER>",
                   "write e.g. other:1.2.3.4:0c03616263");
    std::string_view oid = v.substr(0, colon);
    if (!is_dotted_oid(oid)) check.fail("'" + printable(oid) + "' is not a dotted OID");
    Bytes der;
    try {
        der = from_hex(v.substr(colon + 1), "other");
    } catch (const InputError& e) {
        check.fail("otherName value: " + e.problem(), "give the value as hex DER");
    }
    if (der.size() > kMaxOtherDer) check.fail("otherName value is larger than 4096 bytes");
    OtherValue out;
    {
        ossl::ErrorMark mark;  // OpenSSL refuses arcs X.660 does not allow ("1.99999", "3.1")
        out.oid.reset(OBJ_txt2obj(std::string(oid).c_str(), 1));
    }
    if (!out.oid)
        check.fail("'" + printable(oid) + "' is not a valid OID (the first arc must be 0, 1 or 2, "
                   "and under 0 or 1 the second arc below 40)");
    const unsigned char* p = der.data();
    {
        ossl::ErrorMark mark;
        out.value.reset(d2i_ASN1_TYPE(nullptr, &p, static_cast<long>(der.size())));
    }
    if (!out.value || p != der.data() + der.size())
        check.fail("otherName value is not one complete DER element");
    // BER that OpenSSL accepts (a constructed string, a long-form length) would be issued
    // re-encoded, not as written.
    unsigned char* raw = nullptr;
    const int len = i2d_ASN1_TYPE(out.value.get(), &raw);
    ossl::OsslBytesPtr reencoded(raw);
    if (len < 0 || !std::equal(der.begin(), der.end(), raw, raw + len))
        check.fail("otherName value is BER, not DER", "give the value in DER (definite, shortest lengths; primitive strings)");
    out.der = std::move(der);
    return out;
}

std::string asn1_to_string(const ASN1_STRING* s) {
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<size_t>(ASN1_STRING_length(s)));
}

// An IA5String name from a certificate or CSR: no NUL, nothing outside printable ASCII.
std::string ia5_value(const ASN1_STRING* s, const Checker& check, std::string_view what) {
    const char* data = reinterpret_cast<const char*>(ASN1_STRING_get0_data(s));
    const int len = ASN1_STRING_length(s);
    if (data == nullptr || len < 0) check.fail(std::string(what) + " is missing its value");
    if (strnlen(data, static_cast<size_t>(len)) != static_cast<size_t>(len))
        check.fail(std::string(what) + " contains an embedded NUL byte");
    std::string v(data, static_cast<size_t>(len));
    for (unsigned char c : v)
        if (c < 0x20 || c >= 0x7F)
            check.fail(std::string(what) + " contains a byte outside printable ASCII");
    return v;
}

std::string hex_der(const ASN1_TYPE* value) {
    unsigned char* der = nullptr;
    int len = i2d_ASN1_TYPE(value, &der);
    ossl::OsslBytesPtr guard(der);
    if (len <= 0) ossl::throw_error("encoding an otherName value");
    return to_hex(ByteView(der, static_cast<size_t>(len)));
}

ossl::Asn1StringPtr make_string(ASN1_STRING* fresh, std::string_view v) {
    ossl::Asn1StringPtr s(fresh);
    ossl::check(s.get(), "allocating an ASN.1 string");
    ossl::check(ASN1_STRING_set(s.get(), v.data(), static_cast<int>(v.size())), "ASN1_STRING_set");
    return s;
}

void set_othername(GENERAL_NAME* gn, ossl::Asn1ObjectPtr oid, ossl::Asn1TypePtr value) {
    ossl::check(GENERAL_NAME_set0_othername(gn, oid.get(), value.get()), "GENERAL_NAME_set0_othername");
    oid.release();
    value.release();
}

}  // namespace

const char* to_string(NameType t) {
    switch (t) {
        case NameType::Dns: return "dns";
        case NameType::Ip: return "ip";
        case NameType::Email: return "email";
        case NameType::Uri: return "uri";
        case NameType::Upn: return "upn";
        case NameType::DirName: return "dirname";
        case NameType::Other: return "other";
    }
    return "unknown";
}

NameType parse_name_type(std::string_view word, std::string_view where) {
    const std::string w = ascii_lower(word);
    if (w == "dns") return NameType::Dns;
    if (w == "ip" || w == "ipaddress") return NameType::Ip;
    if (w == "email" || w == "rfc822") return NameType::Email;
    if (w == "uri" || w == "url") return NameType::Uri;
    if (w == "upn") return NameType::Upn;
    if (w == "dirname") return NameType::DirName;
    if (w == "other") return NameType::Other;
    throw InputError(std::string(where), "", "unknown name type '" + printable(word) + "'",
                     "use dns, ip, email, uri, upn, dirname or other");
}

std::string to_string(const GeneralName& n) { return std::string(to_string(n.type)) + ":" + n.value; }

GeneralName parse_general_name(std::string_view text, std::string_view where) {
    size_t colon = text.find(':');
    if (colon == std::string_view::npos)
        throw InputError(std::string(where), "", "'" + printable(text) + "' has no name type",
                         "write TYPE:VALUE, e.g. dns:www.lab.test or ip:10.0.0.1");
    GeneralName n;
    n.type = parse_name_type(text.substr(0, colon), where);
    std::string_view value = text.substr(colon + 1);
    switch (n.type) {
        case NameType::Ip: {
            Checker check(where, n.type);
            n.value = canonical_ip(parse_ip(value, check));
            return n;
        }
        case NameType::DirName: {
            // Whitespace parses to an empty name too.
            ossl::X509NamePtr dn = parse_dn(value, where, "dirname");
            if (X509_NAME_entry_count(dn.get()) == 0) Checker(where, n.type).fail("empty directory name");
            n.value = format_dn(dn.get());
            return n;
        }
        case NameType::Other: {
            Checker check(where, n.type);
            OtherValue other = parse_other(value, check);
            n.value = std::string(value.substr(0, value.find(':'))) + ":" + to_hex(other.der);
            return n;
        }
        default: break;
    }
    n.value = std::string(value);
    validate_general_name(n, where);
    return n;
}

void validate_general_name(const GeneralName& n, std::string_view where) {
    Checker check(where, n.type);
    switch (n.type) {
        case NameType::Dns: check.dns(n.value, true); return;
        case NameType::Ip: parse_ip(n.value, check); return;
        case NameType::Email: check_email(n.value, check); return;
        case NameType::Uri: check_uri(n.value, check); return;
        case NameType::Upn: check_upn(n.value, check); return;
        case NameType::DirName:
            if (X509_NAME_entry_count(parse_dn(n.value, where, "dirname").get()) == 0)
                check.fail("empty directory name");
            return;
        case NameType::Other: parse_other(n.value, check); return;
    }
}

ossl::GeneralNamePtr to_openssl(const GeneralName& n) {
    const std::string_view where = "general name";
    validate_general_name(n, where);
    ossl::GeneralNamePtr gn(GENERAL_NAME_new());
    ossl::check(gn.get(), "GENERAL_NAME_new");
    switch (n.type) {
        case NameType::Dns:
            GENERAL_NAME_set0_value(gn.get(), GEN_DNS, make_string(ASN1_IA5STRING_new(), n.value).release());
            break;
        case NameType::Email:
            GENERAL_NAME_set0_value(gn.get(), GEN_EMAIL, make_string(ASN1_IA5STRING_new(), n.value).release());
            break;
        case NameType::Uri:
            GENERAL_NAME_set0_value(gn.get(), GEN_URI, make_string(ASN1_IA5STRING_new(), n.value).release());
            break;
        case NameType::Ip: {
            IpAddress ip = parse_ip(n.value, Checker(where, n.type));
            // A CIDR range (name constraints) is the address followed by the mask.
            std::array<unsigned char, 32> buf{};
            std::copy_n(ip.bytes.begin(), ip.length, buf.begin());
            size_t len = ip.length;
            if (ip.prefix >= 0) {
                for (int bit = 0; bit < ip.prefix; ++bit)
                    buf[ip.length + static_cast<size_t>(bit / 8)] |=
                        static_cast<unsigned char>(0x80 >> (bit % 8));
                len = 2 * ip.length;
            }
            ossl::Asn1OctetStringPtr o(ASN1_OCTET_STRING_new());
            ossl::check(o.get(), "ASN1_OCTET_STRING_new");
            ossl::check(ASN1_OCTET_STRING_set(o.get(), buf.data(), static_cast<int>(len)),
                        "ASN1_OCTET_STRING_set");
            GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, o.release());
            break;
        }
        case NameType::Upn: {
            ossl::Asn1ObjectPtr oid(OBJ_txt2obj(kUpnOid, 1));
            ossl::check(oid.get(), "UPN OID");
            ossl::Asn1StringPtr utf8 = make_string(ASN1_UTF8STRING_new(), n.value);
            ossl::Asn1TypePtr value(ASN1_TYPE_new());
            ossl::check(value.get(), "ASN1_TYPE_new");
            ASN1_TYPE_set(value.get(), V_ASN1_UTF8STRING, utf8.release());
            set_othername(gn.get(), std::move(oid), std::move(value));
            break;
        }
        case NameType::DirName: {
            ossl::X509NamePtr name = parse_dn(n.value, where, "dirname");
            GENERAL_NAME_set0_value(gn.get(), GEN_DIRNAME, name.release());
            break;
        }
        case NameType::Other: {
            OtherValue other = parse_other(n.value, Checker(where, n.type));
            set_othername(gn.get(), std::move(other.oid), std::move(other.value));
            break;
        }
    }
    return gn;
}

GeneralName from_openssl(const GENERAL_NAME* n, std::string_view where) {
    if (n == nullptr) throw InternalError("from_openssl: no GeneralName");
    int type = -1;
    void* value = GENERAL_NAME_get0_value(n, &type);
    GeneralName out;
    switch (type) {
        case GEN_DNS:
            out.type = NameType::Dns;
            out.value = ia5_value(static_cast<const ASN1_STRING*>(value), Checker(where, out.type), "DNS name");
            return out;
        case GEN_EMAIL:
            out.type = NameType::Email;
            out.value = ia5_value(static_cast<const ASN1_STRING*>(value), Checker(where, out.type), "email address");
            return out;
        case GEN_URI:
            out.type = NameType::Uri;
            out.value = ia5_value(static_cast<const ASN1_STRING*>(value), Checker(where, out.type), "URI");
            return out;
        case GEN_IPADD: {
            out.type = NameType::Ip;
            const auto* s = static_cast<const ASN1_STRING*>(value);
            const int len = ASN1_STRING_length(s);
            if (len != 4 && len != 16)
                Checker(where, out.type)
                    .fail("IP address of " + std::to_string(len) + " bytes (expected 4 or 16)");
            out.value = ip_text(ASN1_STRING_get0_data(s), static_cast<size_t>(len));
            return out;
        }
        case GEN_DIRNAME:
            out.type = NameType::DirName;
            out.value = format_dn(static_cast<const X509_NAME*>(value));
            return out;
        case GEN_OTHERNAME: {
            ASN1_OBJECT* oid = nullptr;
            ASN1_TYPE* other = nullptr;
            ossl::check(GENERAL_NAME_get0_otherName(n, &oid, &other), "reading an otherName");
            if (OBJ_obj2nid(oid) == NID_ms_upn && ASN1_TYPE_get(other) == V_ASN1_UTF8STRING) {
                out.type = NameType::Upn;
                const ASN1_STRING* s = other->value.utf8string;
                out.value = asn1_to_string(s);
                Checker check(where, out.type);
                if (out.value.find('\0') != std::string::npos) check.fail("UPN contains an embedded NUL byte");
                if (!clean_utf8(out.value)) check.fail("UPN is not valid UTF-8 or contains a control character");
                return out;
            }
            out.type = NameType::Other;
            char buf[256];
            int len = OBJ_obj2txt(buf, sizeof buf, oid, 1);
            if (len <= 0 || static_cast<size_t>(len) >= sizeof buf)
                Checker(where, out.type).fail("otherName with an unreadable OID");
            out.value = std::string(buf, static_cast<size_t>(len)) + ":" + hex_der(other);
            return out;
        }
        case GEN_RID:
            throw InputError(std::string(where), "other", "registeredID names are not supported");
        case GEN_X400:
            throw InputError(std::string(where), "other", "x400Address names are not supported");
        case GEN_EDIPARTY:
            throw InputError(std::string(where), "other", "ediPartyName names are not supported");
        default:
            throw InputError(std::string(where), "other", "unknown GeneralName type " + std::to_string(type));
    }
}

std::vector<GeneralName> from_openssl(const GENERAL_NAMES* names, std::string_view where) {
    std::vector<GeneralName> out;
    if (names == nullptr) return out;
    const int count = sk_GENERAL_NAME_num(names);
    out.reserve(static_cast<size_t>(std::max(count, 0)));
    for (int i = 0; i < count; ++i) out.push_back(from_openssl(sk_GENERAL_NAME_value(names, i), where));
    return out;
}

}  // namespace pkilab
