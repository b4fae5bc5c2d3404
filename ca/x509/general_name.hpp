#pragma once
// Subject alternative names and other GeneralNames, as data.
#include <string>
#include <string_view>
#include <vector>

#include "ca/ossl/ptr.hpp"

namespace pkilab {

enum class NameType { Dns, Ip, Email, Uri, Upn, DirName, Other };

const char* to_string(NameType t);  // "dns", "ip", "email", "uri", "upn", "dirname", "other"
// Throws InputError for an unknown type word.
NameType parse_name_type(std::string_view word, std::string_view where);

struct GeneralName {
    NameType type = NameType::Dns;
    std::string value;  // dns name, textual IP (v4 dotted, v6 RFC 5952), email, URI, UPN,
                        // RFC 4514 DN for dirName, "<oid>:<hex DER>" for other otherNames
    bool operator==(const GeneralName&) const = default;
};

std::string to_string(const GeneralName& n);  // "dns:www.lab.test"

// "dns:www.lab.test", "ip:10.0.0.1", "email:a@b", "uri:https://x", "upn:user@corp".
// Validates the value for its type (DNS label syntax incl. a leading "*." wildcard label,
// IP literal, one '@' in email, URI with a scheme); NUL bytes and non-ASCII in DNS/email/URI
// are refused. Throws InputError(where, ...).
GeneralName parse_general_name(std::string_view text, std::string_view where);
void validate_general_name(const GeneralName& n, std::string_view where);

// Conversions to and from OpenSSL. from_openssl throws InputError("where") for a name whose
// contents are malformed (embedded NUL, bad IP length).
ossl::GeneralNamePtr to_openssl(const GeneralName& n);
GeneralName from_openssl(const GENERAL_NAME* n, std::string_view where);
std::vector<GeneralName> from_openssl(const GENERAL_NAMES* names, std::string_view where);

}  // namespace pkilab
