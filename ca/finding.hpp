#pragma once
// Policy outcomes are data. A Finding is one reason a request or certificate fails (or
// deserves a warning); every stage (template rules, lint, plugins) reports the same shape.
#include <string>
#include <vector>

namespace pkilab {

enum class Severity { Error, Warning, Info };

inline const char* to_string(Severity s) {
    switch (s) {
        case Severity::Error: return "error";
        case Severity::Warning: return "warning";
        case Severity::Info: return "info";
    }
    return "error";
}

struct Finding {
    std::string source;   // who decided: "template", "lint", "csr", or a plugin's name
    std::string code;     // stable identifier, e.g. "template.san.not_allowed"
    Severity severity = Severity::Error;
    std::string field;    // what it concerns, e.g. "san[2]", "key", "subject.CN"
    std::string message;  // what is wrong, for a person
    std::string hint;     // how to fix the request
};

using Findings = std::vector<Finding>;

inline bool has_errors(const Findings& fs) {
    for (const auto& f : fs)
        if (f.severity == Severity::Error) return true;
    return false;
}

}  // namespace pkilab
