#include "webenroll/api/problem.hpp"

namespace pkilab::web {

void send_problem(httplib::Response& res, int status, const std::string& tag, const std::string& title,
                  const std::string& detail, const nlohmann::json& extra) {
    nlohmann::json p = {{"type", "/api/v1/problems/" + tag}, {"title", title}, {"status", status}};
    if (!detail.empty()) p["detail"] = detail;
    if (extra.is_object())
        for (const auto& [k, v] : extra.items()) p[k] = v;
    res.status = status;
    res.set_header("Cache-Control", "no-store");
    // Details may quote what a client sent: bytes that are not UTF-8 are replaced, not thrown on.
    res.set_content(p.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), kProblemType);
}

}  // namespace pkilab::web
