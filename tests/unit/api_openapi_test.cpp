// The OpenAPI document is made from the router's table: whatever is routed under /api/v1 is in
// it, documented or not, and nothing else is.
#include <gtest/gtest.h>

#include "webenroll/api/openapi.hpp"

namespace pkilab::web {
namespace {

void nothing(const WebRequest&, httplib::Response&) {}

Router sample_router() {
    Router r;
    r.add(Route{"GET", "/api/v1/requests/{ca}/{id}", Access::Authenticated, RouteStyle::Api, "One request", nothing});
    r.add(Route{"POST", "/api/v1/requests", Access::Enroll, RouteStyle::Api, "Submit", nothing});
    r.add(Route{"GET", "/api/v1/cas/{ca}/certificate", Access::Public, RouteStyle::Api, "A CA certificate", nothing});
    r.add(Route{"DELETE", "/api/v1/undocumented", Access::Admin, RouteStyle::Api, "Added by another module", nothing});
    r.add(Route{"GET", "/api/v1x", Access::Public, RouteStyle::Api, "Not under /api/v1", nothing});
    r.add(Route{"GET", "/certsrv", Access::Public, RouteStyle::Page, "certsrv", nothing});
    return r;
}

ApiDocs sample_docs() {
    ApiDocs docs;
    docs[doc_key("POST", "/api/v1/requests")] =
        ApiDoc{{}, {{"template", true, 128, "The template", false}, {"csr", true, 1000, "The CSR", true}}, "EnrollmentRequest", 201,
               "Outcome", {}, {400, 422}};
    docs[doc_key("GET", "/api/v1/requests/{ca}/{id}")] =
        ApiDoc{{{"verbose", "More", {"yes", "no"}}}, {}, "", 200, "Request", {}, {404}};
    docs[doc_key("GET", "/api/v1/cas/{ca}/certificate")] =
        ApiDoc{{}, {}, "", 200, "", {"application/x-pem-file", "application/pkix-cert"}, {404}};
    return docs;
}

TEST(ApiOpenApi, EveryRouteUnderApiV1IsListedWithItsMethodAndNothingElse) {
    const nlohmann::json doc = openapi_document(sample_router(), sample_docs(), "https://127.0.0.1:8443");
    EXPECT_EQ(doc["openapi"], "3.0.3");
    EXPECT_EQ(doc["servers"][0]["url"], "https://127.0.0.1:8443");
    const auto& paths = doc["paths"];
    EXPECT_EQ(paths.size(), 4u) << paths.dump(2);
    EXPECT_TRUE(paths["/api/v1/requests/{ca}/{id}"].contains("get"));
    EXPECT_TRUE(paths["/api/v1/requests"].contains("post"));
    EXPECT_TRUE(paths["/api/v1/cas/{ca}/certificate"].contains("get"));
    // An undocumented route is still there, with what the router knows of it.
    const auto& other = paths["/api/v1/undocumented"]["delete"];
    EXPECT_EQ(other["summary"], "Added by another module");
    EXPECT_EQ(other["x-pkilab-access"], "admin");
    EXPECT_TRUE(other["responses"].contains("401"));
    EXPECT_FALSE(paths.contains("/api/v1x"));
    EXPECT_FALSE(paths.contains("/certsrv"));
}

TEST(ApiOpenApi, OperationsCarryParametersSecurityAccessAndSchemas) {
    const nlohmann::json doc = openapi_document(sample_router(), sample_docs(), "");
    EXPECT_FALSE(doc.contains("servers"));
    const auto& show = doc["paths"]["/api/v1/requests/{ca}/{id}"]["get"];
    EXPECT_EQ(show["x-pkilab-access"], "authenticated");
    EXPECT_EQ(show["security"].size(), 2u);
    std::vector<std::string> names;
    for (const auto& p : show["parameters"]) names.push_back(p["name"].get<std::string>() + "@" + p["in"].get<std::string>());
    EXPECT_EQ(names, (std::vector<std::string>{"ca@path", "id@path", "verbose@query"}));
    EXPECT_EQ(show["responses"]["200"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Request");
    EXPECT_EQ(show["responses"]["404"]["content"]["application/problem+json"]["schema"]["$ref"], "#/components/schemas/Problem");

    const auto& submit = doc["paths"]["/api/v1/requests"]["post"];
    EXPECT_EQ(submit["requestBody"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/EnrollmentRequest");
    EXPECT_TRUE(submit["responses"].contains("201"));
    EXPECT_TRUE(submit["responses"].contains("202"));  // a pending request
    EXPECT_TRUE(submit["responses"].contains("422"));
    const auto& body = doc["components"]["schemas"]["EnrollmentRequest"];
    EXPECT_EQ(body["additionalProperties"], false);
    EXPECT_EQ(body["required"], nlohmann::json::array({"template", "csr"}));

    const auto& download = doc["paths"]["/api/v1/cas/{ca}/certificate"]["get"];
    EXPECT_TRUE(download["security"].empty());  // public
    EXPECT_FALSE(download["responses"].contains("401"));
    EXPECT_TRUE(download["responses"]["200"]["content"].contains("application/pkix-cert"));

    for (const char* s : {"Request", "Certificate", "Problem", "Outcome", "Finding"})
        EXPECT_TRUE(doc["components"]["schemas"].contains(s)) << s;
    EXPECT_EQ(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}

// Every $ref points at a schema the document has.
void check_refs(const nlohmann::json& node, const nlohmann::json& schemas, const std::string& where) {
    if (node.is_object()) {
        if (node.contains("$ref")) {
            const std::string ref = node["$ref"];
            const std::string prefix = "#/components/schemas/";
            ASSERT_EQ(ref.rfind(prefix, 0), 0u) << where;
            EXPECT_TRUE(schemas.contains(ref.substr(prefix.size()))) << ref << " at " << where;
        }
        for (const auto& [k, v] : node.items()) check_refs(v, schemas, where + "/" + k);
    } else if (node.is_array()) {
        for (const auto& v : node) check_refs(v, schemas, where + "[]");
    }
}

TEST(ApiOpenApi, EveryReferenceResolves) {
    const nlohmann::json doc = openapi_document(sample_router(), sample_docs(), "");
    check_refs(doc, doc["components"]["schemas"], "");
}

}  // namespace
}  // namespace pkilab::web
