#include "webenroll/api/openapi.hpp"

#include <algorithm>

#include "webenroll/api/api_response.hpp"
#include "webenroll/api/problem.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::web {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// "post /api/v1/requests/{ca}/{id}/approve" -> "post_requests_ca_id_approve"
std::string operation_id(const Route& r) {
    std::string id = lower(r.method);
    std::string_view rest(r.pattern);
    rest.remove_prefix(std::min(rest.size(), std::string_view(kApiPrefix).size()));
    for (char c : rest) {
        if (c == '/') id += '_';
        else if (std::isalnum(static_cast<unsigned char>(c))) id += c;
    }
    return id == lower(r.method) ? id + "_index" : id;
}

std::vector<std::string> path_params(const std::string& pattern) {
    std::vector<std::string> out;
    for (size_t open = pattern.find('{'); open != std::string::npos; open = pattern.find('{', open + 1)) {
        const size_t close = pattern.find('}', open);
        if (close == std::string::npos) break;
        out.push_back(pattern.substr(open + 1, close - open - 1));
    }
    return out;
}

nlohmann::json ref(const std::string& schema) { return {{"$ref", "#/components/schemas/" + schema}}; }

nlohmann::json body_schema(const std::vector<BodyField>& fields) {
    nlohmann::json props = nlohmann::json::object();
    nlohmann::json required = nlohmann::json::array();
    for (const auto& f : fields) {
        props[f.name] = {{"type", "string"}, {"maxLength", f.max_length}, {"description", f.description}};
        if (f.required) required.push_back(f.name);
    }
    nlohmann::json s{{"type", "object"}, {"additionalProperties", false}, {"properties", props}};
    if (!required.empty()) s["required"] = required;
    return s;
}

const char* reason_phrase(int status) {
    switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 202: return "Accepted: held for a CA officer's approval";
        case 400: return "Bad input (the member or parameter is named)";
        case 401: return "No or wrong credentials";
        case 403: return "Not allowed";
        case 404: return "Not found";
        case 409: return "Not possible in the current state";
        case 413: return "Body too large";
        case 415: return "The body is not application/json";
        case 422: return "Denied by policy (the findings are inside)";
        case 429: return "Rate limited";
        case 500: return "Internal error";
    }
    return "Answer";
}

nlohmann::json operation(const Route& r, const ApiDoc* doc, nlohmann::json& schemas) {
    nlohmann::json op{{"summary", r.summary}, {"operationId", operation_id(r)}, {"x-pkilab-access", to_string(r.access)}};
    const std::string tag = [&] {
        std::string_view rest(r.pattern);
        rest.remove_prefix(std::min(rest.size(), std::string_view(kApiPrefix).size() + 1));
        const std::string first(rest.substr(0, rest.find('/')));
        return first.empty() ? std::string("index") : first;
    }();
    op["tags"] = {tag};
    op["security"] = r.access == Access::Public ? nlohmann::json::array()
                                                : nlohmann::json::array({{{"basic", nlohmann::json::array()}},
                                                                         {{"bearer", nlohmann::json::array()}}});
    nlohmann::json params = nlohmann::json::array();
    for (const auto& p : path_params(r.pattern))
        params.push_back({{"name", p}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    nlohmann::json responses = nlohmann::json::object();
    std::vector<int> errors;
    if (doc != nullptr) {
        for (const auto& q : doc->query) {
            nlohmann::json schema{{"type", q.type}};
            if (!q.values.empty()) schema["enum"] = q.values;
            params.push_back({{"name", q.name}, {"in", "query"}, {"required", false}, {"description", q.description}, {"schema", schema}});
        }
        if (!doc->body.empty()) {
            const std::string name = doc->body_schema.empty() ? operation_id(r) + "_body" : doc->body_schema;
            schemas[name] = body_schema(doc->body);
            op["requestBody"] = {{"required", std::any_of(doc->body.begin(), doc->body.end(), [](const BodyField& f) { return f.required; })},
                                 {"content", {{kJsonType, {{"schema", ref(name)}}}}}};
        }
        nlohmann::json success{{"description", reason_phrase(doc->success)}};
        if (!doc->response_schema.empty()) {
            success["content"] = {{kJsonType, {{"schema", ref(doc->response_schema)}}}};
        } else {
            nlohmann::json media = nlohmann::json::object();
            for (const auto& m : doc->media) media[m] = {{"schema", {{"type", "string"}, {"format", "binary"}}}};
            if (!media.empty()) success["content"] = media;
        }
        responses[std::to_string(doc->success)] = success;
        // Submissions answer 202 for a pending request as well.
        if (doc->response_schema == "Outcome" && doc->success != 202)
            responses["202"] = {{"description", reason_phrase(202)}, {"content", {{kJsonType, {{"schema", ref("Outcome")}}}}}};
        errors = doc->errors;
    } else {
        responses["200"] = {{"description", "OK"}};
    }
    if (r.access != Access::Public) errors.insert(errors.end(), {401, 403, 429});
    errors.push_back(500);
    std::sort(errors.begin(), errors.end());
    errors.erase(std::unique(errors.begin(), errors.end()), errors.end());
    for (int status : errors)
        responses[std::to_string(status)] = {{"description", reason_phrase(status)},
                                             {"content", {{kProblemType, {{"schema", ref("Problem")}}}}}};
    if (!params.empty()) op["parameters"] = params;
    op["responses"] = responses;
    return op;
}

}  // namespace

bool is_api_route(const Route& route) {
    const std::string_view p(route.pattern);
    return p == kApiPrefix || p.starts_with(std::string(kApiPrefix) + "/");
}

nlohmann::json openapi_document(const Router& router, const ApiDocs& docs, const std::string& server_url) {
    nlohmann::json schemas = api_schemas();
    nlohmann::json paths = nlohmann::json::object();
    for (const auto& r : router.routes()) {
        if (!is_api_route(r)) continue;
        const auto it = docs.find(doc_key(r.method, r.pattern));
        paths[r.pattern][lower(r.method)] = operation(r, it == docs.end() ? nullptr : &it->second, schemas);
    }
    nlohmann::json doc{
        {"openapi", "3.0.3"},
        {"info",
         {{"title", "pkilab REST API"},
          {"version", "1"},
          {"description",
           "Certificate requests, preflight checks, certificates, revocation, templates, CAs, CRLs and the audit log "
           "of a pkilab lab. Errors are RFC 9457 problem details; a request denied by policy is a 422 problem with "
           "the findings inside. Every route of this server under /api/v1 is listed, with its access level as "
           "x-pkilab-access (public, authenticated, enroll, read, officer, admin)."}}},
        {"paths", paths},
        {"components",
         {{"securitySchemes",
           {{"basic", {{"type", "http"}, {"scheme", "basic"}, {"description", "A web user's name and password"}}},
            {"bearer", {{"type", "http"}, {"scheme", "bearer"}, {"description", "A web user's token (token_sha256 in the lab file)"}}}}},
          {"schemas", schemas}}}};
    if (!server_url.empty()) doc["servers"] = {{{"url", server_url}}};
    return doc;
}

void add_openapi_route(ApiRoutes& api) {
    const WebServices& s = api.services();
    std::shared_ptr<const ApiDocs> docs = api.docs();
    api.add("GET", "/api/v1/openapi.json", Access::Public, "This document: OpenAPI 3.0.3 of every /api/v1 route",
            ApiDoc{{}, {}, "", 200, "", {kJsonType}, {}}, [&s, docs](const ApiCall&, httplib::Response& res) {
                if (s.router == nullptr) throw InternalError("the API was set up without the router");
                res.status = 200;
                res.set_header("Cache-Control", "no-cache");
                res.set_header("X-Content-Type-Options", "nosniff");
                // Summaries are ours, but another module's could hold anything: replaced, not thrown on.
                const nlohmann::json doc = openapi_document(*s.router, *docs, s.https_base);
                res.set_content(doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", kJsonType);
            });
}

}  // namespace pkilab::web
