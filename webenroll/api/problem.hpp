#pragma once
// RFC 9457 problem details: every error of the REST API is one, with the policy findings of a
// refused request inside ("findings").
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace pkilab::web {

inline constexpr const char* kProblemType = "application/problem+json";

// `type` is a relative URI reference
// ("/api/v1/problems/TAG") that the OpenAPI document lists; `extra` members are merged in.
void send_problem(httplib::Response& res, int status, const std::string& tag, const std::string& title,
                  const std::string& detail, const nlohmann::json& extra = nlohmann::json::object());

}  // namespace pkilab::web
