// Extension builders, checked by having OpenSSL print or parse the result back.
#include "ca/x509/extensions.hpp"

#include <gtest/gtest.h>

#include <openssl/x509v3.h>

#include "ca/errors.hpp"
#include "ca/keys/key.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/extension_tables.hpp"

namespace pkilab {
namespace {

std::string print(const X509_EXTENSION* ext) {
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    EXPECT_EQ(X509V3_EXT_print(bio.get(), const_cast<X509_EXTENSION*>(ext), 0, 0), 1);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

std::string oid_of(X509_EXTENSION* ext) { return oid_to_string(X509_EXTENSION_get_object(ext)); }
bool critical(const X509_EXTENSION* ext) { return X509_EXTENSION_get_critical(ext) != 0; }

ByteView value_of(X509_EXTENSION* ext) {
    const ASN1_OCTET_STRING* v = X509_EXTENSION_get_data(ext);
    return {ASN1_STRING_get0_data(v), static_cast<size_t>(ASN1_STRING_length(v))};
}

// Runs `f` and returns the InputError it throws (failing the test if it throws none).
template <class F>
InputError input_error(F f) {
    try {
        f();
    } catch (const InputError& e) {
        return e;
    }
    ADD_FAILURE() << "no InputError thrown";
    return InputError("", "", "");
}

// ---- key usage ----

TEST(KeyUsage, PrintsTheRequestedBits) {
    auto ext = make_key_usage({"digitalSignature", "keyEncipherment"}, true);
    EXPECT_EQ(oid_of(ext.get()), "2.5.29.15");
    EXPECT_TRUE(critical(ext.get()));
    EXPECT_EQ(print(ext.get()), "Digital Signature, Key Encipherment");
}

TEST(KeyUsage, CaBitsAndAliasContentCommitment) {
    auto ext = make_key_usage({"keyCertSign", "cRLSign", "contentCommitment"}, false);
    EXPECT_FALSE(critical(ext.get()));
    EXPECT_EQ(print(ext.get()), "Non Repudiation, Certificate Sign, CRL Sign");
}

TEST(KeyUsage, RefusesBadLists) {
    struct Case {
        const char* name;
        std::vector<std::string> usages;
        const char* problem;
    };
    const Case cases[] = {
        {"unknown", {"digitalSignatur"}, "unknown key usage 'digitalSignatur'"},
        {"empty", {}, "no key usage given"},
        {"twice", {"digitalSignature", "digitalSignature"}, "listed twice"},
        {"alias twice", {"nonRepudiation", "contentCommitment"}, "listed twice"},
        {"encipherOnly alone", {"encipherOnly"}, "without keyAgreement"},
    };
    for (const auto& c : cases) {
        auto e = input_error([&] { make_key_usage(c.usages, true, "tmpl.key_usage"); });
        EXPECT_EQ(e.where(), "tmpl.key_usage") << c.name;
        EXPECT_NE(e.problem().find(c.problem), std::string::npos) << c.name << ": " << e.problem();
    }
}

TEST(KeyUsage, CheckNamesAcceptsAValidList) {
    EXPECT_NO_THROW(check_key_usage_names({"keyAgreement", "encipherOnly"}, "ku"));
}

// ---- extended key usage and application policies ----

TEST(ExtendedKeyUsage, ResolvesNamesAndOids) {
    struct Case {
        const char* in;
        const char* oid;
    };
    const Case cases[] = {
        {"serverAuth", "1.3.6.1.5.5.7.3.1"},         {"clientAuth", "1.3.6.1.5.5.7.3.2"},
        {"codeSigning", "1.3.6.1.5.5.7.3.3"},        {"emailProtection", "1.3.6.1.5.5.7.3.4"},
        {"timeStamping", "1.3.6.1.5.5.7.3.8"},       {"OCSPSigning", "1.3.6.1.5.5.7.3.9"},
        {"ipsecIKE", "1.3.6.1.5.5.7.3.17"},          {"anyExtendedKeyUsage", "2.5.29.37.0"},
        {"smartcardLogon", "1.3.6.1.4.1.311.20.2.2"}, {"kdcAuth", "1.3.6.1.5.2.3.5"},
        {"pkinitClientAuth", "1.3.6.1.5.2.3.4"},     {"documentSigning", "1.3.6.1.5.5.7.3.36"},
        {"efs", "1.3.6.1.4.1.311.10.3.4"},           {"efsRecovery", "1.3.6.1.4.1.311.10.3.4.1"},
        {"certificateRequestAgent", "1.3.6.1.4.1.311.20.2.1"},
        {"1.3.6.1.4.1.99999.7", "1.3.6.1.4.1.99999.7"},
    };
    for (const auto& c : cases) EXPECT_EQ(resolve_eku(c.in, "eku"), c.oid) << c.in;
}

TEST(ExtendedKeyUsage, RefusesUnknownNamesAndBadOids) {
    auto e = input_error([] { resolve_eku("webServer", "tmpl.eku"); });
    EXPECT_EQ(e.where(), "tmpl.eku");
    EXPECT_NE(e.problem().find("unknown extended key usage 'webServer'"), std::string::npos);
    e = input_error([] { resolve_eku("1.3..6", "tmpl.eku"); });
    EXPECT_NE(e.problem().find("not an OID"), std::string::npos);
}

TEST(ExtendedKeyUsage, PrintsThePurposes) {
    auto ext = make_extended_key_usage({"serverAuth", "clientAuth"}, false);
    EXPECT_EQ(oid_of(ext.get()), "2.5.29.37");
    EXPECT_EQ(print(ext.get()), "TLS Web Server Authentication, TLS Web Client Authentication");
}

TEST(ExtendedKeyUsage, KeepsCustomOidsInOrder) {
    auto ext = make_extended_key_usage({"1.3.6.1.4.1.99999.7", "smartcardLogon"}, true);
    EXPECT_TRUE(critical(ext.get()));
    ossl::ExtKeyUsagePtr eku(static_cast<EXTENDED_KEY_USAGE*>(X509V3_EXT_d2i(ext.get())));
    ASSERT_TRUE(eku);
    ASSERT_EQ(sk_ASN1_OBJECT_num(eku.get()), 2);
    EXPECT_EQ(oid_to_string(sk_ASN1_OBJECT_value(eku.get(), 0)), "1.3.6.1.4.1.99999.7");
    EXPECT_EQ(oid_to_string(sk_ASN1_OBJECT_value(eku.get(), 1)), "1.3.6.1.4.1.311.20.2.2");
}

TEST(ExtendedKeyUsage, RefusesEmptyAndDuplicateLists) {
    EXPECT_NE(input_error([] { make_extended_key_usage({}, false); }).problem().find("no extended key usage"),
              std::string::npos);
    EXPECT_NE(input_error([] { make_extended_key_usage({"serverAuth", "1.3.6.1.5.5.7.3.1"}, false); })
                  .problem()
                  .find("listed twice"),
              std::string::npos);
}

TEST(ApplicationPolicies, EncodesPolicyInformationPerPurpose) {
    auto ext = make_ms_application_policies({"clientAuth", "smartcardLogon"});
    EXPECT_EQ(oid_of(ext.get()), "1.3.6.1.4.1.311.21.10");
    EXPECT_FALSE(critical(ext.get()));
    auto value = value_of(ext.get());
    const unsigned char* p = value.data();
    CERTIFICATEPOLICIES* raw = d2i_CERTIFICATEPOLICIES(nullptr, &p, static_cast<long>(value.size()));
    ASSERT_NE(raw, nullptr);
    EXPECT_EQ(p, value.data() + value.size());
    ASSERT_EQ(sk_POLICYINFO_num(raw), 2);
    EXPECT_EQ(oid_to_string(sk_POLICYINFO_value(raw, 0)->policyid), "1.3.6.1.5.5.7.3.2");
    EXPECT_EQ(oid_to_string(sk_POLICYINFO_value(raw, 1)->policyid), "1.3.6.1.4.1.311.20.2.2");
    EXPECT_EQ(sk_POLICYINFO_value(raw, 0)->qualifiers, nullptr);
    sk_POLICYINFO_pop_free(raw, POLICYINFO_free);
}

// ---- basic constraints, names ----

TEST(BasicConstraints, CaWithPathLength) {
    auto ext = make_basic_constraints(true, 0);
    EXPECT_TRUE(critical(ext.get()));
    EXPECT_EQ(print(ext.get()), "CA:TRUE, pathlen:0");
}

TEST(BasicConstraints, EndEntity) {
    auto ext = make_basic_constraints(false, std::nullopt);
    EXPECT_TRUE(critical(ext.get()));
    EXPECT_EQ(print(ext.get()), "CA:FALSE");
}

TEST(BasicConstraints, RefusesPathLengthOnEndEntityAndNegative) {
    EXPECT_NE(input_error([] { make_basic_constraints(false, 1); }).problem().find("only allowed on a CA"),
              std::string::npos);
    EXPECT_NE(input_error([] { make_basic_constraints(true, -1); }).problem().find("negative"), std::string::npos);
}

TEST(SubjectAltName, PrintsEveryName) {
    auto ext = make_subject_alt_name({{NameType::Dns, "www.lab.test"}, {NameType::Ip, "10.0.0.1"},
                                      {NameType::Email, "admin@lab.test"}},
                                     false);
    EXPECT_EQ(oid_of(ext.get()), "2.5.29.17");
    EXPECT_FALSE(critical(ext.get()));
    EXPECT_EQ(print(ext.get()), "DNS:www.lab.test, IP Address:10.0.0.1, email:admin@lab.test");
}

TEST(SubjectAltName, RefusesEmptyList) {
    EXPECT_NE(input_error([] { make_subject_alt_name({}, true); }).problem().find("no names"), std::string::npos);
}

TEST(NameConstraints, PermittedAndExcludedSubtrees) {
    auto ext = make_name_constraints({{NameType::Dns, ".lab.test"}, {NameType::Ip, "10.0.0.0/8"}},
                                     {{NameType::Email, "evil.test"}, {NameType::Ip, "fd00::/16"}});
    EXPECT_TRUE(critical(ext.get()));
    std::string text = print(ext.get());
    EXPECT_NE(text.find("Permitted:"), std::string::npos) << text;
    EXPECT_NE(text.find("DNS:.lab.test"), std::string::npos) << text;
    EXPECT_NE(text.find("IP:10.0.0.0/255.0.0.0"), std::string::npos) << text;
    EXPECT_NE(text.find("Excluded:"), std::string::npos) << text;
    EXPECT_NE(text.find("email:evil.test"), std::string::npos) << text;
    EXPECT_NE(text.find("IP:FD00:0:0:0:0:0:0:0/FFFF:0:0:0:0:0:0:0"), std::string::npos) << text;
}

TEST(NameConstraints, OnlyExcluded) {
    auto ext = make_name_constraints({}, {{NameType::Dns, "corp.test"}});
    ossl::Ptr<NAME_CONSTRAINTS, NAME_CONSTRAINTS_free> nc(static_cast<NAME_CONSTRAINTS*>(X509V3_EXT_d2i(ext.get())));
    ASSERT_TRUE(nc);
    EXPECT_EQ(nc->permittedSubtrees, nullptr);
    ASSERT_EQ(sk_GENERAL_SUBTREE_num(nc->excludedSubtrees), 1);
}

TEST(NameConstraints, RefusesBadSubtrees) {
    struct Case {
        const char* name;
        GeneralName base;
        const char* problem;
    };
    const Case cases[] = {
        {"prefix too long", {NameType::Ip, "10.0.0.0/33"}, "invalid prefix length"},
        {"host bits", {NameType::Ip, "10.0.0.1/8"}, "host bits set"},
        {"not an address", {NameType::Ip, "10.0.0/8"}, "not an IP address"},
        {"upn", {NameType::Upn, "a@corp"}, "not supported"},
        {"nul", {NameType::Dns, std::string("lab\0.test", 9)}, "control or non-ASCII"},
    };
    for (const auto& c : cases) {
        auto e = input_error([&] { make_name_constraints({c.base}, {}); });
        EXPECT_EQ(e.where(), "name_constraints") << c.name;
        EXPECT_NE(e.problem().find(c.problem), std::string::npos) << c.name << ": " << e.problem();
    }
    EXPECT_NE(input_error([] { make_name_constraints({}, {}); }).problem().find("neither"), std::string::npos);
}

// ---- distribution points and access ----

TEST(CrlDistributionPoints, OnePointListingEveryUrl) {
    auto ext = make_crl_distribution_points({"http://pki.lab.test/ca.crl", "ldap://dc1.lab.test/CN=Lab%20CA"});
    EXPECT_EQ(oid_of(ext.get()), "2.5.29.31");
    EXPECT_FALSE(critical(ext.get()));
    ossl::Ptr<CRL_DIST_POINTS, CRL_DIST_POINTS_free> dps(static_cast<CRL_DIST_POINTS*>(X509V3_EXT_d2i(ext.get())));
    ASSERT_TRUE(dps);
    ASSERT_EQ(sk_DIST_POINT_num(dps.get()), 1);
    const DIST_POINT* dp = sk_DIST_POINT_value(dps.get(), 0);
    ASSERT_EQ(dp->distpoint->type, 0);
    EXPECT_EQ(sk_GENERAL_NAME_num(dp->distpoint->name.fullname), 2);
    EXPECT_NE(print(ext.get()).find("URI:http://pki.lab.test/ca.crl"), std::string::npos);
}

TEST(CrlDistributionPoints, FreshestCrlUsesItsOwnOid) {
    auto ext = make_freshest_crl({"http://pki.lab.test/ca+.crl"});
    EXPECT_EQ(oid_of(ext.get()), "2.5.29.46");
    EXPECT_NE(print(ext.get()).find("URI:http://pki.lab.test/ca+.crl"), std::string::npos);
}

TEST(CrlDistributionPoints, RefusesEmptyAndSchemelessUrls) {
    EXPECT_EQ(input_error([] { make_crl_distribution_points({}); }).where(), "crl_distribution_points");
    auto e = input_error([] { make_crl_distribution_points({"pki.lab.test/ca.crl"}); });
    EXPECT_EQ(e.where(), "crl_distribution_points");
    EXPECT_NE(e.problem().find("no scheme"), std::string::npos) << e.problem();
}

TEST(AuthorityInfoAccess, OcspAndCaIssuers) {
    auto ext = make_authority_info_access({"http://pki.lab.test/ca.crt"}, {"http://ocsp.lab.test"});
    EXPECT_EQ(oid_of(ext.get()), "1.3.6.1.5.5.7.1.1");
    EXPECT_FALSE(critical(ext.get()));
    std::string text = print(ext.get());
    EXPECT_NE(text.find("OCSP - URI:http://ocsp.lab.test"), std::string::npos) << text;
    EXPECT_NE(text.find("CA Issuers - URI:http://pki.lab.test/ca.crt"), std::string::npos) << text;
}

TEST(AuthorityInfoAccess, RefusesNoUrls) {
    EXPECT_EQ(input_error([] { make_authority_info_access({}, {}); }).where(), "authority_info_access");
}

// ---- policies ----

TEST(CertificatePolicies, QualifiersArePrinted) {
    auto ext = make_certificate_policies(
        {{"1.3.6.1.4.1.99999.1.1", "http://pki.lab.test/cps.html", "Lab use only"}, {"anyPolicy", "", ""}});
    EXPECT_EQ(oid_of(ext.get()), "2.5.29.32");
    std::string text = print(ext.get());
    EXPECT_NE(text.find("Policy: 1.3.6.1.4.1.99999.1.1"), std::string::npos) << text;
    EXPECT_NE(text.find("CPS: http://pki.lab.test/cps.html"), std::string::npos) << text;
    EXPECT_NE(text.find("Explicit Text: Lab use only"), std::string::npos) << text;
    EXPECT_NE(text.find("Policy: X509v3 Any Policy"), std::string::npos) << text;
}

TEST(CertificatePolicies, RefusesBadPolicies) {
    auto e = input_error([] { make_certificate_policies({{"1.2.3.4", "", ""}, {"1.2.3.4", "", ""}}, "pol"); });
    EXPECT_EQ(e.where(), "pol");
    EXPECT_NE(e.problem().find("listed twice"), std::string::npos);
    e = input_error([] { make_certificate_policies({{"lab-policy", "", ""}}, "pol"); });
    EXPECT_NE(e.problem().find("not an OID"), std::string::npos);
    e = input_error([] { make_certificate_policies({{"1.2.3.4", "", std::string(201, 'x')}}, "pol"); });
    EXPECT_NE(e.problem().find("longer than 200"), std::string::npos);
    e = input_error([] { make_certificate_policies({{"1.2.3.4", "", "\xff\xfe"}}, "pol"); });
    EXPECT_NE(e.problem().find("not valid UTF-8"), std::string::npos);
}

// ---- key identifiers ----

TEST(KeyIdentifier, MatchesOpenSslHashMethod) {
    auto key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    ossl::X509Ptr cert(X509_new());
    ASSERT_EQ(X509_set_pubkey(cert.get(), key.get()), 1);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, nullptr, cert.get(), nullptr, nullptr, 0);
    ossl::X509ExtensionPtr theirs(X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_key_identifier, "hash"));
    ASSERT_TRUE(theirs);

    Bytes id = key_identifier(X509_get_X509_PUBKEY(cert.get()));
    EXPECT_EQ(id.size(), 20u);
    auto ours = make_subject_key_identifier(id);
    EXPECT_FALSE(critical(ours.get()));
    EXPECT_EQ(print(ours.get()), print(theirs.get()));
}

TEST(KeyIdentifier, AuthorityKeyIdentifierCarriesOnlyTheKeyId) {
    const Bytes id = {0x01, 0x02, 0xab};
    auto ext = make_authority_key_identifier(id);
    EXPECT_EQ(oid_of(ext.get()), "2.5.29.35");
    ossl::AuthorityKeyIdPtr akid(static_cast<AUTHORITY_KEYID*>(X509V3_EXT_d2i(ext.get())));
    ASSERT_TRUE(akid);
    ASSERT_NE(akid->keyid, nullptr);
    EXPECT_EQ(Bytes(akid->keyid->data, akid->keyid->data + akid->keyid->length), id);
    EXPECT_EQ(akid->issuer, nullptr);
    EXPECT_EQ(akid->serial, nullptr);
}

// ---- Microsoft template extensions ----

TEST(MicrosoftTemplate, NameIsABmpString) {
    auto ext = make_ms_template_name("WebServer");
    EXPECT_EQ(oid_of(ext.get()), "1.3.6.1.4.1.311.20.2");
    EXPECT_FALSE(critical(ext.get()));
    auto value = value_of(ext.get());
    const unsigned char* p = value.data();
    ossl::Asn1StringPtr bmp(d2i_ASN1_BMPSTRING(nullptr, &p, static_cast<long>(value.size())));
    ASSERT_TRUE(bmp);
    EXPECT_EQ(ASN1_STRING_type(bmp.get()), V_ASN1_BMPSTRING);
    EXPECT_EQ(ASN1_STRING_length(bmp.get()), 18);  // UTF-16BE
    EXPECT_EQ(x509_detail::decode_ms_template_name(value), "WebServer");
}

TEST(MicrosoftTemplate, NameKeepsNonAscii) {
    auto ext = make_ms_template_name("Lab Wébserver");
    EXPECT_EQ(x509_detail::decode_ms_template_name(value_of(ext.get())), "Lab Wébserver");
}

TEST(MicrosoftTemplate, NameRefusesInvalidUtf8AndEmpty) {
    EXPECT_NE(input_error([] { make_ms_template_name("\xc3"); }).problem().find("not valid UTF-8"), std::string::npos);
    EXPECT_NE(input_error([] { make_ms_template_name(""); }).problem().find("empty"), std::string::npos);
}

TEST(MicrosoftTemplate, V2IsOidMajorMinor) {
    auto ext = make_ms_template_v2("1.3.6.1.4.1.311.21.8.123.456", 100, 4);
    EXPECT_EQ(oid_of(ext.get()), "1.3.6.1.4.1.311.21.7");
    auto value = value_of(ext.get());
    // Parse it back generically: SEQUENCE { OID, INTEGER, INTEGER }.
    const unsigned char* p = value.data();
    ASN1_SEQUENCE_ANY* seq = d2i_ASN1_SEQUENCE_ANY(nullptr, &p, static_cast<long>(value.size()));
    ASSERT_NE(seq, nullptr);
    ASSERT_EQ(sk_ASN1_TYPE_num(seq), 3);
    EXPECT_EQ(ASN1_TYPE_get(sk_ASN1_TYPE_value(seq, 0)), V_ASN1_OBJECT);
    EXPECT_EQ(oid_to_string(sk_ASN1_TYPE_value(seq, 0)->value.object), "1.3.6.1.4.1.311.21.8.123.456");
    EXPECT_EQ(ASN1_INTEGER_get(sk_ASN1_TYPE_value(seq, 1)->value.integer), 100);
    EXPECT_EQ(ASN1_INTEGER_get(sk_ASN1_TYPE_value(seq, 2)->value.integer), 4);
    sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
    EXPECT_EQ(x509_detail::decode_ms_template_v2(value), "1.3.6.1.4.1.311.21.8.123.456 v100.4");
}

TEST(MicrosoftTemplate, V2RefusesBadOid) {
    auto e = input_error([] { make_ms_template_v2("WebServer", 1, 0); });
    EXPECT_EQ(e.where(), "microsoft.template_oid");
}

// ---- others ----

TEST(OcspNoCheck, IsANullValue) {
    auto ext = make_ocsp_nocheck();
    EXPECT_EQ(oid_of(ext.get()), "1.3.6.1.5.5.7.48.1.5");
    EXPECT_FALSE(critical(ext.get()));
    EXPECT_EQ(Bytes(value_of(ext.get()).begin(), value_of(ext.get()).end()), (Bytes{0x05, 0x00}));
}

TEST(RawExtension, KeepsOneDerElement) {
    const Bytes utf8_abc = {0x0c, 0x03, 'a', 'b', 'c'};
    auto ext = make_raw_extension("1.3.6.1.4.1.99999.42", utf8_abc, true);
    EXPECT_EQ(oid_of(ext.get()), "1.3.6.1.4.1.99999.42");
    EXPECT_TRUE(critical(ext.get()));
    EXPECT_EQ(Bytes(value_of(ext.get()).begin(), value_of(ext.get()).end()), utf8_abc);
}

TEST(RawExtension, RefusesAnythingButOneElement) {
    struct Case {
        const char* name;
        Bytes der;
        const char* problem;
    };
    const Case cases[] = {
        {"trailing", {0x05, 0x00, 0x05, 0x00}, "2 bytes after the first DER element"},
        {"truncated", {0x0c, 0x05, 'a'}, "not valid DER"},
        {"empty", {}, "empty value"},
    };
    for (const auto& c : cases) {
        auto e = input_error([&] { make_raw_extension("1.2.3.4", c.der, false, "custom[0]"); });
        EXPECT_EQ(e.where(), "custom[0]") << c.name;
        EXPECT_NE(e.problem().find(c.problem), std::string::npos) << c.name << ": " << e.problem();
    }
}

TEST(Oid, CheckAcceptsValidOids) {
    for (const char* oid : {"1.2", "0.39", "2.999.1", "1.3.6.1.4.1.311.21.8.123456789.1",
                            "2.25.329800735698586629295641978511506172918"})
        EXPECT_NO_THROW(check_oid(oid, "oid")) << oid;
}

TEST(Oid, CheckRefusesMalformedOids) {
    struct Case {
        const char* oid;
        const char* problem;
    };
    const Case cases[] = {
        {"", "empty"},           {"1", "two arcs"},          {"3.1", "first arc"},
        {"1.40", "0..39"},       {"1..2", "empty arc"},      {"1.2.", "empty arc"},
        {"01.2", "leading zero"}, {"1.2a", "decimal"},       {"-1.2", "decimal"},
    };
    for (const auto& c : cases) {
        auto e = input_error([&] { check_oid(c.oid, "tmpl.oid"); });
        EXPECT_EQ(e.where(), "tmpl.oid") << c.oid;
        EXPECT_NE(e.problem().find(c.problem), std::string::npos) << c.oid << ": " << e.problem();
    }
}

TEST(Oid, ToStringIsDottedEvenForKnownAndLongOids) {
    EXPECT_EQ(oid_to_string(OBJ_nid2obj(NID_commonName)), "2.5.4.3");
    std::string long_oid = "1.3.6.1.4.1";
    for (int i = 0; i < 40; ++i) long_oid += ".123456";
    ossl::Asn1ObjectPtr obj(OBJ_txt2obj(long_oid.c_str(), 1));
    ASSERT_TRUE(obj);
    EXPECT_EQ(oid_to_string(obj.get()), long_oid);
}

}  // namespace
}  // namespace pkilab

namespace pkilab {
namespace {
TEST(SubjectAltName, RefusesAnAddressRange) {
    try {
        make_subject_alt_name({GeneralName{NameType::Ip, "10.0.0.0/8"}}, false);
        FAIL() << "accepted";
    } catch (const InputError& e) {
        EXPECT_NE(e.problem().find("address range"), std::string::npos) << e.what();
    }
}
}  // namespace
}  // namespace pkilab
