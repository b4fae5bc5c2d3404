// The SCEP operations against a real lab in process: enrollment with the endpoint's static
// challenge, a one-time one, a wrong one; renewal authorised by the certificate being renewed;
// a request that waits for an officer and the CertPoll that fetches it once approved.
#include <gtest/gtest.h>

#include "ca/errors.hpp"
#include "ca/x509/pem.hpp"
#include "lab_fixture.hpp"
#include "scep_test_support.hpp"
#include "webenroll/scep/scep_service.hpp"

namespace pkilab::test {
namespace {

using scep::MessageType;

const std::string kScepLab = std::string(kTestLab) +
                             "protocols:\n"
                             "  scep:\n"
                             "    challenge_lifetime: 10m\n"
                             "    endpoints:\n"
                             "      - name: default\n"
                             "      - name: pending\n"
                             "        template: Approved\n"
                             "        ca: issuing\n";

std::vector<ossl::X509Ptr> certs_of(ByteView p7_der) {
    const unsigned char* p = p7_der.data();
    ossl::Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(p7_der.size())));
    std::vector<ossl::X509Ptr> out;
    if (!p7 || !PKCS7_type_is_signed(p7.get()) || p7->d.sign->cert == nullptr) return out;
    for (int i = 0; i < sk_X509_num(p7->d.sign->cert); ++i) out.push_back(ossl::up_ref(sk_X509_value(p7->d.sign->cert, i)));
    return out;
}

struct ScepService : ::testing::Test {
    LabFixture fixture{kScepLab};
    scep::ScepService service{fixture.lab(), "issuing"};
    ScepClient client{"device.lab.test", fixture.clock().now()};

    ossl::X509Ptr ra_of(const scep::Endpoint& e) {
        const auto certs = certs_of(as_bytes(service.ca_cert(e).body));
        return certs.empty() ? nullptr : ossl::up_ref(certs.front().get());
    }

    scep::ReadCertRep send(const scep::Endpoint& e, const ScepClient& c, MessageType type, ByteView content,
                           const std::string& tx) {
        const ossl::X509Ptr ra = ra_of(e);
        const scep::Answer a = service.pki_operation(e, c.message(type, content, tx, ra.get(), fixture.clock().now()));
        EXPECT_EQ(a.content_type, "application/x-pki-message");
        return scep::read_cert_rep(as_bytes(a.body), ra.get(), c.cert.get(), c.key.get());
    }

    ossl::X509Ptr issued(const scep::ReadCertRep& r) {
        const auto certs = certs_of(r.certs_only);
        EXPECT_EQ(certs.size(), 1u);
        return certs.empty() ? nullptr : ossl::up_ref(certs.front().get());
    }
};

TEST_F(ScepService, GetCACertGivesTheRaThenTheCa) {
    const scep::Answer a = service.ca_cert(service.first());
    EXPECT_EQ(a.content_type, "application/x-x509-ca-ra-cert");
    const auto certs = certs_of(as_bytes(a.body));
    ASSERT_EQ(certs.size(), 3u);  // the RA, the issuing CA, the root
    EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(certs[0].get())), EVP_PKEY_RSA);
    EXPECT_TRUE(X509_get_key_usage(certs[0].get()) & KU_KEY_ENCIPHERMENT);
    EXPECT_EQ(X509_cmp(certs[1].get(), fixture.lab().ca("issuing").certificate()), 0);
    EXPECT_NE(service.ca_caps().body.find("SCEPStandard\n"), std::string::npos);
    // The same RA serves the next start.
    scep::ScepService again{fixture.lab(), "issuing"};
    EXPECT_EQ(X509_cmp(ra_of(again.first()).get(), certs[0].get()), 0);
}

TEST_F(ScepService, ThePkcsReqWithTheStaticChallengeIsIssued) {
    const scep::Endpoint& e = service.first();
    ASSERT_FALSE(e.generated_challenge.empty());
    EXPECT_EQ(e.challenge_file, fixture.lab().state_dir() / "scep" / "challenge");
    const auto r = send(e, client, MessageType::PkcsReq,
                        client.csr("CN=device.lab.test", e.generated_challenge, {dns("device.lab.test")}), "tx-ok");
    ASSERT_EQ(r.status, 0) << r.fail_text;
    EXPECT_EQ(r.transaction_id, "tx-ok");
    const ossl::X509Ptr cert = issued(r);
    ASSERT_TRUE(cert);
    EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert.get()), client.key.get()), 1);
    EXPECT_TRUE(fixture.lab().store().find_certificate("issuing", describe_certificate(cert.get()).serial));
}

TEST_F(ScepService, AWrongChallengeIsBadRequestWithTheReason) {
    const auto r = send(service.first(), client, MessageType::PkcsReq, client.csr("CN=device.lab.test", "wrong"), "tx-bad");
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.fail_info, 2);
    EXPECT_NE(r.fail_text.find("challenge password is wrong"), std::string::npos) << r.fail_text;
    const auto none = send(service.first(), client, MessageType::PkcsReq, client.csr("CN=device.lab.test", ""), "tx-none");
    EXPECT_EQ(none.fail_info, 2);
    EXPECT_NE(none.fail_text.find("no challenge password"), std::string::npos) << none.fail_text;
}

TEST_F(ScepService, APolicyRefusalCarriesTheFindings) {
    // WebServer takes DNS and IP names only.
    const auto r = send(service.first(), client, MessageType::PkcsReq,
                        client.csr("CN=device.lab.test", service.first().generated_challenge,
                                   {GeneralName{NameType::Email, "a@lab.test"}}),
                        "tx-policy");
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.fail_info, 2);
    EXPECT_NE(r.fail_text.find("template"), std::string::npos) << r.fail_text;
}

TEST_F(ScepService, ASignerWithoutAnRsaKeyIsBadAlgBeforeAnythingIsIssued) {
    ScepClient ec{"ec.lab.test", fixture.clock().now()};
    ec.key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    CertSpec spec;
    spec.subject = "CN=ec.lab.test";
    spec.not_before = fixture.clock().now() - std::chrono::hours{1};
    spec.not_after = fixture.clock().now() + std::chrono::hours{1};
    spec.key = ec.key.get();
    ec.cert = build_cert(spec);
    const scep::Endpoint& e = service.first();
    const ossl::X509Ptr ra = ra_of(e);
    const scep::Answer a = service.pki_operation(
        e, ec.message(MessageType::PkcsReq, ec.csr("CN=ec.lab.test", e.generated_challenge), "tx-ec", ra.get(), fixture.clock().now()));
    const auto r = scep::read_cert_rep(as_bytes(a.body), ra.get(), nullptr, nullptr);
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.fail_info, 0);
    EXPECT_NE(r.fail_text.find("RSA"), std::string::npos) << r.fail_text;
    RequestQuery q;
    q.ca = "issuing";
    for (const auto& req : fixture.lab().store().list_requests(q)) EXPECT_NE(req.subject, "CN=ec.lab.test");
}

TEST_F(ScepService, AOneTimeChallengeWorksOnceAndExpires) {
    const scep::Endpoint& e = service.first();
    const auto [once, expires] = service.new_one_time_challenge(e);
    EXPECT_EQ(expires, fixture.clock().now() + std::chrono::minutes{10});
    EXPECT_EQ(send(e, client, MessageType::PkcsReq, client.csr("CN=a.lab.test", once), "tx-a").status, 0);
    const auto again = send(e, client, MessageType::PkcsReq, client.csr("CN=b.lab.test", once), "tx-b");
    EXPECT_EQ(again.status, 2);
    EXPECT_EQ(again.fail_info, 2);

    const auto [late, until] = service.new_one_time_challenge(e);
    fixture.clock().advance(std::chrono::minutes{11});
    EXPECT_EQ(send(e, client, MessageType::PkcsReq, client.csr("CN=c.lab.test", late), "tx-c").status, 2);
    // Not for another endpoint either.
    const auto [other, other_until] = service.new_one_time_challenge(*service.find("pending"));
    EXPECT_EQ(send(e, client, MessageType::PkcsReq, client.csr("CN=d.lab.test", other), "tx-d").status, 2);
}

TEST_F(ScepService, ARenewalReqIsAuthorisedByTheCertificateItRenews) {
    const scep::Endpoint& e = service.first();
    const auto first = send(e, client, MessageType::PkcsReq, client.csr("CN=device.lab.test", e.generated_challenge), "tx-1");
    ASSERT_EQ(first.status, 0) << first.fail_text;
    ScepClient holder{"device.lab.test", fixture.clock().now()};
    holder.key = ossl::up_ref(client.key.get());
    holder.cert = issued(first);
    const auto renewed = send(e, holder, MessageType::RenewalReq, holder.csr("CN=device.lab.test", ""), "tx-2");
    ASSERT_EQ(renewed.status, 0) << renewed.fail_text;
    EXPECT_NE(describe_certificate(issued(renewed).get()).serial, describe_certificate(holder.cert.get()).serial);

    const auto other_subject = send(e, holder, MessageType::RenewalReq, holder.csr("CN=other.lab.test", ""), "tx-3");
    EXPECT_EQ(other_subject.status, 2);
    EXPECT_NE(other_subject.fail_text.find("subject"), std::string::npos) << other_subject.fail_text;

    const auto self_signed = send(e, client, MessageType::RenewalReq, client.csr("CN=device.lab.test", ""), "tx-4");
    EXPECT_EQ(self_signed.status, 2);
    EXPECT_NE(self_signed.fail_text.find("self-signed"), std::string::npos) << self_signed.fail_text;
}

TEST_F(ScepService, APendingRequestIsFetchedByCertPollOnceApproved) {
    const scep::Endpoint& e = *service.find("pending");
    const Bytes csr = client.csr("CN=device.lab.test", e.generated_challenge);
    EXPECT_EQ(send(e, client, MessageType::PkcsReq, csr, "tx-wait").status, 3);
    EXPECT_EQ(send(e, client, MessageType::CertPoll, as_bytes("subject"), "tx-wait").status, 3);
    EXPECT_EQ(send(e, client, MessageType::PkcsReq, csr, "tx-wait").status, 3);  // sent again: the same request

    RequestQuery q;
    q.ca = "issuing";
    q.state = RequestState::Pending;
    const auto pending = fixture.lab().store().list_requests(q);
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].requester.identity, "scep:device.lab.test");
    EXPECT_EQ(pending[0].requester.channel, "scep");
    ASSERT_EQ(approve(fixture.ctx(), "issuing", pending[0].id, Requester{"olivia", "officer", "cli"}).state,
              RequestState::Issued);
    const auto r = send(e, client, MessageType::CertPoll, as_bytes("subject"), "tx-wait");
    ASSERT_EQ(r.status, 0) << r.fail_text;
    EXPECT_TRUE(issued(r));

    const auto unknown = send(e, client, MessageType::CertPoll, as_bytes("subject"), "tx-never");
    EXPECT_EQ(unknown.fail_info, 4);  // badCertId
}

TEST_F(ScepService, GetCertFindsAnIssuedCertificate) {
    const scep::Endpoint& e = service.first();
    const auto first = send(e, client, MessageType::PkcsReq, client.csr("CN=device.lab.test", e.generated_challenge), "tx-g");
    ASSERT_EQ(first.status, 0);
    const ossl::X509Ptr cert = issued(first);
    ossl::Ptr<PKCS7_ISSUER_AND_SERIAL, PKCS7_ISSUER_AND_SERIAL_free> ias(PKCS7_ISSUER_AND_SERIAL_new());
    X509_NAME_set(&ias->issuer, X509_get_issuer_name(cert.get()));
    ASN1_INTEGER_free(ias->serial);
    ias->serial = ASN1_INTEGER_dup(X509_get0_serialNumber(cert.get()));
    unsigned char* der = nullptr;
    const int len = i2d_PKCS7_ISSUER_AND_SERIAL(ias.get(), &der);
    ASSERT_GT(len, 0);
    ossl::OsslBytesPtr owned(der);
    const auto r = send(e, client, MessageType::GetCert, ByteView(der, static_cast<size_t>(len)), "tx-get");
    ASSERT_EQ(r.status, 0) << r.fail_text;
    EXPECT_EQ(X509_cmp(issued(r).get(), cert.get()), 0);
}

}  // namespace
}  // namespace pkilab::test
