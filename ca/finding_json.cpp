#include "ca/finding_json.hpp"

#include "ca/errors.hpp"

namespace pkilab {

void to_json(nlohmann::json& j, const Finding& f) {
    j = nlohmann::json{{"source", f.source}, {"code", f.code},   {"severity", to_string(f.severity)},
                       {"field", f.field},   {"message", f.message}, {"hint", f.hint}};
}

void from_json(const nlohmann::json& j, Finding& f) {
    j.at("source").get_to(f.source);
    j.at("code").get_to(f.code);
    const std::string severity = j.at("severity").get<std::string>();
    f.severity = severity == "warning" ? Severity::Warning : severity == "info" ? Severity::Info : Severity::Error;
    j.at("field").get_to(f.field);
    j.at("message").get_to(f.message);
    j.at("hint").get_to(f.hint);
}

std::string findings_to_json(const Findings& findings) { return nlohmann::json(findings).dump(); }

Findings findings_from_json(const std::string& text) {
    if (text.empty()) return {};
    try {
        return nlohmann::json::parse(text).get<Findings>();
    } catch (const nlohmann::json::exception& e) {
        throw InternalError(std::string("stored findings are not valid JSON: ") + e.what());
    }
}

}  // namespace pkilab
