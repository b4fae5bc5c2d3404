#include "webenroll/acme/acme_problem.hpp"

namespace pkilab::acme {

nlohmann::json problem_json(const std::string& type, const std::string& detail, int status) {
    return {{"type", "urn:ietf:params:acme:error:" + type}, {"detail", detail}, {"status", status}};
}

nlohmann::json AcmeError::problem() const {
    nlohmann::json j = problem_json(type_, detail_, status_);
    if (subproblems_.is_array() && !subproblems_.empty()) j["subproblems"] = subproblems_;
    return j;
}

}  // namespace pkilab::acme
