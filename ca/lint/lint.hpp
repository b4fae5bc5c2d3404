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
