#include "ca/x509/name.hpp"
#include "ca/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include <openssl/objects.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"

namespace pkilab {

namespace {

// A DN longer than this is not something a person wrote.
constexpr size_t kMaxDnText = 8192;
// Bound for attributes RFC 5280 gives none (dotted OIDs, STREET, UID).
constexpr size_t kDefaultMaxChars = 1024;

enum class StringKind { Utf8, Printable, Ia5, Country };

struct Attribute {
    int nid;
    const char* display;  // the name format_dn writes; parse_dn reads it back
    size_t max_chars;     // RFC 5280 Appendix A upper bounds, in characters
    StringKind kind;
};

constexpr std::array<Attribute, 15> kAttributes{{
    {NID_commonName, "CN", 64, StringKind::Utf8},
    {NID_organizationName, "O", 64, StringKind::Utf8},
    {NID_organizationalUnitName, "OU", 64, StringKind::Utf8},
    {NID_countryName, "C", 2, StringKind::Country},
    {NID_localityName, "L", 128, StringKind::Utf8},
    {NID_stateOrProvinceName, "ST", 128, StringKind::Utf8},
    {NID_streetAddress, "STREET", 128, StringKind::Utf8},
    // DC holds one DNS label (RFC 4519), so the label limit applies.
    {NID_domainComponent, "DC", 63, StringKind::Ia5},
    // RFC 5280 defines X520SerialNumber as a PrintableString.
    {NID_serialNumber, "serialNumber", 64, StringKind::Printable},
    {NID_surname, "SN", 32768, StringKind::Utf8},
    {NID_givenName, "GN", 32768, StringKind::Utf8},
    {NID_title, "title", 64, StringKind::Utf8},
    {NID_userId, "UID", 256, StringKind::Utf8},
    {NID_pkcs9_emailAddress, "emailAddress", 255, StringKind::Ia5},
    {NID_postalCode, "postalCode", 40, StringKind::Utf8},
}};

struct Alias {
    const char* name;  // upper case
    int nid;
};

constexpr std::array<Alias, 24> kAliases{{
    {"CN", NID_commonName},
    {"COMMONNAME", NID_commonName},
    {"O", NID_organizationName},
    {"OU", NID_organizationalUnitName},
    {"C", NID_countryName},
    {"L", NID_localityName},
    {"ST", NID_stateOrProvinceName},
    {"S", NID_stateOrProvinceName},
    {"STREET", NID_streetAddress},
    {"DC", NID_domainComponent},
    {"SERIALNUMBER", NID_serialNumber},
    {"SN", NID_surname},
    {"SURNAME", NID_surname},
    {"GN", NID_givenName},
    {"GIVENNAME", NID_givenName},
    {"T", NID_title},
    {"TITLE", NID_title},
    {"UID", NID_userId},
    {"USERID", NID_userId},
    {"E", NID_pkcs9_emailAddress},
    {"EMAIL", NID_pkcs9_emailAddress},
    {"EMAILADDRESS", NID_pkcs9_emailAddress},
    {"POSTALCODE", NID_postalCode},
    {"PC", NID_postalCode},
}};

constexpr const char* kAttributeHint =
    "use CN, O, OU, C, L, ST, STREET, DC, SERIALNUMBER, SN, GN, T, UID, E, POSTALCODE or a "
    "dotted OID";

const Attribute* attribute_by_nid(int nid) {
    for (const auto& a : kAttributes)
        if (a.nid == nid) return &a;
    return nullptr;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Decodes UTF-8 strictly (no overlongs, no surrogates, nothing above U+10FFFF). Returns the
// code points, or nullopt for invalid input.
std::optional<std::u32string> decode_utf8(std::string_view s) {
    std::u32string out;
    size_t i = 0;
    while (i < s.size()) {
        auto b0 = static_cast<unsigned char>(s[i]);
        if (b0 < 0x80) {
            out.push_back(b0);
            ++i;
            continue;
        }
        size_t n = 0;
        char32_t cp = 0;
        char32_t min = 0;
        if ((b0 & 0xE0) == 0xC0) { n = 1; cp = b0 & 0x1F; min = 0x80; }
        else if ((b0 & 0xF0) == 0xE0) { n = 2; cp = b0 & 0x0F; min = 0x800; }
        else if ((b0 & 0xF8) == 0xF0) { n = 3; cp = b0 & 0x07; min = 0x10000; }
        else return std::nullopt;
        if (i + n >= s.size()) return std::nullopt;
        for (size_t k = 1; k <= n; ++k) {
            auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (b & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
        out.push_back(cp);
        i += n + 1;
    }
    return out;
}

bool is_printable_string_char(char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    return std::string_view(" '()+,-./:=?").find(c) != std::string_view::npos;
}

struct Ava {
    std::string type;
    std::string value;
};
using Rdn = std::vector<Ava>;

// A hand-written reader for the two text syntaxes (text, not ASN.1).
class DnReader {
    enum class Syntax { Rfc4514, OpenSsl };

public:
    DnReader(std::string_view text, std::string_view where, std::string_view field)
        : text_(text), where_(where), field_(field) {}

    // RFC 4514, most specific first; returned in DER order.
    std::vector<Rdn> read_rfc4514() {
        std::vector<Rdn> rdns(1);
        while (true) {
            char sep = read_ava(rdns.back(), Syntax::Rfc4514);
            if (sep == '\0') break;
            if (sep == ',') rdns.emplace_back();
        }
        std::reverse(rdns.begin(), rdns.end());
        return rdns;
    }

    // "/C=US/O=Example Lab/CN=Lab Issuing CA", already in DER order.
    std::vector<Rdn> read_openssl() {
        ++pos_;  // the leading '/'
        std::vector<Rdn> rdns(1);
        while (true) {
            char sep = read_ava(rdns.back(), Syntax::OpenSsl);
            if (sep == '\0') break;
            if (sep == '/') rdns.emplace_back();
        }
        return rdns;
    }

private:
    [[noreturn]] void fail(const std::string& problem, const std::string& hint = {}) const {
        throw InputError(std::string(where_), std::string(field_),
                         problem + " at position " + std::to_string(pos_ + 1), hint);
    }

    void skip_spaces() {
        while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
    }

    // Reads "type=value" up to an RDN or AVA separator or the end; returns the separator or '\0'.
    char read_ava(Rdn& rdn, Syntax syntax) {
        const bool rfc = syntax == Syntax::Rfc4514;
        const std::string_view separators = rfc ? ",+" : "/+";
        const std::string_view escapable = rfc ? "\"+,;<>\\=# " : "/+\\=,\"#;<> ";
        skip_spaces();
        size_t type_start = pos_;
        while (pos_ < text_.size() && text_[pos_] != '=' &&
               separators.find(text_[pos_]) == std::string_view::npos)
            ++pos_;
        std::string_view type = text_.substr(type_start, pos_ - type_start);
        while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
        if (pos_ >= text_.size() || text_[pos_] != '=') {
            if (type.empty()) fail("empty relative distinguished name (stray separator)");
            fail("expected '=' after attribute type '" + printable(type) + "'",
                 "write TYPE=value, e.g. CN=Lab CA");
        }
        if (type.empty()) fail("missing attribute type before '='");
        ++pos_;  // '='
        skip_spaces();

        std::string value;
        size_t keep = 0;  // value.size() after the last escaped character: never trimmed
        if (pos_ < text_.size() && text_[pos_] == '#' && rfc)
            fail("hex-encoded (#...) values are not supported", "escape a leading # as \\#");
        char sep = '\0';
        while (pos_ < text_.size()) {
            char c = text_[pos_];
            if (separators.find(c) != std::string_view::npos) {
                sep = c;
                ++pos_;
                break;
            }
            if (c == '\\') {
                if (pos_ + 1 >= text_.size()) fail("the value ends with a lone backslash");
                char e = text_[pos_ + 1];
                int hi = hex_digit(e);
                int lo = pos_ + 2 < text_.size() ? hex_digit(text_[pos_ + 2]) : -1;
                if (hi >= 0 && lo >= 0) {
                    value.push_back(static_cast<char>(hi * 16 + lo));
                    pos_ += 3;
                } else if (escapable.find(e) != std::string_view::npos) {
                    value.push_back(e);
                    pos_ += 2;
                } else {
                    fail("bad escape '\\" + printable(std::string_view(&e, 1)) + "'",
                         "escape only , + \" \\ < > ; = # and space, or write \\XX in hex");
                }
                keep = value.size();
                continue;
            }
            if (rfc && (c == '"' || c == ';' || c == '<' || c == '>'))
                fail(std::string("unescaped '") + c + "' in a value",
                     std::string("escape it as \\") + c);
            value.push_back(c);
            ++pos_;
        }
        while (value.size() > keep && value.back() == ' ') value.pop_back();
        if (sep != '\0') {
            size_t save = pos_;
            skip_spaces();
            if (pos_ >= text_.size()) fail("nothing after the last separator");
            pos_ = save;
        }
        rdn.push_back(Ava{std::string(type), std::move(value)});
        return sep;
    }

    std::string_view text_;
    std::string_view where_;
    std::string_view field_;
    size_t pos_ = 0;
};

struct Resolved {
    Attribute attr;
    ossl::Asn1ObjectPtr obj;  // set for a dotted OID the table does not know
};

std::string join_field(std::string_view field, std::string_view attr) {
    if (field.empty()) return std::string(attr);
    return std::string(field) + "." + std::string(attr);
}

Resolved resolve_type(std::string_view type, std::string_view where, std::string_view field) {
    const std::string up = ascii_upper(type);
    for (const auto& a : kAliases)
        if (up == a.name) return Resolved{*attribute_by_nid(a.nid), nullptr};
    if (!type.empty() && type[0] >= '0' && type[0] <= '9') {
        if (!is_dotted_oid(type))
            throw InputError(std::string(where), std::string(field),
                             "'" + printable(type) + "' is not a valid dotted OID",
                             "write an OID as e.g. 2.5.4.3");
        ossl::Asn1ObjectPtr obj;
        {
            ossl::ErrorMark mark;  // OpenSSL refuses arcs X.660 does not allow ("1.99999", "3.1")
            obj.reset(OBJ_txt2obj(std::string(type).c_str(), 1));
        }
        if (!obj)
            throw InputError(std::string(where), std::string(field),
                             "'" + printable(type) + "' is not a valid OID (the first arc must be 0, 1 or 2, "
                             "and under 0 or 1 the second arc below 40)",
                             "write an OID as e.g. 2.5.4.3");
        if (const Attribute* known = attribute_by_nid(OBJ_obj2nid(obj.get())))
            return Resolved{*known, nullptr};
        return Resolved{Attribute{NID_undef, "", kDefaultMaxChars, StringKind::Utf8},
                        std::move(obj)};
    }
    throw InputError(std::string(where), std::string(field),
                     "unknown attribute type '" + printable(type) + "'", kAttributeHint);
}

// Checks one value and returns it as it will be stored (C is upper-cased).
std::string check_value(const Attribute& attr, std::string_view type, std::string value,
                        std::string_view where, std::string_view field) {
    const std::string f = join_field(field, type);
    auto fail = [&](const std::string& problem, const std::string& hint = {}) {
        throw InputError(std::string(where), f, problem, hint);
    };
    if (value.empty()) fail("empty value", "give the attribute a value or leave it out");
    if (value.find('\0') != std::string::npos) fail("value contains a NUL byte");
    auto cps = decode_utf8(value);
    if (!cps) fail("value is not valid UTF-8");
    for (char32_t cp : *cps) {
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            static constexpr char kHex[] = "0123456789ABCDEF";
            std::string code = "U+00";
            code.push_back(kHex[(cp >> 4) & 15]);
            code.push_back(kHex[cp & 15]);
            fail("value contains a control character (" + code + ")");
        }
    }
    switch (attr.kind) {
        case StringKind::Country: {
            bool letters = value.size() == 2 && std::isalpha(static_cast<unsigned char>(value[0])) &&
                           std::isalpha(static_cast<unsigned char>(value[1]));
            if (!letters)
                fail("country must be exactly two letters (ISO 3166), got '" + printable(value) + "'",
                     "e.g. C=US");
            return ascii_upper(value);
        }
        case StringKind::Printable:
            for (char c : value)
                if (!is_printable_string_char(c))
                    fail("character '" + printable(std::string_view(&c, 1)) +
                             "' is not allowed in a PrintableString",
                         "use letters, digits, space and ' ( ) + , - . / : = ?");
            break;
        case StringKind::Ia5:
            for (char32_t cp : *cps)
                if (cp > 0x7F) fail("non-ASCII character in an IA5String value");
            break;
        case StringKind::Utf8: break;
    }
    if (cps->size() > attr.max_chars)
        fail("value has " + std::to_string(cps->size()) + " characters; at most " +
             std::to_string(attr.max_chars) + " are allowed (RFC 5280 upper bound)");
    return value;
}

int asn1_type(StringKind k) {
    switch (k) {
        case StringKind::Country:
        case StringKind::Printable: return V_ASN1_PRINTABLESTRING;
        case StringKind::Ia5: return V_ASN1_IA5STRING;
        case StringKind::Utf8: return V_ASN1_UTF8STRING;
    }
    return V_ASN1_UTF8STRING;
}

std::string dotted(const ASN1_OBJECT* obj) {
    char buf[256];
    int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
    if (n <= 0 || static_cast<size_t>(n) >= sizeof buf) return "?";
    return std::string(buf, static_cast<size_t>(n));
}

// The UTF-8 form of a name entry's value, or nullopt when its encoding is broken.
std::optional<std::string> entry_utf8(const X509_NAME_ENTRY* entry) {
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
    unsigned char* raw = nullptr;
    int n = 0;
    {
        ossl::ErrorMark mark;
        n = ASN1_STRING_to_UTF8(&raw, data);
    }
    ossl::OsslBytesPtr out(raw);
    if (n < 0) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(out.get()), static_cast<size_t>(n));
}

// RFC 4514 section 2.4 escaping; control characters as \XX so that output stays one line.
std::string escape_value(std::string_view v) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
        auto c = static_cast<unsigned char>(v[i]);
        bool special = std::string_view("\"+,;<>\\").find(static_cast<char>(c)) != std::string_view::npos;
        bool edge = (i == 0 && (c == '#' || c == ' ')) || (i + 1 == v.size() && c == ' ');
        if (c < 0x20 || c == 0x7F) {
            out.push_back('\\');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        } else {
            if (special || edge) out.push_back('\\');
            out.push_back(static_cast<char>(c));
        }
    }
    return out;
}

// "#" and the hex DER of the value, RFC 4514's form for values that are not readable text.
std::string hex_form(const X509_NAME_ENTRY* entry) {
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
    ossl::Asn1TypePtr any(ASN1_TYPE_new());
    ossl::check(any.get(), "ASN1_TYPE_new");
    ossl::check(ASN1_TYPE_set1(any.get(), ASN1_STRING_type(data), data), "ASN1_TYPE_set1");
    unsigned char* der = nullptr;
    int len = i2d_ASN1_TYPE(any.get(), &der);
    ossl::OsslBytesPtr guard(der);
    if (len <= 0) ossl::throw_error("encoding a name value");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "#";
    for (int i = 0; i < len; ++i) {
        out.push_back(kHex[der[i] >> 4]);
        out.push_back(kHex[der[i] & 15]);
    }
    return out;
}

}  // namespace

ossl::X509NamePtr parse_dn(std::string_view text, std::string_view where, std::string_view field) {
    if (text.size() > kMaxDnText)
        throw InputError(std::string(where), std::string(field),
                         "distinguished name is " + std::to_string(text.size()) +
                             " bytes long; at most " + std::to_string(kMaxDnText) + " are accepted");
    ossl::X509NamePtr name(X509_NAME_new());
    ossl::check(name.get(), "X509_NAME_new");

    size_t first = text.find_first_not_of(' ');
    if (first == std::string_view::npos) return name;  // empty text: empty name
    DnReader reader(text.substr(first), where, field);
    std::vector<Rdn> rdns = text[first] == '/' ? reader.read_openssl() : reader.read_rfc4514();

    for (auto& rdn : rdns) {
        for (size_t j = 0; j < rdn.size(); ++j) {
            Ava& ava = rdn[j];
            Resolved r = resolve_type(ava.type, where, field);
            std::string value = check_value(r.attr, ava.type, std::move(ava.value), where, field);
            const auto* bytes = reinterpret_cast<const unsigned char*>(value.data());
            const int len = static_cast<int>(value.size());
            // set 0 starts a new RDN; -1 joins the previous one (a multi-valued RDN).
            const int set = j == 0 ? 0 : -1;
            const int type = asn1_type(r.attr.kind);
            int ok = r.obj ? X509_NAME_add_entry_by_OBJ(name.get(), r.obj.get(), type, bytes, len, -1, set)
                           : X509_NAME_add_entry_by_NID(name.get(), r.attr.nid, type, bytes, len, -1, set);
            ossl::check(ok, "adding a name entry");
        }
    }
    return name;
}

std::string format_dn(const X509_NAME* name) {
    if (name == nullptr) return {};
    const int count = X509_NAME_entry_count(name);
    // RDNs most specific first; the values of a multi-valued RDN keep their stored order.
    std::string out;
    int end = count;
    while (end > 0) {
        int begin = end - 1;
        const int set = X509_NAME_ENTRY_set(X509_NAME_get_entry(name, begin));
        while (begin > 0 && X509_NAME_ENTRY_set(X509_NAME_get_entry(name, begin - 1)) == set) --begin;
        if (!out.empty()) out += ", ";
        for (int i = begin; i < end; ++i) {
            const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
            if (i != begin) out += '+';
            const ASN1_OBJECT* obj = X509_NAME_ENTRY_get_object(entry);
            const Attribute* attr = attribute_by_nid(OBJ_obj2nid(obj));
            out += attr != nullptr ? std::string(attr->display) : dotted(obj);
            out += '=';
            auto text = entry_utf8(entry);
            out += text ? escape_value(*text) : hex_form(entry);
        }
        end = begin;
    }
    return out;
}

std::vector<std::string> dn_values(const X509_NAME* name, int nid) {
    std::vector<std::string> values;
    if (name == nullptr) return values;
    for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(name, nid, i)) {
        auto text = entry_utf8(X509_NAME_get_entry(name, i));
        if (!text) {
            const char* sn = OBJ_nid2sn(nid);
            throw InputError("distinguished name", sn != nullptr ? sn : "attribute",
                             "value is not a valid string encoding");
        }
        values.push_back(std::move(*text));
    }
    return values;
}

}  // namespace pkilab
