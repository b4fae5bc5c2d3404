// SCEP pkiMessages: what a client builds, the RA reads; what the RA answers, the client reads.
#include <gtest/gtest.h>

#include "ca/errors.hpp"
#include "ca/x509/pem.hpp"
#include "scep_test_support.hpp"

namespace pkilab::test {
namespace {

using scep::FailInfo;
using scep::MessageType;
using scep::PkiStatus;

const Time kNow = parse_time("2026-11-23T12:00:00Z");

struct ScepMessages : ::testing::Test {
    ScepClient ra{"Test SCEP RA", kNow};
    ScepClient client{"client.lab.test", kNow};
};

TEST_F(ScepMessages, APkcsReqRoundTrips) {
    const Bytes csr = client.csr("CN=client.lab.test", "secret-1");
    const Bytes nonce = scep::random_nonce();
    const Bytes der = scep::write_pki_message(MessageType::PkcsReq, csr, "tx-1", nonce, client.cert.get(),
                                              client.key.get(), ra.cert.get(), EVP_aes_128_cbc(), kNow);
    const scep::PkiMessage m = scep::read_pki_message(der, ra.cert.get(), ra.key.get());
    EXPECT_FALSE(m.problem) << m.problem_text;
    EXPECT_EQ(m.message_type, 19);
    EXPECT_EQ(m.transaction_id, "tx-1");
    EXPECT_EQ(m.sender_nonce, nonce);
    EXPECT_EQ(m.content, csr);
    EXPECT_EQ(m.cipher_nid, NID_aes_128_cbc);
    EXPECT_EQ(X509_cmp(m.signer.get(), client.cert.get()), 0);
    EXPECT_EQ(parse_csr(m.content).challenge_password, "secret-1");
}

TEST_F(ScepMessages, AnEnvelopeForSomeoneElseIsBadAlgWithAReason) {
    ScepClient other{"other", kNow};
    const Bytes der = client.message(MessageType::PkcsReq, client.csr("CN=x", "pw"), "tx-2", other.cert.get(), kNow);
    const scep::PkiMessage m = scep::read_pki_message(der, ra.cert.get(), ra.key.get());
    ASSERT_TRUE(m.problem);
    EXPECT_EQ(*m.problem, FailInfo::BadAlg);
    EXPECT_NE(m.problem_text.find("RA certificate"), std::string::npos) << m.problem_text;
    EXPECT_EQ(m.transaction_id, "tx-2");  // still answerable
}

TEST_F(ScepMessages, ATamperedSignatureIsBadMessageCheck) {
    Bytes der = client.message(MessageType::PkcsReq, client.csr("CN=x", "pw"), "tx-3", ra.cert.get(), kNow);
    der[der.size() - 10] ^= 0x01;  // inside the signature value, the last field
    const scep::PkiMessage m = scep::read_pki_message(der, ra.cert.get(), ra.key.get());
    ASSERT_TRUE(m.problem);
    EXPECT_EQ(*m.problem, FailInfo::BadMessageCheck);
}

TEST_F(ScepMessages, WhatCannotBeAnsweredIsAnInputError) {
    EXPECT_THROW(scep::read_pki_message(Bytes{}, ra.cert.get(), ra.key.get()), InputError);
    EXPECT_THROW(scep::read_pki_message(as_bytes("not der at all"), ra.cert.get(), ra.key.get()), InputError);
    const Bytes certs_only = pkcs7_certs_only({ra.cert.get()});  // a SignedData without signers
    EXPECT_THROW(scep::read_pki_message(certs_only, ra.cert.get(), ra.key.get()), InputError);
    Bytes der = client.message(MessageType::PkcsReq, client.csr("CN=x", "pw"), "tx", ra.cert.get(), kNow);
    der.push_back(0);
    EXPECT_THROW(scep::read_pki_message(der, ra.cert.get(), ra.key.get()), InputError);
}

TEST_F(ScepMessages, ASuccessCertRepCarriesTheCertificateEncryptedToTheClient) {
    scep::CertRep rep;
    rep.status = PkiStatus::Success;
    rep.transaction_id = "tx-4";
    rep.recipient_nonce = scep::random_nonce();
    rep.sender_nonce = scep::random_nonce();
    rep.certs_only = pkcs7_certs_only({client.cert.get()});
    rep.recipient = client.cert.get();
    rep.cipher = scep::reply_cipher(NID_aes_128_cbc);
    const Bytes der = scep::write_cert_rep(rep, ra.cert.get(), ra.key.get(), kNow);
    const scep::ReadCertRep r = scep::read_cert_rep(der, ra.cert.get(), client.cert.get(), client.key.get());
    EXPECT_EQ(r.status, 0);
    EXPECT_FALSE(r.fail_info);
    EXPECT_EQ(r.transaction_id, "tx-4");
    EXPECT_EQ(r.recipient_nonce, rep.recipient_nonce);
    EXPECT_EQ(r.sender_nonce, rep.sender_nonce);
    EXPECT_EQ(r.certs_only, rep.certs_only);
    // Signed by the RA and nobody else.
    EXPECT_THROW(scep::read_cert_rep(der, client.cert.get(), client.cert.get(), client.key.get()), InputError);
}

TEST_F(ScepMessages, AFailureCertRepSaysWhy) {
    scep::CertRep rep;
    rep.status = PkiStatus::Failure;
    rep.fail_info = FailInfo::BadRequest;
    rep.fail_text = "the challenge password is wrong";
    rep.transaction_id = "tx-5";
    rep.recipient_nonce = scep::random_nonce();
    rep.sender_nonce = scep::random_nonce();
    const scep::ReadCertRep r =
        scep::read_cert_rep(scep::write_cert_rep(rep, ra.cert.get(), ra.key.get(), kNow), ra.cert.get(), nullptr, nullptr);
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.fail_info, 2);
    EXPECT_EQ(r.fail_text, "the challenge password is wrong");
    EXPECT_TRUE(r.certs_only.empty());
}

TEST_F(ScepMessages, TheReplyCipherFollowsTheClients) {
    EXPECT_EQ(scep::reply_cipher(NID_aes_128_cbc), EVP_aes_128_cbc());
    EXPECT_EQ(scep::reply_cipher(NID_aes_256_cbc), EVP_aes_256_cbc());
    EXPECT_EQ(scep::reply_cipher(NID_des_ede3_cbc), EVP_des_ede3_cbc());
    EXPECT_EQ(scep::reply_cipher(NID_des_cbc), EVP_aes_256_cbc());
}

TEST_F(ScepMessages, TheAttributeOidsAreTheRfcs) {
    const scep::Nids& n = scep::nids();
    char text[64];
    OBJ_obj2txt(text, sizeof text, OBJ_nid2obj(n.message_type), 1);
    EXPECT_STREQ(text, "2.16.840.1.113733.1.9.2");
    OBJ_obj2txt(text, sizeof text, OBJ_nid2obj(n.transaction_id), 1);
    EXPECT_STREQ(text, "2.16.840.1.113733.1.9.7");
    OBJ_obj2txt(text, sizeof text, OBJ_nid2obj(n.fail_info_text), 1);
    EXPECT_STREQ(text, "1.3.6.1.5.5.7.24.1");
}

}  // namespace
}  // namespace pkilab::test
