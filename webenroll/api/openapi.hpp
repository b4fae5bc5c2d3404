#pragma once
// The OpenAPI 3.0.3 document of the API, made from the router's table when it is asked for:
// every route under /api/v1 is in it, with the documentation its module declared (ApiDoc), or
// at least its method, path, summary and access when it declared none.
#include <string>

#include <nlohmann/json.hpp>

#include "webenroll/api/api_route.hpp"
#include "webenroll/router.hpp"

namespace pkilab::web {

inline constexpr const char* kApiPrefix = "/api/v1";

bool is_api_route(const Route& route);  // /api/v1 and below

// `server_url`: "https://127.0.0.1:8443" (empty: none named).
nlohmann::json openapi_document(const Router& router, const ApiDocs& docs, const std::string& server_url);

// components.schemas: the objects the API sends and takes (Request, Certificate, Outcome, Problem...).
const nlohmann::json& api_schemas();

}  // namespace pkilab::web
