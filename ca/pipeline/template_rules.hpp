#pragma once
// The template's rules applied to a request: subject, names, key, CA flag. Each broken rule
// is a Finding (source "template") so that a requester sees every reason at once.
#include "ca/finding.hpp"
#include "ca/template/template.hpp"
#include "ca/x509/csr.hpp"

namespace pkilab {

Findings check_request_against_template(const ParsedCsr& csr, const CertificateTemplate& tmpl);

// Glob match with '*' (any run of characters) and '?' (one character), ASCII case-insensitive
// for DNS names and e-mail addresses.
bool glob_match(std::string_view pattern, std::string_view text, bool case_insensitive);

}  // namespace pkilab
