#include "ca/x509/pem.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "ca/errors.hpp"
#include "ca/keys/key.hpp"
#include "ca/x509/name.hpp"
#include "ca/x509/signature.hpp"

namespace pkilab {
namespace {

ossl::X509Ptr make_cert(const std::string& cn) {
    ossl::PkeyPtr key = generate_key(parse_key_spec("ecdsa-p256"));
    ossl::X509Ptr cert(X509_new());
    X509_set_version(cert.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
    auto name = parse_dn("CN=" + cn);
    X509_set_subject_name(cert.get(), name.get());
    X509_set_issuer_name(cert.get(), name.get());
    ossl::Asn1TimePtr t(ASN1_TIME_set(nullptr, 1767225600));
    X509_set1_notBefore(cert.get(), t.get());
    X509_set1_notAfter(cert.get(), t.get());
    X509_set_pubkey(cert.get(), key.get());
    sign_certificate(cert.get(), key.get(), {});
    return cert;
}

std::optional<InputError> single_error(ByteView input) {
    try {
        parse_certificate(input, "upload");
    } catch (const InputError& e) {
        return e;
    }
    return std::nullopt;
}

void expect_error(ByteView input, const std::string& field, const std::string& problem) {
    auto e = single_error(input);
    ASSERT_TRUE(e.has_value()) << "accepted: " << problem;
    EXPECT_EQ(e->where(), "upload");
    EXPECT_EQ(e->field(), field);
    EXPECT_NE(e->problem().find(problem), std::string::npos) << e->problem();
}

TEST(PemParse, PemAndDerGiveTheSameCertificate) {
    auto cert = make_cert("one");
    const std::string pem = certificate_pem(cert.get());
    EXPECT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    const Bytes der = certificate_der(cert.get());
    auto from_pem = parse_certificate(as_bytes(pem), "t");
    auto from_der = parse_certificate(der, "t");
    EXPECT_EQ(X509_cmp(from_pem.get(), cert.get()), 0);
    EXPECT_EQ(X509_cmp(from_der.get(), cert.get()), 0);
}

TEST(PemParse, AllowsExplanatoryTextBeforeAndWhitespaceAfter) {
    auto cert = make_cert("one");
    const std::string text = "subject=CN=one\r\n" + certificate_pem(cert.get()) + "\n\n  \r\n";
    EXPECT_NO_THROW(parse_certificate(as_bytes(text), "t"));
}

TEST(PemParse, RefusesTrailingGarbageAfterPem) {
    const std::string text = certificate_pem(make_cert("one").get()) + "garbage\n";
    expect_error(as_bytes(text), "encoding", "trailing data after the PEM block");
}

TEST(PemParse, RefusesTrailingBytesAfterDer) {
    Bytes der = certificate_der(make_cert("one").get());
    der.push_back(0x00);
    expect_error(der, "encoding", "1 trailing bytes after the DER certificate");
}

TEST(PemParse, RefusesTrailingBytesInsidePemBody) {
    Bytes der = certificate_der(make_cert("one").get());
    der.push_back(0x05);
    der.push_back(0x00);
    // pkcs7_pem only armours bytes; relabel its output as a certificate.
    std::string text = pkcs7_pem(der);
    for (size_t pos; (pos = text.find("PKCS7")) != std::string::npos;) text.replace(pos, 5, "CERTIFICATE");
    expect_error(as_bytes(text), "encoding", "2 trailing bytes after the DER certificate");
}

TEST(PemParse, RefusesTruncatedDer) {
    const Bytes der = certificate_der(make_cert("one").get());
    ASSERT_GT(der.size(), 10u);
    const Bytes truncated(der.begin(), der.end() - 10);
    expect_error(truncated, "encoding", "not a valid DER certificate");
}

TEST(PemParse, RefusesTwoCertificatesWhereOneIsExpected) {
    const std::string text = certificate_pem(make_cert("one").get()) + certificate_pem(make_cert("two").get());
    expect_error(as_bytes(text), "encoding", "more than one certificate");
}

TEST(PemParse, RefusesOversizeInput) {
    Bytes big(kMaxCertificateBytes + 1, 'A');
    expect_error(big, "size", "at most 65536");
}

TEST(PemParse, RefusesOtherInputs) {
    expect_error(as_bytes(""), "encoding", "empty input");
    expect_error(as_bytes("hello"), "encoding", "neither a PEM nor a DER certificate");
    expect_error(as_bytes("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"), "encoding",
                 "malformed PEM");
    expect_error(as_bytes("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), "encoding",
                 "'PRIVATE KEY' is not a CERTIFICATE");
}

TEST(PemParseBundle, ReadsEveryCertificateInOrder) {
    const std::string text = certificate_pem(make_cert("one").get()) + "between\n" +
                             certificate_pem(make_cert("two").get());
    auto certs = parse_certificates(as_bytes(text), "chain");
    ASSERT_EQ(certs.size(), 2u);
    EXPECT_EQ(format_dn(X509_get_subject_name(certs[0].get())), "CN=one");
    EXPECT_EQ(format_dn(X509_get_subject_name(certs[1].get())), "CN=two");
    EXPECT_EQ(parse_certificates(certificate_der(certs[1].get()), "chain").size(), 1u);
}

TEST(PemParseBundle, RefusesTrailingGarbage) {
    const std::string text = certificate_pem(make_cert("one").get()) + "x";
    EXPECT_THROW(parse_certificates(as_bytes(text), "chain"), InputError);
}

TEST(Pkcs7, CertsOnlyContainsEveryCertificate) {
    auto a = make_cert("one");
    auto b = make_cert("two");
    Bytes der = pkcs7_certs_only({a.get(), b.get()});
    const unsigned char* p = der.data();
    ossl::Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
    ASSERT_NE(p7, nullptr);
    EXPECT_EQ(p, der.data() + der.size());
    ASSERT_EQ(OBJ_obj2nid(p7->type), NID_pkcs7_signed);
    STACK_OF(X509)* certs = p7->d.sign->cert;
    ASSERT_EQ(sk_X509_num(certs), 2);
    EXPECT_EQ(X509_cmp(sk_X509_value(certs, 0), a.get()), 0);
    EXPECT_EQ(sk_PKCS7_SIGNER_INFO_num(p7->d.sign->signer_info), 0);
    const std::string pem = pkcs7_pem(der);
    EXPECT_TRUE(pem.starts_with("-----BEGIN PKCS7-----\n"));
}

class PemReadFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("pkilab-pem-test-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path write(const std::string& name, const std::string& content) {
        auto path = dir_ / name;
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }
    std::filesystem::path dir_;
};

TEST_F(PemReadFile, ReadsWholeFile) {
    auto path = write("a.bin", std::string("ab\0c", 4));
    EXPECT_EQ(read_file(path, 4), (Bytes{'a', 'b', 0, 'c'}));
}

TEST_F(PemReadFile, RefusesFileOverTheLimit) {
    auto path = write("big.bin", std::string(100, 'x'));
    try {
        read_file(path, 99);
        FAIL() << "oversize file accepted";
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), path.string());
        EXPECT_EQ(e.field(), "size");
        EXPECT_NE(e.problem().find("100 bytes; at most 99"), std::string::npos) << e.problem();
    }
}

TEST_F(PemReadFile, RefusesMissingFileAndDirectory) {
    EXPECT_THROW(read_file(dir_ / "missing", 10), InputError);
    EXPECT_THROW(read_file(dir_, 10), InputError);
}

}  // namespace
}  // namespace pkilab
