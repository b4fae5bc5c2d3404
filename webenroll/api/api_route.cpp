#include "webenroll/api/api_route.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "webenroll/api/problem.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::web {

namespace {

constexpr std::size_t kMaxQueryValue = 512;

bool blank(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

// "application/json", any case, with parameters ("; charset=utf-8").
bool is_json_type(const std::string& content_type) {
    std::string type = content_type.substr(0, content_type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return type == "application/json";
}

std::string declared(const std::vector<QueryParam>& query) {
    if (query.empty()) return "this route takes no query parameters";
    std::string out = "it takes:";
    for (const auto& q : query) out += " " + q.name;
    return out;
}

// Only declared parameters, each once, each bounded: what a handler reads is what it expects.
void check_query(const httplib::Request& req, const std::vector<QueryParam>& query) {
    std::set<std::string> seen;
    for (const auto& param : req.params) {
        // Not a structured binding: clang 14 cannot capture one in the lambda below.
        const std::string& name = param.first;
        const std::string& value = param.second;
        const bool known = std::any_of(query.begin(), query.end(), [&](const QueryParam& q) { return q.name == name; });
        if (!known)
            throw InputError("query", name.size() > 64 ? name.substr(0, 64) + "..." : name, "is not a parameter of this route",
                             declared(query));
        if (!seen.insert(name).second) throw InputError("query", name, "is given twice", "give each parameter once");
        if (value.size() > kMaxQueryValue)
            throw InputError("query", name, "is longer than " + std::to_string(kMaxQueryValue) + " bytes");
        for (unsigned char c : value)
            if (c < 0x20 || c == 0x7f) throw InputError("query", name, "holds a control character");
    }
}

void send_input_problem(httplib::Response& res, const InputError& e, const nlohmann::json& more = nlohmann::json::object()) {
    nlohmann::json extra = {{"where", e.where()}, {"problem", e.problem()}};
    if (!e.field().empty()) extra["field"] = e.field();
    if (!e.hint().empty()) extra["hint"] = e.hint();
    for (const auto& [k, v] : more.items()) extra[k] = v;
    send_problem(res, 400, "bad-input", "Bad request", e.what(), extra);
}

}  // namespace

std::string doc_key(std::string_view method, std::string_view pattern) {
    return std::string(method) + " " + std::string(pattern);
}

ApiRoutes::ApiRoutes(Router& router, WebServices& services)
    : router_(router), services_(services), docs_(std::make_shared<ApiDocs>()) {}

void ApiRoutes::add(std::string method, std::string pattern, Access access, std::string summary, ApiDoc doc,
                    ApiHandler handler) {
    (*docs_)[doc_key(method, pattern)] = doc;
    const bool takes_body = method != "GET";
    auto checked = [doc = std::move(doc), handler = std::move(handler), takes_body](const WebRequest& r, httplib::Response& res) {
        try {
            // The media type first: a form post would otherwise be read as query parameters.
            if (takes_body && !blank(r.http.body) && !is_json_type(r.http.get_header_value("Content-Type"))) {
                send_problem(res, 415, "unsupported-media-type", "Unsupported media type",
                             "the body must be application/json, not " +
                                 (r.http.has_header("Content-Type") ? r.http.get_header_value("Content-Type").substr(0, 100)
                                                                    : std::string("untyped")));
                return;
            }
            if (r.http.body.size() > kMaxJsonBody) {
                send_problem(res, 413, "too-large", "Request body too large",
                             "the body is " + std::to_string(r.http.body.size()) + " bytes; this API takes at most " +
                                 std::to_string(kMaxJsonBody));
                return;
            }
            check_query(r.http, doc.query);
            const nlohmann::json body = takes_body ? parse_json_body(r.http.body, doc.body) : nlohmann::json::object();
            handler(ApiCall{r, body}, res);
        } catch (const JsonSyntaxError& e) {
            send_input_problem(res, e, {{"position", e.byte()}});
        } catch (const InputError& e) {
            send_input_problem(res, e);
        }
    };
    router_.add(Route{std::move(method), std::move(pattern), access, RouteStyle::Api, std::move(summary), std::move(checked)});
}

}  // namespace pkilab::web
