// The route table and the paths it is matched against.
#include <gtest/gtest.h>

#include "webenroll/router.hpp"

namespace pkilab::web {
namespace {

Route route(const std::string& method, const std::string& pattern, bool nocase = false) {
    Route r;
    r.method = method;
    r.pattern = pattern;
    r.handler = [](const WebRequest&, httplib::Response&) {};
    r.case_insensitive = nocase;
    return r;
}

TEST(CanonicalPath, DropsOneTrailingSlashAndKeepsTheRoot) {
    EXPECT_EQ(canonical_path("/"), "/");
    EXPECT_EQ(canonical_path("/certsrv/"), "/certsrv");
    EXPECT_EQ(canonical_path("/api/v1/requests"), "/api/v1/requests");
}

TEST(CanonicalPath, RefusesWhatOnlyTraversalOrSmugglingWrites) {
    for (const char* bad : {"", "api", "//api", "/api//v1", "/api/./v1", "/api/../admin", "/..", "/.", "/api/v1//",
                            "/a\\b", "/a\tb", "/a\nb", "/a\x7f"})
        EXPECT_FALSE(canonical_path(bad).has_value()) << bad;
    EXPECT_FALSE(canonical_path(std::string_view("/a\0b", 4)).has_value());
}

TEST(Router, MatchesParametersAndPrefersLiteralSegments) {
    Router r;
    r.add(route("GET", "/api/v1/requests/{ca}/{id}"));
    r.add(route("GET", "/api/v1/requests/{ca}/pending"));
    auto m = r.match("GET", "/api/v1/requests/lab-issuing-ca/7");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->pattern, "/api/v1/requests/{ca}/{id}");
    EXPECT_EQ(m.params, (std::vector<std::string>{"lab-issuing-ca", "7"}));
    m = r.match("GET", "/api/v1/requests/lab-issuing-ca/pending");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->pattern, "/api/v1/requests/{ca}/pending");
    EXPECT_EQ(r.match("GET", "/api/v1/requests/lab-issuing-ca").route, nullptr);
    EXPECT_EQ(r.match("GET", "/api/v1/requests/lab-issuing-ca/7/x").route, nullptr);
}

TEST(Router, HeadIsGetAndOtherMethodsAre405) {
    Router r;
    r.add(route("GET", "/x"));
    r.add(route("POST", "/y"));
    EXPECT_NE(r.match("HEAD", "/x").route, nullptr);
    const auto m = r.match("DELETE", "/x");
    EXPECT_EQ(m.route, nullptr);
    EXPECT_TRUE(m.other_method);
    EXPECT_EQ(m.allowed, "GET, HEAD");
    EXPECT_FALSE(r.match("GET", "/nothing").other_method);
}

TEST(Router, CaseFoldsOnlyWhereTheRouteSaysSo) {
    Router r;
    r.add(route("GET", "/certsrv/certfnsh.asp", true));
    r.add(route("GET", "/api/v1/whoami"));
    EXPECT_NE(r.match("GET", "/CertSrv/CertFnsh.asp").route, nullptr);
    EXPECT_EQ(r.match("GET", "/API/v1/whoami").route, nullptr);
}

}  // namespace
}  // namespace pkilab::web
