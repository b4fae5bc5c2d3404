#pragma once
// Distinguished names as people write them.
#include <string>
#include <string_view>
#include <vector>

#include "ca/ossl/ptr.hpp"

namespace pkilab {

// Parses a DN. Two syntaxes:
//  - RFC 4514 style, most specific first, as AD CS and most admins write it:
//    "CN=Lab Issuing CA, O=Example Lab, C=US" (the DER order is reversed: C first).
//    Escapes: "\," "\+" "\\" "\"" and \XX hex; '+' joins multi-valued RDNs.
//  - OpenSSL style, in DER order: "/C=US/O=Example Lab/CN=Lab Issuing CA".
// Attribute names (case-insensitive): CN, O, OU, C, L, ST, STREET, DC, SERIALNUMBER, SN, GN,
// T/TITLE, UID, E/EMAIL/EMAILADDRESS, POSTALCODE, or a dotted OID. C must be two letters
// (PrintableString); DC, E are IA5String; others UTF8String.
// Throws InputError(where, field, ...) for an unknown attribute, an empty value, a NUL byte,
// invalid UTF-8, a value over the RFC 5280 upper bound, or bad escaping. An empty text gives
// an empty name.
ossl::X509NamePtr parse_dn(std::string_view text, std::string_view where = "subject",
                           std::string_view field = "");

// RFC 4514 form, most specific first, ", " separated: "CN=Lab Issuing CA, O=Example Lab, C=US".
std::string format_dn(const X509_NAME* name);

// All values of one attribute (by NID), in DER order, as UTF-8.
std::vector<std::string> dn_values(const X509_NAME* name, int nid);

}  // namespace pkilab
