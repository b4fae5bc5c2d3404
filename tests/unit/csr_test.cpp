// parse_csr on good and hostile input, make_csr and the encoders.
#include "ca/x509/csr.hpp"

#include <gtest/gtest.h>

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include "ca/errors.hpp"
#include "ca/x509/extensions.hpp"
#include "ca/x509/name.hpp"

namespace pkilab {
namespace {

// A request built directly with OpenSSL, so tests can make ones make_csr never would.
struct ReqSpec {
    EVP_PKEY* key = nullptr;
    std::string subject = "CN=www.lab.test";
    std::vector<ossl::X509ExtensionPtr> extensions;
    const EVP_MD* md = EVP_sha256();
    long version = 0;
    std::string challenge;
};

ossl::X509ReqPtr build_req(ReqSpec& spec) {
    ossl::X509ReqPtr req(X509_REQ_new());
    EXPECT_EQ(X509_REQ_set_version(req.get(), spec.version), 1);
    auto name = parse_dn(spec.subject);
    EXPECT_EQ(X509_REQ_set_subject_name(req.get(), name.get()), 1);
    EXPECT_EQ(X509_REQ_set_pubkey(req.get(), spec.key), 1);
    if (!spec.extensions.empty()) {
        ossl::ExtensionStackPtr exts(sk_X509_EXTENSION_new_null());
        for (auto& e : spec.extensions) sk_X509_EXTENSION_push(exts.get(), X509_EXTENSION_dup(e.get()));
        EXPECT_EQ(X509_REQ_add_extensions(req.get(), exts.get()), 1);
    }
    if (!spec.challenge.empty()) {
        EXPECT_EQ(X509_REQ_add1_attr_by_NID(req.get(), NID_pkcs9_challengePassword, MBSTRING_UTF8,
                                            reinterpret_cast<const unsigned char*>(spec.challenge.data()),
                                            static_cast<int>(spec.challenge.size())),
                  1);
    }
    EXPECT_GT(X509_REQ_sign(req.get(), spec.key, spec.md), 0);
    return req;
}

ossl::PkeyPtr ec_key() { return generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"}); }
ossl::PkeyPtr ed_key() { return generate_key(KeySpec{KeyAlgorithm::Ed25519, 0, ""}); }

Bytes good_der() {
    static const Bytes der = [] {
        auto key = ed_key();
        return csr_to_der(make_csr(key.get(), "CN=www.lab.test", {{NameType::Dns, "www.lab.test"}}).get());
    }();
    return der;
}

std::string good_pem() {
    static const std::string pem = [] {
        auto key = ec_key();
        return csr_to_pem(make_csr(key.get(), "CN=www.lab.test", {{NameType::Dns, "www.lab.test"}}).get());
    }();
    return pem;
}

InputError parse_error(ByteView input) {
    try {
        parse_csr(input);
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "CSR");
        return e;
    }
    ADD_FAILURE() << "parse_csr accepted the input";
    return InputError("", "", "");
}

InputError parse_error(const X509_REQ* req) { return parse_error(csr_to_der(req)); }

void expect_problem(const InputError& e, const std::string& field, const std::string& fragment) {
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_NE(e.problem().find(fragment), std::string::npos) << e.what();
}

// ---- good requests ----

TEST(ParseCsr, ReadsAGoodPemRequest) {
    ParsedCsr csr = parse_csr(as_bytes(good_pem()));
    EXPECT_EQ(csr.subject, "CN=www.lab.test");
    EXPECT_EQ(csr.sans, (std::vector<GeneralName>{{NameType::Dns, "www.lab.test"}}));
    EXPECT_EQ(csr.key.description, "ECDSA P-256");
    EXPECT_EQ(csr.signature_algorithm, "ecdsa-with-SHA256");
    EXPECT_FALSE(csr.requests_ca);
    ASSERT_EQ(csr.extensions.size(), 1u);
    EXPECT_EQ(csr.extensions[0].oid, "2.5.29.17");
    EXPECT_EQ(csr.extensions[0].name, "subjectAltName");
    EXPECT_FALSE(csr.extensions[0].critical);
    EXPECT_EQ(csr.der, csr_to_der(csr.req.get()));
}

TEST(ParseCsr, ReadsAGoodDerRequest) {
    ParsedCsr csr = parse_csr(good_der());
    EXPECT_EQ(csr.der, good_der());
    EXPECT_EQ(csr.key.description, "Ed25519");
    EXPECT_EQ(csr.signature_algorithm, "ED25519");
}

TEST(ParseCsr, AcceptsNewCertificateRequestLabelAndSurroundingWhitespace) {
    std::string pem = good_pem();
    for (std::string label : {"BEGIN ", "END "}) {
        auto at = pem.find(label + "CERTIFICATE REQUEST");
        pem.insert(at + label.size(), "NEW ");
    }
    ParsedCsr csr = parse_csr(as_bytes("\r\n  " + pem + "\n\n"));
    EXPECT_EQ(csr.subject, "CN=www.lab.test");
}

TEST(ParseCsr, RsaExponentThreeIsReportedNotRefused) {
    ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    ASSERT_EQ(EVP_PKEY_keygen_init(ctx.get()), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048), 1);
    ossl::BignumPtr e(BN_new());
    BN_set_word(e.get(), 3);
    ASSERT_EQ(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), e.get()), 1);
    EVP_PKEY* raw = nullptr;
    ASSERT_EQ(EVP_PKEY_generate(ctx.get(), &raw), 1);
    ossl::PkeyPtr key(raw);

    ParsedCsr csr = parse_csr(csr_to_der(make_csr(key.get(), "CN=rsa3.lab.test", {}).get()));
    EXPECT_EQ(csr.key.algorithm, KeyAlgorithm::Rsa);
    EXPECT_EQ(csr.key.rsa_exponent, 3u);
    EXPECT_EQ(csr.key.bits, 2048);
    EXPECT_EQ(csr.signature_algorithm, "sha256WithRSAEncryption");
}

TEST(ParseCsr, CaRequestIsFlagged) {
    auto key = ed_key();
    ReqSpec spec;
    spec.key = key.get();
    spec.extensions.push_back(make_basic_constraints(true, std::nullopt));
    spec.md = nullptr;
    auto req = build_req(spec);
    ParsedCsr csr = parse_csr(csr_to_der(req.get()));
    EXPECT_TRUE(csr.requests_ca);
    ASSERT_EQ(csr.extensions.size(), 1u);
    EXPECT_TRUE(csr.extensions[0].critical);
}

TEST(ParseCsr, KnownMicrosoftAndUnknownNonCriticalExtensionsAreKept) {
    auto key = ec_key();
    ReqSpec spec;
    spec.key = key.get();
    spec.extensions.push_back(make_ms_template_name("WebServer"));
    X509_EXTENSION_set_critical(spec.extensions.back().get(), 1);
    spec.extensions.push_back(make_raw_extension("1.3.6.1.4.1.99999.9", Bytes{0x05, 0x00}, false));
    auto req = build_req(spec);
    ParsedCsr csr = parse_csr(csr_to_der(req.get()));
    ASSERT_EQ(csr.extensions.size(), 2u);
    EXPECT_EQ(csr.extensions[0].oid, "1.3.6.1.4.1.311.20.2");
    EXPECT_TRUE(csr.extensions[0].critical);
    EXPECT_EQ(csr.extensions[1].name, "1.3.6.1.4.1.99999.9");
    EXPECT_EQ(csr.extensions[1].value, (Bytes{0x05, 0x00}));
}

TEST(ParseCsr, ReadsTheChallengePassword) {
    auto key = ec_key();
    ReqSpec spec;
    spec.key = key.get();
    spec.challenge = "s3cret-otp";
    auto req = build_req(spec);
    EXPECT_EQ(parse_csr(csr_to_der(req.get())).challenge_password, "s3cret-otp");
}

// ---- hostile encodings ----

TEST(ParseCsr, RefusesBadSignature) {
    Bytes der = good_der();
    der.back() ^= 0x01;  // the signature BIT STRING ends the request
    expect_problem(parse_error(der), "signature", "does not verify");
}

TEST(ParseCsr, RefusesTruncatedDer) {
    Bytes der = good_der();
    der.erase(der.end() - 10, der.end());
    expect_problem(parse_error(der), "encoding", "DER does not parse");
}

TEST(ParseCsr, RefusesTrailingBytesAfterDer) {
    Bytes der = good_der();
    der.push_back(0x00);
    der.push_back(0x00);
    expect_problem(parse_error(der), "encoding", "2 bytes after the end of the request");
}

TEST(ParseCsr, RefusesTrailingGarbageAfterPem) {
    expect_problem(parse_error(as_bytes(good_pem() + "garbage\n")), "encoding", "after the PEM END line");
}

TEST(ParseCsr, RefusesTextBeforePem) {
    expect_problem(parse_error(as_bytes("Here is my CSR:\n" + good_pem())), "encoding", "before the PEM BEGIN");
}

TEST(ParseCsr, RefusesTwoPemBlocks) {
    expect_problem(parse_error(as_bytes(good_pem() + good_pem())), "encoding", "more than one PEM block");
}

TEST(ParseCsr, RefusesOneMegabyte) {
    Bytes big(1024 * 1024, 'A');
    expect_problem(parse_error(big), "size", "over the limit");
}

TEST(ParseCsr, RefusesEmptyInput) { expect_problem(parse_error(as_bytes(" \n")), "encoding", "empty"); }

TEST(ParseCsr, RefusesThingsThatAreNotCsrs) {
    // A certificate in DER.
    auto key = ec_key();
    ossl::X509Ptr cert(X509_new());
    X509_set_version(cert.get(), X509_VERSION_3);
    X509_set_pubkey(cert.get(), key.get());
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    ASSERT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
    unsigned char* raw = nullptr;
    int len = i2d_X509(cert.get(), &raw);
    ossl::OsslBytesPtr owned(raw);
    expect_problem(parse_error(ByteView(raw, static_cast<size_t>(len))), "encoding", "not a PKCS#10");

    // The same certificate in PEM.
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert.get());
    char* pem = nullptr;
    long pem_len = BIO_get_mem_data(bio.get(), &pem);
    expect_problem(parse_error(as_bytes(std::string_view(pem, static_cast<size_t>(pem_len)))), "encoding",
                   "is a 'CERTIFICATE', not a CERTIFICATE REQUEST");

    expect_problem(parse_error(as_bytes("hello, world")), "encoding", "not a PKCS#10");
}

TEST(ParseCsr, RefusesBrokenBase64) {
    std::string pem = good_pem();
    pem[pem.find('\n') + 5] = '*';
    expect_problem(parse_error(as_bytes(pem)), "encoding", "PEM block does not decode");
}

// ---- hostile contents ----

TEST(ParseCsr, RefusesUnknownCriticalExtension) {
    auto key = ec_key();
    ReqSpec spec;
    spec.key = key.get();
    spec.extensions.push_back(make_raw_extension("1.3.6.1.4.1.99999.1", Bytes{0x05, 0x00}, true));
    auto req = build_req(spec);
    expect_problem(parse_error(req.get()), "extensions.1.3.6.1.4.1.99999.1", "not understood");
}

TEST(ParseCsr, RefusesDuplicateExtension) {
    auto key = ec_key();
    ReqSpec spec;
    spec.key = key.get();
    spec.extensions.push_back(make_subject_alt_name({{NameType::Dns, "a.lab.test"}}, false));
    spec.extensions.push_back(make_subject_alt_name({{NameType::Dns, "b.lab.test"}}, false));
    auto req = build_req(spec);
    expect_problem(parse_error(req.get()), "extensions", "subjectAltName (2.5.29.17) is requested more than once");
}

TEST(ParseCsr, RefusesNulByteInSanDnsName) {
    ossl::Asn1StringPtr ia5(ASN1_IA5STRING_new());
    ASN1_STRING_set(ia5.get(), "evil.test\0.lab.test", 19);
    ossl::GeneralNamePtr gn(GENERAL_NAME_new());
    GENERAL_NAME_set0_value(gn.get(), GEN_DNS, ia5.release());
    ossl::GeneralNamesPtr names(GENERAL_NAMES_new());
    sk_GENERAL_NAME_push(names.get(), gn.release());
    auto key = ec_key();
    ReqSpec spec;
    spec.key = key.get();
    spec.extensions.emplace_back(X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get()));
    auto req = build_req(spec);
    expect_problem(parse_error(req.get()), "extensions.subjectAltName", "NUL");
}

TEST(ParseCsr, RefusesMalformedKnownExtensions) {
    struct Case {
        const char* oid;
        const char* field;
    };
    const Case cases[] = {{"2.5.29.17", "extensions.subjectAltName"}, {"2.5.29.15", "extensions.keyUsage"},
                          {"2.5.29.19", "extensions.basicConstraints"},
                          {"1.3.6.1.4.1.311.21.7", "extensions.1.3.6.1.4.1.311.21.7"}};
    for (const auto& c : cases) {
        auto key = ec_key();
        ReqSpec spec;
    spec.key = key.get();
        spec.extensions.push_back(make_raw_extension(c.oid, Bytes{0x05, 0x00}, false));  // a NULL
        auto req = build_req(spec);
        expect_problem(parse_error(req.get()), c.field, "does not parse");
    }
}

TEST(ParseCsr, RefusesEmptySubjectAltName) {
    auto key = ec_key();
    ReqSpec spec;
    spec.key = key.get();
    spec.extensions.push_back(make_raw_extension("2.5.29.17", Bytes{0x30, 0x00}, false));
    auto req = build_req(spec);
    expect_problem(parse_error(req.get()), "extensions.subjectAltName", "empty");
}

TEST(ParseCsr, RefusesDsaKey) {
    ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr));
    ASSERT_EQ(EVP_PKEY_paramgen_init(pctx.get()), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set_dsa_paramgen_bits(pctx.get(), 1024), 1);
    EVP_PKEY* raw_params = nullptr;
    ASSERT_EQ(EVP_PKEY_generate(pctx.get(), &raw_params), 1);
    ossl::PkeyPtr params(raw_params);
    ossl::PkeyCtxPtr kctx(EVP_PKEY_CTX_new_from_pkey(nullptr, params.get(), nullptr));
    ASSERT_EQ(EVP_PKEY_keygen_init(kctx.get()), 1);
    EVP_PKEY* raw_key = nullptr;
    ASSERT_EQ(EVP_PKEY_generate(kctx.get(), &raw_key), 1);
    ossl::PkeyPtr key(raw_key);

    ReqSpec spec;
    spec.key = key.get();
    auto req = build_req(spec);
    expect_problem(parse_error(req.get()), "key", "DSA");
}

TEST(ParseCsr, RefusesVersionOtherThanV1) {
    auto key = ec_key();
    ReqSpec spec;
    spec.key = key.get();
    spec.version = 2;
    auto req = build_req(spec);
    expect_problem(parse_error(req.get()), "version", "only v1");
}

TEST(ParseCsr, RefusesNulByteInSubject) {
    auto key = ec_key();
    ossl::X509ReqPtr req(X509_REQ_new());
    ossl::X509NamePtr name(X509_NAME_new());
    ASSERT_EQ(X509_NAME_add_entry_by_NID(name.get(), NID_commonName, MBSTRING_UTF8,
                                         reinterpret_cast<const unsigned char*>("evil\0.lab.test"), 14, -1, 0),
              1);
    X509_REQ_set_subject_name(req.get(), name.get());
    X509_REQ_set_pubkey(req.get(), key.get());
    ASSERT_GT(X509_REQ_sign(req.get(), key.get(), EVP_sha256()), 0);
    expect_problem(parse_error(req.get()), "subject", "NUL byte");
}

// ---- make_csr ----

TEST(MakeCsr, EmptySubjectMakesSanCritical) {
    auto key = ec_key();
    auto req = make_csr(key.get(), "", {{NameType::Dns, "www.lab.test"}});
    ParsedCsr csr = parse_csr(csr_to_der(req.get()));
    EXPECT_EQ(csr.subject, "");
    ASSERT_EQ(csr.extensions.size(), 1u);
    EXPECT_TRUE(csr.extensions[0].critical);
}

TEST(MakeCsr, NoSansMeansNoExtensions) {
    auto key = ed_key();
    ParsedCsr csr = parse_csr(as_bytes(csr_to_pem(make_csr(key.get(), "CN=x, O=Lab", {}).get())));
    EXPECT_EQ(csr.subject, "CN=x, O=Lab");
    EXPECT_TRUE(csr.extensions.empty());
}

TEST(MakeCsr, RefusesBadSubject) {
    auto key = ec_key();
    EXPECT_THROW(make_csr(key.get(), "XX=unknown", {}), InputError);
}

}  // namespace
}  // namespace pkilab
