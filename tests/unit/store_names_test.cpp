// Text forms of the store's enums: what people type and what the store prints.
#include <gtest/gtest.h>

#include "ca/errors.hpp"
#include "ca/store/store.hpp"

namespace pkilab {
namespace {

struct GoodReason {
    const char* name;
    const char* input;
    RevocationReason expected;
};

class ParseRevocationReasonGood : public ::testing::TestWithParam<GoodReason> {};

TEST_P(ParseRevocationReasonGood, Accepts) {
    EXPECT_EQ(parse_revocation_reason(GetParam().input, "--reason"), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseRevocationReasonGood,
    ::testing::Values(GoodReason{"rfc_name", "keyCompromise", RevocationReason::KeyCompromise},
                      GoodReason{"lower_case", "keycompromise", RevocationReason::KeyCompromise},
                      GoodReason{"hyphenated", "key-compromise", RevocationReason::KeyCompromise},
                      GoodReason{"hyphenated_upper", "KEY-COMPROMISE", RevocationReason::KeyCompromise},
                      GoodReason{"ca_rfc", "cACompromise", RevocationReason::CaCompromise},
                      GoodReason{"ca_hyphen", "ca-compromise", RevocationReason::CaCompromise},
                      GoodReason{"aa_rfc", "aACompromise", RevocationReason::AaCompromise},
                      GoodReason{"unspecified", "unspecified", RevocationReason::Unspecified},
                      GoodReason{"superseded", "Superseded", RevocationReason::Superseded},
                      GoodReason{"affiliation", "affiliation-changed", RevocationReason::AffiliationChanged},
                      GoodReason{"cessation", "cessationOfOperation", RevocationReason::CessationOfOperation},
                      GoodReason{"hold", "certificate-hold", RevocationReason::CertificateHold},
                      GoodReason{"privilege", "privilegeWithdrawn", RevocationReason::PrivilegeWithdrawn},
                      GoodReason{"code_0", "0", RevocationReason::Unspecified},
                      GoodReason{"code_1", "1", RevocationReason::KeyCompromise},
                      GoodReason{"code_6", "6", RevocationReason::CertificateHold},
                      GoodReason{"code_9", "9", RevocationReason::PrivilegeWithdrawn},
                      GoodReason{"code_10", "10", RevocationReason::AaCompromise}),
    [](const auto& p) { return std::string(p.param.name); });

struct BadReason {
    const char* name;
    const char* input;
    const char* problem_part;
};

class ParseRevocationReasonBad : public ::testing::TestWithParam<BadReason> {};

TEST_P(ParseRevocationReasonBad, RefusesWithPreciseProblem) {
    try {
        parse_revocation_reason(GetParam().input, "--reason");
        FAIL() << "accepted " << GetParam().input;
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "--reason");
        EXPECT_EQ(e.field(), "reason");
        EXPECT_NE(e.problem().find(GetParam().problem_part), std::string::npos) << e.problem();
        EXPECT_NE(e.hint().find("keyCompromise"), std::string::npos) << e.hint();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseRevocationReasonBad,
    ::testing::Values(BadReason{"empty", "", "is empty"},
                      BadReason{"unknown_word", "stolen", "unknown revocation reason 'stolen'"},
                      BadReason{"code_7", "7", "7 is not a CRL reason code"},
                      BadReason{"code_11", "11", "unknown revocation reason code '11'"},
                      BadReason{"huge_number", "99999999999999999999", "unknown revocation reason code"},
                      BadReason{"negative", "-1", "unknown revocation reason '-1'"},
                      BadReason{"trailing_space", "keyCompromise ", "unknown revocation reason"},
                      BadReason{"control_chars_masked", "key\x01\n", "'key?" "?'"},
                      BadReason{"wrong_hyphenation", "keycom-promise", "unknown revocation reason"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(ParseRevocationReason, RemoveFromCrlPointsToRelease) {
    for (const char* input : {"removeFromCRL", "remove-from-crl", "8"}) {
        try {
            parse_revocation_reason(input, "--reason");
            FAIL() << "accepted " << input;
        } catch (const InputError& e) {
            EXPECT_EQ(e.problem(), "removeFromCRL is not a revocation reason") << input;
            EXPECT_NE(e.hint().find("release"), std::string::npos);
        }
    }
}

TEST(ParseRevocationReason, LongInputIsTruncatedInTheMessage) {
    try {
        parse_revocation_reason(std::string(500, 'x'), "--reason");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_LT(e.problem().size(), 120u);
        EXPECT_NE(e.problem().find("..."), std::string::npos);
    }
}

TEST(RevocationReasonNames, RoundTripThroughParse) {
    for (auto r : {RevocationReason::Unspecified, RevocationReason::KeyCompromise, RevocationReason::CaCompromise,
                   RevocationReason::AffiliationChanged, RevocationReason::Superseded,
                   RevocationReason::CessationOfOperation, RevocationReason::CertificateHold,
                   RevocationReason::PrivilegeWithdrawn, RevocationReason::AaCompromise})
        EXPECT_EQ(parse_revocation_reason(to_string(r), "test"), r) << to_string(r);
    EXPECT_STREQ(to_string(RevocationReason::RemoveFromCrl), "removeFromCRL");
    EXPECT_STREQ(to_string(RevocationReason::CaCompromise), "cACompromise");
}

TEST(RequestStateNames, ToStringAndParse) {
    EXPECT_STREQ(to_string(RequestState::Pending), "pending");
    EXPECT_STREQ(to_string(RequestState::Issued), "issued");
    EXPECT_STREQ(to_string(RequestState::Denied), "denied");
    EXPECT_STREQ(to_string(RequestState::Failed), "failed");
    EXPECT_EQ(parse_request_state("Denied"), RequestState::Denied);
    EXPECT_EQ(parse_request_state("pending"), RequestState::Pending);
}

TEST(RequestStateNames, UnknownStateIsInputError) {
    try {
        parse_request_state("approved");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.field(), "state");
        EXPECT_NE(e.problem().find("unknown request state 'approved'"), std::string::npos) << e.problem();
        EXPECT_NE(e.hint().find("pending, issued, denied, failed"), std::string::npos);
    }
}

TEST(CertStatusNames, ToString) {
    EXPECT_STREQ(to_string(CertStatus::Valid), "valid");
    EXPECT_STREQ(to_string(CertStatus::Revoked), "revoked");
    EXPECT_STREQ(to_string(CertStatus::OnHold), "on-hold");
}

}  // namespace
}  // namespace pkilab
