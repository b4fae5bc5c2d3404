#include "ca/config/url_tokens.hpp"
#include "ca/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "ca/errors.hpp"

namespace pkilab {

namespace {

// The AD CS substitution variables (certutil -getreg CA\CRLPublicationURLs numbers them %1..%14).
enum class Token {
    ServerDnsName,    // %1
    ServerShortName,  // %2
    CaName,           // %3
    CertificateName,  // %4
    CaTruncatedName,  // %7
    CrlNameSuffix,    // %8
    DeltaCrlAllowed,  // %9
    LdapOnly,         // %5 %6 %10..%14: directory attributes, meaningless without AD
};

struct NamedToken {
    std::string_view name;
    int number;
    Token token;
};

constexpr std::array<NamedToken, 10> kNamedTokens{{
    {"ServerDNSName", 1, Token::ServerDnsName},
    {"ServerShortName", 2, Token::ServerShortName},
    {"CaName", 3, Token::CaName},
    {"CertificateName", 4, Token::CertificateName},
    {"ConfigurationContainer", 6, Token::LdapOnly},
    {"CATruncatedName", 7, Token::CaTruncatedName},
    {"CRLNameSuffix", 8, Token::CrlNameSuffix},
    {"DeltaCRLAllowed", 9, Token::DeltaCrlAllowed},
    {"CDPObjectClass", 10, Token::LdapOnly},
    {"CAObjectClass", 11, Token::LdapOnly},
}};

constexpr std::string_view kTokenHint =
    "use <ServerDNSName> <ServerShortName> <CaName> <CertificateName> <CATruncatedName> "
    "<CRLNameSuffix> <DeltaCRLAllowed> (or %1 %2 %3 %4 %7 %8 %9); write %% for a literal '%'";

[[noreturn]] void refuse_ldap(std::string_view token, std::string_view where) {
    throw InputError(std::string(where), "",
                     "token " + std::string(token) + " is an LDAP/Active Directory token",
                     "the lab has no directory: publish over http:// with <ServerDNSName>, <CaName>, "
                     "<CRLNameSuffix> and <DeltaCRLAllowed>");
}

Token token_by_number(int n, std::string_view text, std::string_view where) {
    for (const auto& t : kNamedTokens)
        if (t.number == n) {
            if (t.token == Token::LdapOnly) refuse_ldap(text, where);
            return t.token;
        }
    if (n == 5 || (n >= 12 && n <= 14)) refuse_ldap(text, where);
    throw InputError(std::string(where), "", "unknown token " + std::string(text), std::string(kTokenHint));
}

Token token_by_name(std::string_view name, std::string_view where) {
    const std::string text = "<" + std::string(name) + ">";
    for (const auto& t : kNamedTokens) {
        if (t.name == name) {
            if (t.token == Token::LdapOnly) refuse_ldap(text, where);
            return t.token;
        }
        // AD CS spells these exactly; a case slip is most likely meant as this token.
        if (iequals(t.name, name))
            throw InputError(std::string(where), "", "unknown token " + text,
                             "tokens are case-sensitive: did you mean <" + std::string(t.name) + ">?");
    }
    throw InputError(std::string(where), "", "unknown token " + text, std::string(kTokenHint));
}

std::string renewal_suffix(int key_index) {
    return key_index > 0 ? "(" + std::to_string(key_index) + ")" : std::string();
}

bool looks_like_ip(std::string_view host) {
    return host.find(':') != std::string_view::npos ||
           std::all_of(host.begin(), host.end(), [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
}

std::string value_of(Token t, const UrlTokenValues& v) {
    switch (t) {
        case Token::ServerDnsName: return v.server_dns_name;
        case Token::ServerShortName: {
            // The NetBIOS-like first label; an IP literal has no short form.
            if (looks_like_ip(v.server_dns_name)) return v.server_dns_name;
            return v.server_dns_name.substr(0, v.server_dns_name.find('.'));
        }
        case Token::CaName: return v.ca_name;
        case Token::CertificateName: return renewal_suffix(v.key_index);
        case Token::CaTruncatedName: return v.ca_name.substr(0, 32);
        case Token::CrlNameSuffix: return renewal_suffix(v.key_index);
        case Token::DeltaCrlAllowed: return v.delta ? "+" : "";
        case Token::LdapOnly: break;
    }
    return {};
}

// Walks the pattern once; `emit` receives literal text and tokens in order.
template <class Emit>
void scan(std::string_view pattern, std::string_view where, Emit&& emit) {
    size_t i = 0;
    while (i < pattern.size()) {
        const char c = pattern[i];
        if (c == '<') {
            const size_t close = pattern.find('>', i + 1);
            const size_t next_open = pattern.find('<', i + 1);
            if (close == std::string_view::npos || (next_open != std::string_view::npos && next_open < close))
                throw InputError(std::string(where), "",
                                 "unclosed '<' at position " + std::to_string(i + 1) + " in '" +
                                     std::string(pattern) + "'",
                                 "tokens are written <Name>, e.g. <CaName>");
            emit(std::string_view{}, token_by_name(pattern.substr(i + 1, close - i - 1), where));
            i = close + 1;
        } else if (c == '%') {
            if (i + 1 < pattern.size() && pattern[i + 1] == '%') {
                emit(std::string_view("%"), std::optional<Token>{});
                i += 2;
                continue;
            }
            if (i + 1 >= pattern.size() || !std::isdigit(static_cast<unsigned char>(pattern[i + 1])))
                throw InputError(std::string(where), "",
                                 "stray '%' at position " + std::to_string(i + 1) + " in '" +
                                     std::string(pattern) + "'",
                                 std::string(kTokenHint));
            // AD CS reads %10..%14 as two digits and anything else as one (so %20 is %2 then "0").
            int n = pattern[i + 1] - '0';
            size_t len = 2;
            if (n == 1 && i + 2 < pattern.size() && pattern[i + 2] >= '0' && pattern[i + 2] <= '4') {
                n = 10 + (pattern[i + 2] - '0');
                len = 3;
            }
            emit(std::string_view{}, token_by_number(n, pattern.substr(i, len), where));
            i += len;
        } else {
            const size_t end = pattern.find_first_of("<%", i);
            const size_t stop = end == std::string_view::npos ? pattern.size() : end;
            emit(pattern.substr(i, stop - i), std::optional<Token>{});
            i = stop;
        }
    }
}

void check_scheme(std::string_view pattern, std::string_view where) {
    const size_t colon = pattern.find(':');
    const std::string_view scheme = colon == std::string_view::npos ? std::string_view{} : pattern.substr(0, colon);
    const bool scheme_ok =
        !scheme.empty() && std::isalpha(static_cast<unsigned char>(scheme[0])) &&
        std::all_of(scheme.begin(), scheme.end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '+' || ch == '-' || ch == '.';
        });
    if (!scheme_ok)
        throw InputError(std::string(where), "", "'" + std::string(pattern) + "' does not start with a URL scheme",
                         "write a full URL such as http://<ServerDNSName>:8080/CertEnroll/<CaName><CRLNameSuffix>.crl");
    if (iequals(scheme, "ldap") || iequals(scheme, "ldaps"))
        throw InputError(std::string(where), "", "LDAP URLs are not supported ('" + std::string(pattern) + "')",
                         "the lab has no directory: use an http:// URL");
    for (char ch : pattern)
        if (static_cast<unsigned char>(ch) <= 0x20 || static_cast<unsigned char>(ch) >= 0x7f)
            throw InputError(std::string(where), "",
                             "'" + std::string(pattern) + "' contains a space, control or non-ASCII character",
                             "percent-encode it as %%XX (a single % starts a token)");
}

}  // namespace

std::string expand_url_tokens(std::string_view pattern, const UrlTokenValues& values, std::string_view where) {
    check_scheme(pattern, where);
    std::string out;
    scan(pattern, where, [&](std::string_view literal, std::optional<Token> token) {
        if (token) out += value_of(*token, values);
        else out += literal;
    });
    return out;
}

void check_url_pattern(std::string_view pattern, std::string_view where) {
    check_scheme(pattern, where);
    scan(pattern, where, [](std::string_view, std::optional<Token>) {});
}

}  // namespace pkilab
