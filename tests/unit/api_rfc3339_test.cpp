// RFC 3339 times as the REST API takes them (invalidity dates, expiring_before).
#include <gtest/gtest.h>

#include "ca/errors.hpp"
#include "webenroll/api/rfc3339.hpp"

namespace pkilab::web {
namespace {

struct Good {
    const char* label;
    std::string text;
    std::string utc;  // format_time of the result
};

class ApiRfc3339Reads : public ::testing::TestWithParam<Good> {};

TEST_P(ApiRfc3339Reads, AsUtc) {
    EXPECT_EQ(format_time(parse_rfc3339(GetParam().text, "body", "invalidity_date")), GetParam().utc);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ApiRfc3339Reads,
    ::testing::Values(Good{"zulu", "2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z"},
                      Good{"lower_case", "2026-11-23t10:00:00z", "2026-11-23T10:00:00Z"},
                      Good{"fraction", "2026-11-23T10:00:00.999Z", "2026-11-23T10:00:00Z"},
                      Good{"east", "2026-11-23T10:00:00+02:00", "2026-11-23T08:00:00Z"},
                      Good{"west_across_midnight", "2026-11-23T22:30:00-05:30", "2026-11-24T04:00:00Z"},
                      Good{"date_only", "2026-11-23", "2026-11-23T00:00:00Z"},
                      Good{"leap_day", "2028-02-29T12:00:00Z", "2028-02-29T12:00:00Z"},
                      Good{"leap_second", "2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z"}),
    [](const ::testing::TestParamInfo<Good>& p) { return std::string(p.param.label); });

struct Bad {
    const char* label;
    std::string text;
    std::string problem;
};

class ApiRfc3339Refuses : public ::testing::TestWithParam<Bad> {};

TEST_P(ApiRfc3339Refuses, NamingTheField) {
    try {
        parse_rfc3339(GetParam().text, "body", "invalidity_date");
        FAIL() << "accepted " << GetParam().text;
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "body");
        EXPECT_EQ(e.field(), "invalidity_date");
        EXPECT_NE(e.problem().find(GetParam().problem), std::string::npos) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ApiRfc3339Refuses,
    ::testing::Values(Bad{"empty", "", "not an RFC 3339 time"}, Bad{"words", "yesterday", "not an RFC 3339 time"},
                      Bad{"no_zone", "2026-11-23T10:00:00", "no time zone"},
                      Bad{"space", "2026-11-23 10:00:00Z", "not 'T'"},
                      Bad{"no_seconds", "2026-11-23T10:00Z", "HH:MM:SS"},
                      Bad{"february_30", "2026-02-30", "not a date of the calendar"},
                      Bad{"month_13", "2026-13-01", "not a date of the calendar"},
                      Bad{"hour_24", "2026-11-23T24:00:00Z", "out of range"},
                      Bad{"short_offset", "2026-11-23T10:00:00+02", "offset"},
                      Bad{"after_zone", "2026-11-23T10:00:00Zjunk", "after its time zone"},
                      Bad{"empty_fraction", "2026-11-23T10:00:00.Z", "fraction"},
                      Bad{"long_fraction", "2026-11-23T10:00:00.1234567890Z", "fraction"}),
    [](const ::testing::TestParamInfo<Bad>& p) { return std::string(p.param.label); });

}  // namespace
}  // namespace pkilab::web
