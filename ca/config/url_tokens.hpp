#pragma once
// AD CS URL tokens for CDP/AIA/OCSP locations. Both the named form and the %N form work:
//   <ServerDNSName> %1   <ServerShortName> %2   <CaName> %3   <CertificateName> %4
//   <CATruncatedName> %7   <CRLNameSuffix> %8   <DeltaCRLAllowed> %9
// LDAP-only tokens (<ConfigurationContainer> %6, <CDPObjectClass> %10, <CAObjectClass> %11)
// are refused: the lab has no directory.
#include <string>
#include <string_view>

namespace pkilab {

struct UrlTokenValues {
    std::string server_dns_name;
    std::string ca_name;
    int key_index = 0;     // renewal suffix: 0 -> "", n -> "(n)" for <CertificateName>/<CRLNameSuffix>
    bool delta = false;    // <DeltaCRLAllowed>: "+" for a delta CRL location
};

// Throws InputError(where, ...) for an unknown or LDAP-only token or an unclosed '<'.
std::string expand_url_tokens(std::string_view pattern, const UrlTokenValues& values,
                              std::string_view where);
// Syntax check only (lab validate).
void check_url_pattern(std::string_view pattern, std::string_view where);

}  // namespace pkilab
