#include "ca/keys/key.hpp"

#include <gtest/gtest.h>

#include <string>

#include "ca/errors.hpp"

namespace pkilab {
namespace {

TEST(KeySpecParse, CanonicalAndAliasForms) {
    struct Case {
        const char* text;
        KeySpec spec;
        const char* canonical;
    };
    const Case cases[] = {
        {"rsa2048", {KeyAlgorithm::Rsa, 2048, ""}, "rsa2048"},
        {"RSA:3072", {KeyAlgorithm::Rsa, 3072, ""}, "rsa3072"},
        {"rsa4096", {KeyAlgorithm::Rsa, 4096, ""}, "rsa4096"},
        {"rsa1024", {KeyAlgorithm::Rsa, 1024, ""}, "rsa1024"},
        {"ecdsa-p256", {KeyAlgorithm::Ec, 0, "P-256"}, "ecdsa-p256"},
        {"p384", {KeyAlgorithm::Ec, 0, "P-384"}, "ecdsa-p384"},
        {"ec521", {KeyAlgorithm::Ec, 0, "P-521"}, "ecdsa-p521"},
        {"Ed25519", {KeyAlgorithm::Ed25519, 0, ""}, "ed25519"},
    };
    for (const auto& c : cases) {
        KeySpec s = parse_key_spec(c.text);
        EXPECT_EQ(s, c.spec) << c.text;
        EXPECT_EQ(to_string(s), c.canonical) << c.text;
    }
}

TEST(KeySpecParse, RefusesUnsupportedSpecs) {
    try {
        parse_key_spec("rsa1000", "cas[0].key");
        FAIL() << "rsa1000 accepted";
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "cas[0].key");
        EXPECT_NE(e.problem().find("RSA key size 1000 is not supported"), std::string::npos) << e.problem();
    }
    for (const char* bad : {"rsa", "rsa-abc", "ecdsa-p224", "256", "ed448", "dsa2048", "x25519", ""}) {
        EXPECT_THROW(parse_key_spec(bad), InputError) << bad;
    }
}

TEST(KeyGenerate, EachSupportedSpecDescribesItself) {
    struct Case {
        const char* spec;
        KeyAlgorithm algorithm;
        int bits;
        const char* curve;
        const char* description;
    };
    const Case cases[] = {
        {"rsa2048", KeyAlgorithm::Rsa, 2048, "", "RSA 2048"},
        {"ecdsa-p256", KeyAlgorithm::Ec, 256, "P-256", "ECDSA P-256"},
        {"ecdsa-p384", KeyAlgorithm::Ec, 384, "P-384", "ECDSA P-384"},
        {"ecdsa-p521", KeyAlgorithm::Ec, 521, "P-521", "ECDSA P-521"},
        {"ed25519", KeyAlgorithm::Ed25519, 256, "", "Ed25519"},
    };
    for (const auto& c : cases) {
        auto key = generate_key(parse_key_spec(c.spec));
        ASSERT_NE(key, nullptr) << c.spec;
        KeyInfo info = describe_key(key.get());
        EXPECT_EQ(info.algorithm, c.algorithm) << c.spec;
        EXPECT_EQ(info.bits, c.bits) << c.spec;
        EXPECT_EQ(info.curve, c.curve) << c.spec;
        EXPECT_EQ(info.description, c.description) << c.spec;
    }
}

TEST(KeyGenerate, RsaUsesExponent65537) {
    auto key = generate_key(KeySpec{KeyAlgorithm::Rsa, 1024, ""});
    EXPECT_EQ(describe_key(key.get()).rsa_exponent, 65537u);
}

TEST(KeyGenerate, RefusesSpecsOutsideTheSupportedSet) {
    EXPECT_THROW(generate_key(KeySpec{KeyAlgorithm::Rsa, 1000, ""}), InputError);
    EXPECT_THROW(generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-224"}), InputError);
}

ossl::PkeyPtr keygen(const char* type, const char* param = nullptr) {
    ossl::PkeyPtr key(param != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, param)
                                       : EVP_PKEY_Q_keygen(nullptr, nullptr, type));
    return key;
}

void expect_refused(const EVP_PKEY* key, const std::string& field, const std::string& problem) {
    ASSERT_NE(key, nullptr);
    try {
        describe_key(key);
        FAIL() << "accepted: " << problem;
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "key");
        EXPECT_EQ(e.field(), field);
        EXPECT_NE(e.problem().find(problem), std::string::npos) << e.problem();
    }
}

TEST(KeyDescribe, RefusesDsa) {
    ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr));
    ASSERT_NE(pctx, nullptr);
    ASSERT_EQ(EVP_PKEY_paramgen_init(pctx.get()), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set_dsa_paramgen_bits(pctx.get(), 1024), 1);
    EVP_PKEY* raw_params = nullptr;
    ASSERT_EQ(EVP_PKEY_paramgen(pctx.get(), &raw_params), 1);
    ossl::PkeyPtr params(raw_params);
    ossl::PkeyCtxPtr kctx(EVP_PKEY_CTX_new_from_pkey(nullptr, params.get(), nullptr));
    ASSERT_EQ(EVP_PKEY_keygen_init(kctx.get()), 1);
    EVP_PKEY* raw_key = nullptr;
    ASSERT_EQ(EVP_PKEY_keygen(kctx.get(), &raw_key), 1);
    ossl::PkeyPtr dsa(raw_key);
    expect_refused(dsa.get(), "algorithm", "DSA keys are not supported");
}

TEST(KeyDescribe, RefusesOtherAlgorithms) {
    expect_refused(keygen("ED448").get(), "algorithm", "Ed448 keys are not supported");
    expect_refused(keygen("X25519").get(), "algorithm", "X25519 keys are not supported");
    expect_refused(keygen("SM2").get(), "algorithm", "SM2 keys are not supported");
}

TEST(KeyDescribe, RefusesOtherCurves) {
    expect_refused(keygen("EC", "secp256k1").get(), "curve", "EC curve secp256k1 is not supported");
    expect_refused(keygen("EC", "brainpoolP256r1").get(), "curve", "brainpoolP256r1");
}

}  // namespace
}  // namespace pkilab
