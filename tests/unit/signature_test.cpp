#include "ca/x509/signature.hpp"

#include <gtest/gtest.h>

#include <string>

#include "ca/errors.hpp"
#include "ca/keys/key.hpp"
#include "ca/x509/name.hpp"

namespace pkilab {
namespace {

// An unsigned self-issued certificate for `key`.
ossl::X509Ptr unsigned_cert(EVP_PKEY* key) {
    ossl::X509Ptr cert(X509_new());
    X509_set_version(cert.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 42);
    auto name = parse_dn("CN=Signature Test, O=Lab");
    X509_set_subject_name(cert.get(), name.get());
    X509_set_issuer_name(cert.get(), name.get());
    ossl::Asn1TimePtr t(ASN1_TIME_set(nullptr, 1767225600));  // 2026-01-01
    X509_set1_notBefore(cert.get(), t.get());
    X509_set1_notAfter(cert.get(), t.get());
    X509_set_pubkey(cert.get(), key);
    return cert;
}

struct Case {
    const char* label;
    const char* key;
    SignatureSpec spec;
    const char* algorithm;
};

class SignCertificate : public ::testing::TestWithParam<Case> {};

TEST_P(SignCertificate, VerifiesAndNamesItsAlgorithm) {
    const Case& c = GetParam();
    auto key = generate_key(parse_key_spec(c.key));
    auto cert = unsigned_cert(key.get());
    sign_certificate(cert.get(), key.get(), c.spec);
    EXPECT_EQ(X509_verify(cert.get(), key.get()), 1);
    EXPECT_EQ(signature_algorithm_name(cert.get()), c.algorithm);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SignCertificate,
    ::testing::Values(
        Case{"rsa_sha256", "rsa2048", {HashAlgorithm::Sha256, false}, "sha256WithRSAEncryption"},
        Case{"rsa_sha1_legacy", "rsa2048", {HashAlgorithm::Sha1, false}, "sha1WithRSAEncryption"},
        Case{"rsa_pss_sha384", "rsa2048", {HashAlgorithm::Sha384, true}, "RSASSA-PSS (SHA384)"},
        Case{"rsa_pss_sha256", "rsa2048", {HashAlgorithm::Sha256, true}, "RSASSA-PSS (SHA256)"},
        Case{"ec_sha384", "ecdsa-p384", {HashAlgorithm::Sha384, false}, "ecdsa-with-SHA384"},
        Case{"ec_sha512", "ecdsa-p521", {HashAlgorithm::Sha512, false}, "ecdsa-with-SHA512"},
        Case{"ed25519_ignores_hash", "ed25519", {HashAlgorithm::Sha384, false}, "ED25519"}),
    [](const ::testing::TestParamInfo<Case>& p) { return std::string(p.param.label); });

TEST(SignCertificatePss, ParametersUseDigestLengthSaltAndSameMgf1Hash) {
    auto key = generate_key(parse_key_spec("rsa2048"));
    auto cert = unsigned_cert(key.get());
    sign_certificate(cert.get(), key.get(), {HashAlgorithm::Sha384, true});
    const X509_ALGOR* alg = nullptr;
    X509_get0_signature(nullptr, &alg, cert.get());
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    ASSERT_EQ(X509_signature_print(bio.get(), alg, nullptr), 1);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    std::string text(data, static_cast<size_t>(n));
    EXPECT_NE(text.find("Hash Algorithm: sha384"), std::string::npos) << text;
    EXPECT_NE(text.find("Mask Algorithm: mgf1 with sha384"), std::string::npos) << text;
    EXPECT_NE(text.find("Salt Length: 0x30"), std::string::npos) << text;
}

TEST(SignCertificatePss, RefusedWithAnEcKey) {
    auto key = generate_key(parse_key_spec("ecdsa-p256"));
    auto cert = unsigned_cert(key.get());
    try {
        sign_certificate(cert.get(), key.get(), {HashAlgorithm::Sha256, true});
        FAIL() << "PSS with EC accepted";
    } catch (const InputError& e) {
        EXPECT_EQ(e.field(), "rsa_pss");
        EXPECT_NE(e.problem().find("needs an RSA key; this key is ECDSA P-256"), std::string::npos) << e.problem();
    }
}

TEST(SignCertificateKeys, RefusesUnsupportedKeyType) {
    ossl::PkeyPtr ed448(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448"));
    auto cert = unsigned_cert(ed448.get());
    EXPECT_THROW(sign_certificate(cert.get(), ed448.get(), {}), InputError);
}

TEST(SignCrl, VerifiesWithTheIssuerKey) {
    auto key = generate_key(parse_key_spec("ecdsa-p256"));
    ossl::X509CrlPtr crl(X509_CRL_new());
    X509_CRL_set_version(crl.get(), 1);
    auto name = parse_dn("CN=CRL Test");
    X509_CRL_set_issuer_name(crl.get(), name.get());
    ossl::Asn1TimePtr t(ASN1_TIME_set(nullptr, 1767225600));
    X509_CRL_set1_lastUpdate(crl.get(), t.get());
    sign_crl(crl.get(), key.get(), {HashAlgorithm::Sha256, false});
    EXPECT_EQ(X509_CRL_verify(crl.get(), key.get()), 1);
}

TEST(HashParse, NamesAndRefusals) {
    EXPECT_EQ(parse_hash("SHA-384", "w"), HashAlgorithm::Sha384);
    EXPECT_EQ(parse_hash("sha1", "w"), HashAlgorithm::Sha1);
    EXPECT_STREQ(to_string(HashAlgorithm::Sha512), "sha512");
    try {
        parse_hash("md5", "cas[0].signature.hash");
        FAIL() << "md5 accepted";
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "cas[0].signature.hash");
        EXPECT_NE(e.problem().find("unknown hash 'md5'"), std::string::npos);
    }
}

}  // namespace
}  // namespace pkilab
