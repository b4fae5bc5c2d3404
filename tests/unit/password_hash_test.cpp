#include "ca/auth/password_hash.hpp"

#include <gtest/gtest.h>

#include <string>

#include "ca/auth/token_hash.hpp"
#include "ca/errors.hpp"

namespace pkilab {
namespace {

// Written by Python's hashlib, not by us, so that the format is checked against an independent
// implementation:
//   b64 = lambda x: base64.b64encode(x).decode().rstrip('=')
//   hashlib.pbkdf2_hmac('sha256', b'correct horse', bytes(range(16)), 10000)
constexpr const char* kPythonHash = "$pbkdf2-sha256$i=10000$AAECAwQFBgcICQoLDA0ODw$5RUHDgNTp9sBOWGYS4e6u57cz/Sq3/TQgaDP/8MW6L8";
// hashlib.pbkdf2_hmac('sha256', 'pässwörd'.encode(), b'pkilab-9', 12345): an 8-byte salt (no
// padding to strip) and a UTF-8 password.
constexpr const char* kPythonHashShortSalt = "$pbkdf2-sha256$i=12345$cGtpbGFiLTk$UKWLp+wH4ovUSwaE4pBpUYPW++1C8mva2L9IexMp9UE";

TEST(PasswordHash, RoundTrip) {
    const std::string phc = hash_password("correct horse battery staple", kMinPbkdf2Iterations);
    EXPECT_TRUE(phc.starts_with("$pbkdf2-sha256$i=10000$")) << phc;
    EXPECT_EQ(password_hash_problem(phc), "");
    EXPECT_TRUE(verify_password("correct horse battery staple", phc));
    EXPECT_FALSE(verify_password("correct horse battery stapl", phc));
    EXPECT_FALSE(verify_password("", phc));
}

TEST(PasswordHash, DefaultShapeHasA16ByteSaltAnd32ByteHashUnpadded) {
    const std::string phc = hash_password("pw");
    // "$pbkdf2-sha256$i=600000$" + 22 characters of salt + "$" + 43 of hash
    EXPECT_TRUE(phc.starts_with("$pbkdf2-sha256$i=600000$")) << phc;
    EXPECT_EQ(phc.size(), std::string("$pbkdf2-sha256$i=600000$").size() + 22 + 1 + 43) << phc;
    EXPECT_EQ(phc.find('='), phc.find("i=") + 1) << "padding in " << phc;
    EXPECT_TRUE(verify_password("pw", phc));
}

TEST(PasswordHash, EachHashHasItsOwnSalt) {
    EXPECT_NE(hash_password("same", kMinPbkdf2Iterations), hash_password("same", kMinPbkdf2Iterations));
}

TEST(PasswordHash, VerifiesHashesPythonMade) {
    EXPECT_EQ(password_hash_problem(kPythonHash), "");
    EXPECT_TRUE(verify_password("correct horse", kPythonHash));
    EXPECT_FALSE(verify_password("correct horse ", kPythonHash));
    EXPECT_FALSE(verify_password("Correct horse", kPythonHash));
    EXPECT_EQ(password_hash_problem(kPythonHashShortSalt), "");
    EXPECT_TRUE(verify_password("p\xc3\xa4ssw\xc3\xb6rd", kPythonHashShortSalt));
    EXPECT_FALSE(verify_password("passwoerd", kPythonHashShortSalt));
}

TEST(PasswordHash, IterationsOutOfRangeAreRefused) {
    EXPECT_THROW(hash_password("pw", kMinPbkdf2Iterations - 1), InputError);
    EXPECT_THROW(hash_password("pw", kMaxPbkdf2Iterations + 1), InputError);
}

struct BadHash {
    const char* name;
    std::string phc;
    const char* problem_part;
};

class PasswordHashMalformed : public ::testing::TestWithParam<BadHash> {};

TEST_P(PasswordHashMalformed, HasAProblemAndNeverVerifies) {
    const BadHash& c = GetParam();
    std::string problem;
    ASSERT_NO_THROW(problem = password_hash_problem(c.phc));
    EXPECT_NE(problem, "") << c.phc;
    EXPECT_NE(problem.find(c.problem_part), std::string::npos) << problem;
    bool verified = true;
    ASSERT_NO_THROW(verified = verify_password("correct horse", c.phc));
    EXPECT_FALSE(verified) << c.phc;
}

const std::string kSalt = "AAECAwQFBgcICQoLDA0ODw";
const std::string kHash = "5RUHDgNTp9sBOWGYS4e6u57cz/Sq3/TQgaDP/8MW6L8";
const std::string kHead = "$pbkdf2-sha256$i=10000$";

INSTANTIATE_TEST_SUITE_P(
    Cases, PasswordHashMalformed,
    ::testing::Values(
        BadHash{"Empty", "", "empty"},
        BadHash{"Plaintext", "correct horse", "not $pbkdf2-sha256$"},
        BadHash{"OtherScheme", "$pbkdf2-sha512$i=10000$" + kSalt + "$" + kHash, "not $pbkdf2-sha256$"},
        BadHash{"Bcrypt", "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234", "not $pbkdf2-sha256$"},
        BadHash{"PasslibShapeWithoutIEquals", "$pbkdf2-sha256$10000$" + kSalt + "$" + kHash, "not i=ITERATIONS"},
        BadHash{"MissingIterations", "$pbkdf2-sha256$" + kSalt + "$" + kHash, "too few"},
        BadHash{"IterationsNotANumber", "$pbkdf2-sha256$i=abc$" + kSalt + "$" + kHash, "i= is not a whole number"},
        BadHash{"IterationsEmpty", "$pbkdf2-sha256$i=$" + kSalt + "$" + kHash, "i= is not a whole number"},
        BadHash{"IterationsNegative", "$pbkdf2-sha256$i=-10000$" + kSalt + "$" + kHash, "i= is not a whole number"},
        BadHash{"IterationsWithLengthParameter", "$pbkdf2-sha256$i=10000,l=32$" + kSalt + "$" + kHash,
                "i= is not a whole number"},
        BadHash{"IterationsLeadingZero", "$pbkdf2-sha256$i=010000$" + kSalt + "$" + kHash, "leading zero"},
        BadHash{"IterationsBelowMinimum", "$pbkdf2-sha256$i=9999$" + kSalt + "$" + kHash, "i= is below 10000"},
        BadHash{"IterationsZero", "$pbkdf2-sha256$i=0$" + kSalt + "$" + kHash, "i= is below 10000"},
        BadHash{"IterationsAboveMaximum", "$pbkdf2-sha256$i=10000001$" + kSalt + "$" + kHash, "i= is above 10000000"},
        BadHash{"IterationsOverflow", "$pbkdf2-sha256$i=99999999999999999999$" + kSalt + "$" + kHash,
                "i= is not a whole number"},
        BadHash{"IterationsWrapTo32Bits", "$pbkdf2-sha256$i=4294977296$" + kSalt + "$" + kHash, "i= is above"},
        BadHash{"MissingHash", kHead + kSalt, "too few"},
        BadHash{"ExtraField", kHead + kSalt + "$" + kHash + "$x", "too many"},
        BadHash{"EmptySalt", kHead + "$" + kHash, "the salt is empty"},
        BadHash{"EmptyHash", kHead + kSalt + "$", "the hash is empty"},
        BadHash{"SaltNotBase64", kHead + "AAEC*wQFBgcICQoLDA0ODw$" + kHash, "the salt is not base64"},
        BadHash{"HashBase64Url", kHead + kSalt + "$5RUHDgNTp9sBOWGYS4e6u57cz_Sq3_TQgaDP_8MW6L8", "the hash is not base64"},
        BadHash{"PasslibAdaptedBase64", kHead + kSalt + "$5RUHDgNTp9sBOWGYS4e6u57cz.Sq3.TQgaDP.8MW6L8",
                "the hash is not base64"},
        BadHash{"SaltImpossibleLength", kHead + "AAECA$" + kHash, "the salt is not base64"},
        BadHash{"HashPadded", kHead + kSalt + "$" + kHash + "=", "padding"},
        BadHash{"SaltPadded", kHead + kSalt + "==$" + kHash, "padding"},
        BadHash{"HashNotCanonical", kHead + kSalt + "$5RUHDgNTp9sBOWGYS4e6u57cz/Sq3/TQgaDP/8MW6L9", "not canonical"},
        BadHash{"SaltTooShort", kHead + "AAECAwQFBg$" + kHash, "the salt is 7 bytes; 8 to 64 are allowed"},
        BadHash{"SaltTooLong", kHead + std::string(88, 'A') + "$" + kHash, "the salt is 66 bytes"},
        BadHash{"HashShort", kHead + kSalt + "$5RUHDgNTp9sBOWGYS4e6u57cz/Sq3/TQgaDP/8MW", "the hash is 30 bytes, not 32"},
        BadHash{"HashLong", kHead + kSalt + "$" + kHash + "AAAA", "the hash is 35 bytes, not 32"},
        BadHash{"Whitespace", kHead + kSalt + "$" + kHash.substr(0, 20) + " " + kHash.substr(20), "not base64"},
        BadHash{"TrailingNewline", std::string(kPythonHash) + "\n", "not base64"},
        BadHash{"NulInside", kHead + kSalt + std::string(1, '\0') + "$" + kHash, "not base64"},
        BadHash{"Huge", kHead + std::string(100000, 'A') + "$" + kHash, "longer than 256 characters"}),
    [](const auto& tpi) { return std::string(tpi.param.name); });

TEST(WebToken, NewTokensAre43Base64UrlCharactersAndDiffer) {
    const std::string a = new_token();
    const std::string b = new_token();
    EXPECT_NE(a, b);
    EXPECT_EQ(a.size(), 43u);
    EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos)
        << a;
}

TEST(WebToken, Sha256IsLowerCaseHexOfTheText) {
    // FIPS 180-2 appendix B.1.
    EXPECT_EQ(token_sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(WebToken, MatchesInEitherCaseAndNothingMalformed) {
    const std::string token = new_token();
    const std::string hex = token_sha256(token);
    EXPECT_TRUE(token_matches(token, hex));
    std::string upper = hex;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_TRUE(token_matches(token, upper));
    EXPECT_FALSE(token_matches(token + "x", hex));
    EXPECT_FALSE(token_matches(token, hex.substr(1)));
    EXPECT_FALSE(token_matches(token, hex.substr(0, 63) + "g"));
    EXPECT_FALSE(token_matches(token, ""));
}

}  // namespace
}  // namespace pkilab
