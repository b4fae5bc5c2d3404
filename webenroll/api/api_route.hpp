#pragma once
// How the REST API declares a route: the router's Route plus what the OpenAPI document says of
// it, from one declaration. What is declared is also what is enforced: a query parameter or a
// body member a route does not declare is refused before its handler runs, so the document
// and the server cannot disagree.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "webenroll/api/json_body.hpp"
#include "webenroll/router.hpp"

namespace pkilab::web {

struct WebServices;

struct QueryParam {
    std::string name;
    std::string description;
    std::vector<std::string> values;  // the values it takes, when it is a choice
    std::string type = "string";      // OpenAPI type: "string" or "integer"
};

struct ApiDoc {
    std::vector<QueryParam> query;
    std::vector<BodyField> body;  // empty: the route takes no body (an empty one, or {})
    std::string body_schema;      // the body's name among the document's schemas ("SubmitRequest")
    int success = 200;
    std::string response_schema;  // a schema of components.schemas; empty with `media`
    std::vector<std::string> media;  // what a download answers instead of JSON
    std::vector<int> errors;      // the problem statuses it may answer besides 401/403/429/500
};

// What a handler gets: the request, its checked body and its checked query.
struct ApiCall {
    const WebRequest& web;
    const nlohmann::json& body;  // an object with only declared string members

    std::string field(std::string_view name) const { return body_string(body, name); }
    // The query parameter `name` ("" when absent); only declared ones reach a handler.
    std::string query(const std::string& name) const { return web.http.get_param_value(name); }
    bool has_query(const std::string& name) const { return web.http.has_param(name); }
};

using ApiHandler = std::function<void(const ApiCall&, httplib::Response&)>;

// The API's routes as the OpenAPI document sees them, keyed by "METHOD PATTERN".
using ApiDocs = std::map<std::string, ApiDoc>;

class ApiRoutes {
public:
    ApiRoutes(Router& router, WebServices& services);
    // Adds the route (style Api) with its handler wrapped in the checks `doc` declares.
    void add(std::string method, std::string pattern, Access access, std::string summary, ApiDoc doc, ApiHandler handler);

    WebServices& services() const { return services_; }
    std::shared_ptr<const ApiDocs> docs() const { return docs_; }

private:
    Router& router_;
    WebServices& services_;
    std::shared_ptr<ApiDocs> docs_;
};

std::string doc_key(std::string_view method, std::string_view pattern);

// The modules of the API (each a file of its own).
void add_request_routes(ApiRoutes& api);      // requests, preflight check
void add_certificate_routes(ApiRoutes& api);  // certificates, downloads, revocation
void add_catalog_routes(ApiRoutes& api);      // index, whoami, templates, CAs, CRLs, audit
void add_openapi_route(ApiRoutes& api);       // the OpenAPI document of every /api/v1 route

}  // namespace pkilab::web
