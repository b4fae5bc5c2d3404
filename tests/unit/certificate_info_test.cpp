// describe_certificate, time conversion and serial formatting.
#include "ca/x509/certificate_info.hpp"

#include <gtest/gtest.h>

#include "ca/errors.hpp"
#include "ca/x509/extensions.hpp"
#include "tests/unit/test_cert_builder.hpp"

namespace pkilab {
namespace {

std::string asn1_text(const ASN1_TIME* t) {
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(t)),
                       static_cast<size_t>(ASN1_STRING_length(t)));
}

// ---- time ----

TEST(Asn1Time, UtcTimeThrough2049) {
    auto t = to_asn1_time(parse_time("2049-12-31T23:59:59Z"));
    EXPECT_EQ(ASN1_STRING_type(t.get()), V_ASN1_UTCTIME);
    EXPECT_EQ(asn1_text(t.get()), "491231235959Z");
}

TEST(Asn1Time, GeneralizedTimeFrom2050AndBefore1950) {
    auto t = to_asn1_time(parse_time("2050-01-01T00:00:00Z"));
    EXPECT_EQ(ASN1_STRING_type(t.get()), V_ASN1_GENERALIZEDTIME);
    EXPECT_EQ(asn1_text(t.get()), "20500101000000Z");
    auto old = to_asn1_time(parse_time("1949-06-01T12:00:00Z"));
    EXPECT_EQ(ASN1_STRING_type(old.get()), V_ASN1_GENERALIZEDTIME);
    EXPECT_EQ(asn1_text(old.get()), "19490601120000Z");
}

TEST(Asn1Time, RoundTrips) {
    for (const char* text : {"1970-01-01T00:00:00Z", "2026-11-23T10:00:01Z", "2049-12-31T23:59:59Z",
                             "2050-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1950-01-01T00:00:00Z"}) {
        Time t = parse_time(text);
        EXPECT_EQ(format_time(from_asn1_time(to_asn1_time(t).get())), text);
    }
}

TEST(Asn1Time, ReadsTimesWrittenByOpenSsl) {
    ossl::Asn1TimePtr t(ASN1_TIME_new());
    ASSERT_EQ(ASN1_TIME_set_string(t.get(), "20610304050607Z"), 1);
    EXPECT_EQ(format_time(from_asn1_time(t.get())), "2061-03-04T05:06:07Z");
    ASSERT_EQ(ASN1_TIME_set_string(t.get(), "990101000000Z"), 1);  // UTCTime 99 is 1999
    EXPECT_EQ(format_time(from_asn1_time(t.get())), "1999-01-01T00:00:00Z");
}

TEST(Asn1Time, MalformedTimeIsInputError) {
    ossl::Asn1TimePtr t(ASN1_TIME_new());
    ASSERT_EQ(ASN1_STRING_set(t.get(), "26133", 5), 1);
    t->type = V_ASN1_UTCTIME;
    try {
        from_asn1_time(t.get());
        FAIL() << "no exception";
    } catch (const InputError& e) {
        EXPECT_EQ(e.field(), "validity");
        EXPECT_NE(e.problem().find("malformed time"), std::string::npos);
    }
}

// ---- serial ----

TEST(SerialToHex, ContentOctetsInLowerCase) {
    struct Case {
        Bytes magnitude;
        bool negative;
        const char* hex;
    };
    const Case cases[] = {
        {{0x01}, false, "01"},
        {{0x00}, false, "00"},
        {{0x0a, 0xbc}, false, "0abc"},
        {{0x7f, 0xff}, false, "7fff"},
        {{0x80}, false, "0080"},  // the zero octet keeps it positive
        {{0xde, 0xad, 0xbe, 0xef}, false, "00deadbeef"},
        {{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34,
          0x56, 0x78},
         false,
         "123456789abcdef0123456789abcdef012345678"},
        {{0x01}, true, "-01"},
    };
    for (const auto& c : cases) {
        ossl::BignumPtr bn(BN_bin2bn(c.magnitude.data(), static_cast<int>(c.magnitude.size()), nullptr));
        BN_set_negative(bn.get(), c.negative ? 1 : 0);
        ossl::Asn1IntegerPtr i(BN_to_ASN1_INTEGER(bn.get(), nullptr));
        EXPECT_EQ(serial_to_hex(i.get()), c.hex);
    }
}

// ---- describe_certificate ----

TEST(DescribeCertificate, ReadsEveryField) {
    auto ca_key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-384"});
    auto key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    test::CertSpec spec;
    spec.subject = "CN=www.lab.test, O=Example Lab, C=US";
    spec.issuer = "CN=Lab Issuing CA, O=Example Lab, C=US";
    spec.serial = {0x9a, 0x01};
    spec.not_before = parse_time("2026-01-01T00:00:00Z");
    spec.not_after = parse_time("2051-01-01T00:00:00Z");
    spec.key = key.get();
    spec.signer = ca_key.get();
    spec.extensions.push_back(make_subject_alt_name({{NameType::Dns, "www.lab.test"}, {NameType::Ip, "10.0.0.1"}}, false));
    spec.extensions.push_back(make_key_usage({"digitalSignature", "keyAgreement"}, true));
    spec.extensions.push_back(make_extended_key_usage({"serverAuth", "clientAuth"}, false));
    spec.extensions.push_back(make_basic_constraints(false, std::nullopt));
    spec.extensions.push_back(make_crl_distribution_points({"http://pki.lab.test/ca.crl"}));
    spec.extensions.push_back(make_freshest_crl({"http://pki.lab.test/ca+.crl"}));
    spec.extensions.push_back(make_authority_info_access({"http://pki.lab.test/ca.crt"}, {"http://ocsp.lab.test"}));
    spec.extensions.push_back(make_certificate_policies({{"1.3.6.1.4.1.99999.1", "", ""}}));
    spec.extensions.push_back(make_subject_key_identifier(Bytes{0x11, 0x22}));
    spec.extensions.push_back(make_authority_key_identifier(Bytes{0x33, 0x44}));
    spec.extensions.push_back(make_ms_template_name("WebServer"));
    auto cert = test::build_cert(spec);

    CertificateInfo info = describe_certificate(cert.get());
    EXPECT_EQ(info.serial, "009a01");
    EXPECT_EQ(info.subject, "CN=www.lab.test, O=Example Lab, C=US");
    EXPECT_EQ(info.issuer, "CN=Lab Issuing CA, O=Example Lab, C=US");
    EXPECT_EQ(format_time(info.not_before), "2026-01-01T00:00:00Z");
    EXPECT_EQ(format_time(info.not_after), "2051-01-01T00:00:00Z");
    EXPECT_EQ(info.version, 3);
    EXPECT_EQ(info.sans, (std::vector<GeneralName>{{NameType::Dns, "www.lab.test"}, {NameType::Ip, "10.0.0.1"}}));
    EXPECT_EQ(info.key_usage, (std::vector<std::string>{"digitalSignature", "keyAgreement"}));
    EXPECT_EQ(info.extended_key_usage, (std::vector<std::string>{"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"}));
    ASSERT_TRUE(info.is_ca.has_value());
    EXPECT_FALSE(*info.is_ca);
    EXPECT_FALSE(info.path_length.has_value());
    EXPECT_EQ(info.crl_urls, std::vector<std::string>{"http://pki.lab.test/ca.crl"});
    EXPECT_EQ(info.freshest_crl_urls, std::vector<std::string>{"http://pki.lab.test/ca+.crl"});
    EXPECT_EQ(info.ca_issuer_urls, std::vector<std::string>{"http://pki.lab.test/ca.crt"});
    EXPECT_EQ(info.ocsp_urls, std::vector<std::string>{"http://ocsp.lab.test"});
    EXPECT_EQ(info.policies, std::vector<std::string>{"1.3.6.1.4.1.99999.1"});
    EXPECT_EQ(info.subject_key_id, "1122");
    EXPECT_EQ(info.authority_key_id, "3344");
    EXPECT_EQ(info.ms_template, "WebServer");
    EXPECT_EQ(info.key.description, "ECDSA P-256");
    EXPECT_EQ(info.signature_algorithm, "ecdsa-with-SHA256");

    // The fingerprint is SHA-256 over the DER, computed here independently.
    unsigned char* der = nullptr;
    int der_len = i2d_X509(cert.get(), &der);
    ossl::OsslBytesPtr owned(der);
    unsigned char md[32];
    unsigned int md_len = 0;
    ASSERT_EQ(EVP_Digest(der, static_cast<size_t>(der_len), md, &md_len, EVP_sha256(), nullptr), 1);
    EXPECT_EQ(info.sha256_fingerprint, to_hex(ByteView(md, md_len)));

    ASSERT_EQ(info.extensions.size(), 11u);
    EXPECT_EQ(info.extensions[0].oid, "2.5.29.17");
    EXPECT_EQ(info.extensions[0].name, "subjectAltName");
    EXPECT_FALSE(info.extensions[0].critical);
    EXPECT_EQ(info.extensions[1].name, "keyUsage");
    EXPECT_TRUE(info.extensions[1].critical);
    EXPECT_EQ(info.extensions[10].oid, "1.3.6.1.4.1.311.20.2");
}

TEST(DescribeCertificate, CaWithPathLengthAndTemplateV2) {
    auto key = generate_key(KeySpec{KeyAlgorithm::Ed25519, 0, ""});
    test::CertSpec spec;
    spec.subject = "CN=Lab Root";
    spec.key = key.get();
    spec.extensions.push_back(make_basic_constraints(true, 1));
    spec.extensions.push_back(make_ms_template_v2("1.3.6.1.4.1.311.21.8.1.2", 100, 4));
    auto cert = test::build_cert(spec);
    CertificateInfo info = describe_certificate(cert.get());
    EXPECT_EQ(info.is_ca, true);
    EXPECT_EQ(info.path_length, 1);
    EXPECT_EQ(info.ms_template, "1.3.6.1.4.1.311.21.8.1.2 v100.4");
    EXPECT_EQ(info.key.description, "Ed25519");
    EXPECT_EQ(info.signature_algorithm, "ED25519");
    EXPECT_TRUE(info.sans.empty());
    EXPECT_TRUE(info.key_usage.empty());
}

TEST(DescribeCertificate, NoExtensionsLeavesOptionalFieldsEmpty) {
    auto key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    test::CertSpec spec;
    spec.key = key.get();
    spec.version = X509_VERSION_1;
    auto cert = test::build_cert(spec);
    CertificateInfo info = describe_certificate(cert.get());
    EXPECT_EQ(info.version, 1);
    EXPECT_FALSE(info.is_ca.has_value());
    EXPECT_TRUE(info.extensions.empty());
    EXPECT_TRUE(info.subject_key_id.empty());
    EXPECT_TRUE(info.ms_template.empty());
}

}  // namespace
}  // namespace pkilab
