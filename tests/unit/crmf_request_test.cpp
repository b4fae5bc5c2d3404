// CRMF requests (RFC 4211), as CMP's ir, cr and kur carry them: built here with OpenSSL's own
// CRMF functions, read into the ParsedCsr the pipeline takes, and issued through it.
#include <gtest/gtest.h>

#include <openssl/crmf.h>
#include <openssl/x509v3.h>

#include "ca/errors.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/crmf_request.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"
#include "lab_fixture.hpp"

namespace pkilab::test {
namespace {

using CrmfMsgPtr = ossl::Ptr<OSSL_CRMF_MSG, OSSL_CRMF_MSG_free>;

// A CertReqMsg for `key` with `subject` (parse_dn syntax; empty: none) and a SAN extension
// of `dns`, its proof of possession made by `pop_method` with `pop_key`.
CrmfMsgPtr crmf(EVP_PKEY* key, const std::string& subject, const std::string& dns,
                int pop_method = OSSL_CRMF_POPO_SIGNATURE, EVP_PKEY* pop_key = nullptr) {
    CrmfMsgPtr msg(OSSL_CRMF_MSG_new());
    EXPECT_EQ(OSSL_CRMF_MSG_set_certReqId(msg.get(), 0), 1);
    ossl::X509NamePtr name(subject.empty() ? nullptr : X509_NAME_new());
    if (name) {
        EXPECT_EQ(X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                             reinterpret_cast<const unsigned char*>(subject.c_str()), -1, -1, 0),
                  1);
    }
    EXPECT_EQ(OSSL_CRMF_CERTTEMPLATE_fill(OSSL_CRMF_MSG_get0_tmpl(msg.get()), key, name.get(), nullptr, nullptr), 1);
    if (!dns.empty()) {
        X509_EXTENSIONS* exts = sk_X509_EXTENSION_new_null();
        X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, ("DNS:" + dns).c_str());
        EXPECT_NE(san, nullptr);
        sk_X509_EXTENSION_push(exts, san);
        EXPECT_EQ(OSSL_CRMF_MSG_set0_extensions(msg.get(), exts), 1);
    }
    EXPECT_EQ(OSSL_CRMF_MSG_create_popo(pop_method, msg.get(), pop_key != nullptr ? pop_key : key, EVP_sha256(),
                                        nullptr, nullptr),
              1);
    return msg;
}

Bytes der_of(const OSSL_CRMF_MSG* msg) {
    unsigned char* out = nullptr;
    const int n = i2d_OSSL_CRMF_MSG(msg, &out);
    EXPECT_GT(n, 0);
    Bytes b(out, out + n);
    OPENSSL_free(out);
    return b;
}

std::string field_of(ByteView der) {
    try {
        parse_crmf_request(der);
    } catch (const InputError& e) {
        return e.field();
    }
    return "(accepted)";
}

ossl::PkeyPtr p256() { return generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"}); }

TEST(CrmfRequest, ReadsTheTemplatesSubjectKeyAndNamesAndThePopAlgorithm) {
    ossl::PkeyPtr key = p256();
    const Bytes der = der_of(crmf(key.get(), "device.lab.test", "device.lab.test").get());
    ASSERT_TRUE(is_crmf_request(der));
    const ParsedCsr csr = parse_crmf_request(der);
    EXPECT_EQ(csr.subject, "CN=device.lab.test");
    ASSERT_EQ(csr.sans.size(), 1u);
    EXPECT_EQ(csr.sans[0], dns("device.lab.test"));
    EXPECT_EQ(csr.key.curve, "P-256");
    EXPECT_EQ(csr.signature_algorithm, "ecdsa-with-SHA256");
    EXPECT_EQ(csr.der, der);  // what the store keeps, as sent
    EXPECT_EQ(EVP_PKEY_eq(csr.public_key.get(), key.get()), 1);
    EXPECT_EQ(EVP_PKEY_eq(X509_REQ_get0_pubkey(csr.req.get()), key.get()), 1);
}

TEST(CrmfRequest, APkcs10RequestIsNotOneAndBothReachTheSameParser) {
    ossl::PkeyPtr key = p256();
    const Bytes p10 = csr_to_der(make_csr(key.get(), "CN=p10.lab.test", {dns("p10.lab.test")}).get());
    EXPECT_FALSE(is_crmf_request(p10));
    EXPECT_EQ(parse_certificate_request(p10).subject, "CN=p10.lab.test");
    const Bytes crmf_der = der_of(crmf(key.get(), "crmf.lab.test", "").get());
    EXPECT_EQ(parse_certificate_request(crmf_der).subject, "CN=crmf.lab.test");
    EXPECT_FALSE(is_crmf_request(as_bytes("garbage")));
    EXPECT_FALSE(is_crmf_request({}));
}

TEST(CrmfRequest, RefusesAPopThatDoesNotVerifyOrIsNotASignature) {
    ossl::PkeyPtr key = p256(), other = p256();
    EXPECT_EQ(field_of(der_of(crmf(key.get(), "x.lab.test", "", OSSL_CRMF_POPO_SIGNATURE, other.get()).get())), "popo");
    EXPECT_EQ(field_of(der_of(crmf(key.get(), "x.lab.test", "", OSSL_CRMF_POPO_RAVERIFIED).get())), "popo");
    EXPECT_EQ(field_of(der_of(crmf(key.get(), "x.lab.test", "", OSSL_CRMF_POPO_NONE).get())), "popo");
}

TEST(CrmfRequest, RefusesATemplateWithoutSubjectAndBytesAfterTheMessage) {
    ossl::PkeyPtr key = p256();
    EXPECT_EQ(field_of(der_of(crmf(key.get(), "", "x.lab.test").get())), "subject");
    Bytes der = der_of(crmf(key.get(), "x.lab.test", "").get());
    der.push_back(0);
    EXPECT_FALSE(is_crmf_request(der));
    EXPECT_EQ(field_of(der), "encoding");
}

TEST(CrmfRequest, IsIssuedThroughThePipelineWithTheTemplatesKey) {
    LabFixture fx;
    ossl::PkeyPtr key = p256();
    const Bytes der = der_of(crmf(key.get(), "cmp.lab.test", "cmp.lab.test").get());
    IssuanceOutcome o = submit(fx.ctx(), {"WebServer", "", der, Requester{"cmp:test", "", "cmp"}});
    ASSERT_EQ(o.state, RequestState::Issued) << (o.findings.empty() ? o.disposition : o.findings[0].message);
    ossl::X509Ptr cert = parse_certificate(o.certificate->der, "test");
    EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.get()), 1);
    const CertificateInfo info = describe_certificate(cert.get());
    EXPECT_EQ(info.subject, "CN=cmp.lab.test");
    ASSERT_EQ(info.sans.size(), 1u);
    EXPECT_EQ(info.sans[0], dns("cmp.lab.test"));
    // The store keeps the CertReqMsg, and it reads again (an officer's approval does).
    const auto stored = fx.lab().store().find_request(o.ca, o.request_id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->csr_der, der);
    EXPECT_EQ(parse_certificate_request(stored->csr_der).subject, "CN=cmp.lab.test");
}

}  // namespace
}  // namespace pkilab::test
