#pragma once
// Pre-issuance lint: rules run on the exact to-be-signed certificate, before the CA signs.
// Each rule describes itself (code, citation) in the manner of zlint.
#include <span>
#include <string_view>

#include "ca/finding.hpp"
#include "ca/ossl/ptr.hpp"

namespace pkilab {

struct LintContext {
    const X509* cert = nullptr;    // fully populated, signature not yet (or already) applied
    const X509* issuer = nullptr;  // nullptr when self-issued (a root)
    // The issuer's own issuers up to the root (not the issuer itself): their name constraints
    // and path lengths bind this certificate too.
    std::span<const X509* const> ancestors{};
};

struct LintRule {
    std::string_view code;         // "lint.rfc5280.serial_positive"
    std::string_view citation;     // "RFC 5280 4.1.2.2"
    std::string_view description;  // one line
    void (*check)(const LintContext&, Findings&);
};

std::span<const LintRule> lint_rules();

// Runs every rule; findings have source "lint".
Findings run_lint(const LintContext& ctx);

}  // namespace pkilab
