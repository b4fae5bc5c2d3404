// The REST API's request bodies: every way a body can be wrong is refused with the member (or
// the byte) named, and what passes holds only declared string members.
#include <gtest/gtest.h>

#include "webenroll/api/json_body.hpp"

namespace pkilab::web {
namespace {

const std::vector<BodyField> kFields{
    {"template", true, 16, "", false},
    {"csr", true, 64, "", true},
    {"ca", false, 8, "", false},
};

TEST(ApiJsonBody, AWellFormedBodyPassesWithItsMembers) {
    const auto body = parse_json_body(R"({"template": "WebServer", "csr": "-----BEGIN\r\nx\n", "ca": null})", kFields);
    EXPECT_EQ(body_string(body, "template"), "WebServer");
    EXPECT_EQ(body_string(body, "csr"), "-----BEGIN\r\nx\n");
    EXPECT_EQ(body_string(body, "ca"), "");  // null is absent
    EXPECT_EQ(body_string(body, "other"), "");
}

TEST(ApiJsonBody, AnEmptyBodyIsAnEmptyObject) {
    EXPECT_TRUE(parse_json_body("", {}).empty());
    EXPECT_TRUE(parse_json_body(" \r\n", {}).empty());
    EXPECT_TRUE(parse_json_body("{}", {{"reason", false, 10, "", false}}).empty());
}

struct BadBody {
    const char* label;
    std::string text;
    std::string field;    // the member named, "" for the body as a whole
    std::string problem;  // a part of the problem
};

class ApiJsonBodyRefuses : public ::testing::TestWithParam<BadBody> {};

TEST_P(ApiJsonBodyRefuses, NamingTheMember) {
    const BadBody& c = GetParam();
    try {
        parse_json_body(c.text, kFields);
        FAIL() << "accepted " << c.text;
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "body");
        EXPECT_EQ(e.field(), c.field) << e.what();
        EXPECT_NE(e.problem().find(c.problem), std::string::npos) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ApiJsonBodyRefuses,
    ::testing::Values(
        BadBody{"syntax", R"({"template": "x", csr})", "", "not JSON"},
        BadBody{"truncated", R"({"template": "x")", "", "not JSON"},
        BadBody{"trailing", R"({"template": "x", "csr": "y"} {})", "", "not JSON"},
        BadBody{"array", "[1, 2]", "", "a JSON array, not an object"},
        BadBody{"string", R"("template")", "", "a JSON string, not an object"},
        BadBody{"unknown", R"({"template": "x", "csr": "y", "san": "z"})", "san", "not a member"},
        BadBody{"unknown_control", "{\"a\\u0001\": 1}", "a\\x01", "not a member"},
        BadBody{"twice", R"({"template": "x", "template": "y", "csr": "z"})", "template", "given twice"},
        BadBody{"number", R"({"template": 5, "csr": "y"})", "template", "a JSON number"},
        BadBody{"object", R"({"template": {"name": "x"}, "csr": "y"})", "template", "a JSON object"},
        BadBody{"missing", R"({"template": "x"})", "csr", "missing"},
        BadBody{"null_required", R"({"template": "x", "csr": null})", "csr", "missing"},
        BadBody{"empty_required", R"({"template": "", "csr": "y"})", "template", "empty"},
        BadBody{"too_long", R"({"template": "x", "csr": "y", "ca": "123456789"})", "ca", "at most 8"},
        BadBody{"newline", R"({"template": "a\nb", "csr": "y"})", "template", "control character"},
        BadBody{"nul", R"({"template": "x", "csr": "a\u0000b"})", "csr", "control character"},
        BadBody{"deep", std::string(40, '[') + std::string(40, ']'), "", "deeper than"},
        BadBody{"deep_member", R"({"template": )" + std::string(40, '[') + std::string(40, ']') + "}", "", "deeper than"},
        BadBody{"bad_utf8", "{\"template\": \"\xff\", \"csr\": \"y\"}", "", "not JSON"}),
    [](const ::testing::TestParamInfo<BadBody>& p) { return std::string(p.param.label); });

TEST(ApiJsonBody, ASyntaxErrorSaysAtWhichByte) {
    try {
        parse_json_body(R"({"template": "WebServer", csr})", kFields);
        FAIL();
    } catch (const JsonSyntaxError& e) {
        EXPECT_EQ(e.byte(), 27u);
        EXPECT_NE(e.problem().find("column 27"), std::string::npos) << e.what();
    }
}

TEST(ApiJsonBody, AnOversizeBodyIsRefusedBeforeParsing) {
    const std::string big = "{\"csr\": \"" + std::string(kMaxJsonBody, 'a') + "\"}";
    try {
        parse_json_body(big, kFields);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(dynamic_cast<const JsonSyntaxError*>(&e), nullptr);
        EXPECT_NE(e.problem().find("at most"), std::string::npos) << e.what();
    }
}

TEST(ApiJsonBody, AHugeTokenIsNotQuotedWholeInTheError) {
    const std::string body = "{\"template\": \"" + std::string(50'000, 'a');  // never closed
    try {
        parse_json_body(body, kFields);
        FAIL();
    } catch (const JsonSyntaxError& e) {
        EXPECT_LT(e.problem().size(), 400u);
    }
}

}  // namespace
}  // namespace pkilab::web
