// The CMP server in process, driven by OpenSSL's own CMP client through a transfer callback
// that hands each DER request to CmpServer::handle: p10cr and ir with a shared secret, a wrong
// secret, a policy refusal, a request waiting for approval and polled for, rr, genm, kur without
// the old certificate, and bodies that are no PKIMessage.
#include "webenroll/cmp/cmp_server.hpp"

#include <gtest/gtest.h>

#include <openssl/cmp.h>

#include "ca/errors.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/name.hpp"
#include "lab_fixture.hpp"
#include "webenroll/cmp/cmp_callbacks.hpp"

namespace pkilab::test {
namespace {

using web::CmpServer;
using web::CmpTarget;

const std::string kRef = "device-1";
const std::string kSecret = "correct horse battery staple";

struct Exchange {
    CmpServer* server;
    CmpTarget target;
    int messages = 0;
};

OSSL_CMP_MSG* transfer(OSSL_CMP_CTX* ctx, const OSSL_CMP_MSG* req) {
    auto* x = static_cast<Exchange*>(OSSL_CMP_CTX_get_transfer_cb_arg(ctx));
    unsigned char* der = nullptr;
    const int len = i2d_OSSL_CMP_MSG(req, &der);
    if (len <= 0) return nullptr;
    const Bytes request(der, der + len);
    OPENSSL_free(der);
    ++x->messages;
    const Bytes answer = x->server->handle(request, x->target);
    const unsigned char* p = answer.data();
    return d2i_OSSL_CMP_MSG(nullptr, &p, static_cast<long>(answer.size()));
}

int quiet(const char*, const char*, int, OSSL_CMP_severity, const char*) { return 1; }

class CmpServerTest : public ::testing::Test {
protected:
    LabFixture fx;
    std::unique_ptr<CmpServer> server;
    Exchange exchange;
    web::cmp::CtxPtr client{OSSL_CMP_CTX_new(nullptr, nullptr)};

    CmpServerTest() {
        server = std::make_unique<CmpServer>(fx.lab(), std::vector<web::CmpSharedSecret>{{kRef, Bytes(kSecret.begin(), kSecret.end())}},
                                             web::load_or_issue_cmp_identity(fx.lab(), fx.lab().ca("issuing")));
        exchange = Exchange{server.get(), CmpTarget{"", "WebServer", "issuing"}, 0};
        OSSL_CMP_CTX_set_log_cb(client.get(), quiet);
        OSSL_CMP_CTX_set_transfer_cb(client.get(), transfer);
        OSSL_CMP_CTX_set_transfer_cb_arg(client.get(), &exchange);
        OSSL_CMP_CTX_set_option(client.get(), OSSL_CMP_OPT_UNPROTECTED_ERRORS, 1);
        use_secret(kSecret);
    }

    void use_secret(const std::string& secret) {
        OSSL_CMP_CTX_set1_referenceValue(client.get(), reinterpret_cast<const unsigned char*>(kRef.data()), static_cast<int>(kRef.size()));
        OSSL_CMP_CTX_set1_secretValue(client.get(), reinterpret_cast<const unsigned char*>(secret.data()), static_cast<int>(secret.size()));
    }

    // A p10cr for CN=cn with a DNS SAN; returns the certificate (null when refused) and keeps the key.
    ossl::X509Ptr p10cr(const std::string& cn) {
        key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
        ossl::X509ReqPtr req = make_csr(key.get(), "CN=" + cn, {dns(cn)});
        OSSL_CMP_CTX_set1_p10CSR(client.get(), req.get());
        X509* cert = OSSL_CMP_exec_P10CR_ses(client.get());
        return ossl::X509Ptr(cert == nullptr ? nullptr : X509_dup(cert));
    }

    std::string status_text() const {
        char buf[OSSL_CMP_PKISI_BUFLEN];
        const char* s = OSSL_CMP_CTX_snprint_PKIStatus(client.get(), buf, sizeof buf);
        return s == nullptr ? "" : s;
    }

    ossl::PkeyPtr key;
};

TEST_F(CmpServerTest, P10crWithTheSharedSecretIssuesTheRequestedKey) {
    ossl::X509Ptr cert = p10cr("mac.lab.test");
    ASSERT_TRUE(cert) << status_text();
    EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.get()), 1);
    EXPECT_EQ(OSSL_CMP_CTX_get_status(client.get()), OSSL_CMP_PKISTATUS_accepted);
    const auto record = fx.lab().store().find_certificate("issuing", serial_to_hex(X509_get0_serialNumber(cert.get())));
    ASSERT_TRUE(record);
    EXPECT_EQ(record->template_name, "WebServer");
    const auto request = fx.lab().store().find_request("issuing", record->request_id);
    ASSERT_TRUE(request);
    EXPECT_EQ(request->requester.identity, "cmp:" + kRef);
    EXPECT_EQ(request->requester.channel, "cmp");
    EXPECT_EQ(exchange.messages, 2);  // p10cr, certConf
    EXPECT_EQ(server->open_transactions(), 0u);
}

TEST_F(CmpServerTest, ImplicitConfirmIsGranted) {
    OSSL_CMP_CTX_set_option(client.get(), OSSL_CMP_OPT_IMPLICIT_CONFIRM, 1);
    ASSERT_TRUE(p10cr("implicit.lab.test")) << status_text();
    EXPECT_EQ(exchange.messages, 1);
}

TEST_F(CmpServerTest, AWrongSecretIsRejected) {
    const size_t before = fx.lab().store().search_certificates(CertificateQuery{}).size();
    use_secret("wrong");
    EXPECT_FALSE(p10cr("wrong.lab.test"));
    EXPECT_EQ(OSSL_CMP_CTX_get_status(client.get()), OSSL_CMP_PKISTATUS_rejection) << status_text();
    EXPECT_EQ(fx.lab().store().search_certificates(CertificateQuery{}).size(), before);
}

TEST_F(CmpServerTest, APolicyRefusalCarriesTheFindings) {
    exchange.target = CmpTarget{"fixed", "Fixed", "issuing"};
    EXPECT_FALSE(p10cr("evil.example.com"));
    EXPECT_EQ(OSSL_CMP_CTX_get_status(client.get()), OSSL_CMP_PKISTATUS_rejection);
    EXPECT_NE(OSSL_CMP_CTX_get_failInfoCode(client.get()) & (1 << OSSL_CMP_PKIFAILUREINFO_badCertTemplate), 0);
    const std::string text = status_text();
    EXPECT_NE(text.find("Denied by policy"), std::string::npos) << text;
    EXPECT_NE(text.find("evil.example.com"), std::string::npos) << text;
    EXPECT_NE(text.find("[template: "), std::string::npos) << text;
}

TEST_F(CmpServerTest, ARequestWaitingForApprovalIsPolledUntilIssued) {
    exchange.target = CmpTarget{"approved", "Approved", "issuing"};
    key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    ossl::X509ReqPtr req = make_csr(key.get(), "CN=wait.lab.test", {dns("wait.lab.test")});
    OSSL_CMP_CTX_set1_p10CSR(client.get(), req.get());
    int check_after = 0;
    EXPECT_EQ(OSSL_CMP_try_certreq(client.get(), OSSL_CMP_P10CR, nullptr, &check_after), -1) << status_text();
    EXPECT_GT(check_after, 0);
    EXPECT_EQ(OSSL_CMP_try_certreq(client.get(), OSSL_CMP_P10CR, nullptr, &check_after), -1);  // still waiting
    const auto pending = fx.lab().store().list_requests(RequestQuery{"issuing", RequestState::Pending});
    ASSERT_EQ(pending.size(), 1u);
    const IssuanceOutcome approved = approve(fx.ctx(), "issuing", pending[0].id, Requester{"olivia", "officer", "cli"});
    ASSERT_EQ(approved.state, RequestState::Issued);
    ASSERT_EQ(OSSL_CMP_try_certreq(client.get(), OSSL_CMP_P10CR, nullptr, &check_after), 1) << status_text();
    X509* cert = OSSL_CMP_CTX_get0_newCert(client.get());
    ASSERT_NE(cert, nullptr);
    EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert), key.get()), 1);
}

TEST_F(CmpServerTest, RrRevokesWhatTheSenderRequested) {
    ossl::X509Ptr cert = p10cr("revoke.lab.test");
    ASSERT_TRUE(cert);
    OSSL_CMP_CTX_set1_oldCert(client.get(), cert.get());
    EXPECT_EQ(OSSL_CMP_exec_RR_ses(client.get()), 1) << status_text();
    const auto record = fx.lab().store().find_certificate("issuing", serial_to_hex(X509_get0_serialNumber(cert.get())));
    ASSERT_TRUE(record);
    EXPECT_EQ(record->status, CertStatus::Revoked);
    // Twice: certRevoked.
    OSSL_CMP_CTX_reinit(client.get());
    OSSL_CMP_CTX_set1_oldCert(client.get(), cert.get());
    EXPECT_NE(OSSL_CMP_exec_RR_ses(client.get()), 1);
    EXPECT_NE(status_text().find("revoked already"), std::string::npos) << status_text();
}

TEST_F(CmpServerTest, GenmAnswersSignKeyPairTypes) {
    OSSL_CMP_CTX_push0_genm_ITAV(client.get(), OSSL_CMP_ITAV_create(OBJ_nid2obj(NID_id_it_signKeyPairTypes), nullptr));
    STACK_OF(OSSL_CMP_ITAV)* itavs = OSSL_CMP_exec_GENM_ses(client.get());
    ASSERT_NE(itavs, nullptr) << status_text();
    ASSERT_EQ(sk_OSSL_CMP_ITAV_num(itavs), 1);
    EXPECT_EQ(OBJ_obj2nid(OSSL_CMP_ITAV_get0_type(sk_OSSL_CMP_ITAV_value(itavs, 0))), NID_id_it_signKeyPairTypes);
    // OpenSSL 3.0 decodes the value of this infoType as what it is: STACK_OF(X509_ALGOR).
    const auto* algs = reinterpret_cast<const STACK_OF(X509_ALGOR)*>(OSSL_CMP_ITAV_get0_value(sk_OSSL_CMP_ITAV_value(itavs, 0)));
    ASSERT_NE(algs, nullptr);
    ASSERT_EQ(sk_X509_ALGOR_num(algs), 3);
    EXPECT_EQ(OBJ_obj2nid(sk_X509_ALGOR_value(algs, 0)->algorithm), NID_ecdsa_with_SHA256);
    sk_OSSL_CMP_ITAV_pop_free(itavs, OSSL_CMP_ITAV_free);
    // The CA chain rides in extraCerts.
    ossl::X509StackPtr extra(OSSL_CMP_CTX_get1_extraCertsIn(client.get()));
    ASSERT_TRUE(extra);
    EXPECT_EQ(sk_X509_num(extra.get()), 2);
}

TEST_F(CmpServerTest, IrWithTheSharedSecretIssuesTheRequestedKeyWithTheRootInCaPubs) {
    key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    OSSL_CMP_CTX_set0_newPkey(client.get(), 1, EVP_PKEY_dup(key.get()));
    ossl::X509NamePtr subject = parse_dn("CN=ir.lab.test");
    OSSL_CMP_CTX_set1_subjectName(client.get(), subject.get());
    X509* cert = OSSL_CMP_exec_IR_ses(client.get());
    ASSERT_NE(cert, nullptr) << status_text();
    EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert), key.get()), 1);
    EXPECT_EQ(format_dn(X509_get_subject_name(cert)), "CN=ir.lab.test");
    ossl::X509StackPtr ca_pubs(OSSL_CMP_CTX_get1_caPubs(client.get()));
    ASSERT_TRUE(ca_pubs);
    ASSERT_EQ(sk_X509_num(ca_pubs.get()), 1);
    EXPECT_EQ(X509_cmp(sk_X509_value(ca_pubs.get(), 0), fx.lab().ca("root").certificate()), 0);
}

TEST_F(CmpServerTest, KurMustBeSignedByTheCertificateItUpdates) {
    // A shared secret is not the old certificate.
    ossl::X509Ptr old = p10cr("kur.lab.test");
    ASSERT_TRUE(old) << status_text();
    OSSL_CMP_CTX_reinit(client.get());
    OSSL_CMP_CTX_set1_oldCert(client.get(), old.get());
    key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    OSSL_CMP_CTX_set0_newPkey(client.get(), 1, EVP_PKEY_dup(key.get()));
    EXPECT_EQ(OSSL_CMP_exec_KUR_ses(client.get()), nullptr);
    EXPECT_EQ(OSSL_CMP_CTX_get_status(client.get()), OSSL_CMP_PKISTATUS_rejection);
    EXPECT_NE(status_text().find("must be signed with the certificate it updates"), std::string::npos) << status_text();
}

TEST_F(CmpServerTest, BodiesThatAreNoPkiMessageAreInputErrors) {
    const CmpTarget t{"", "WebServer", "issuing"};
    EXPECT_THROW(server->handle(Bytes{}, t), InputError);
    EXPECT_THROW(server->handle(Bytes{'h', 'e', 'l', 'l', 'o'}, t), InputError);
    EXPECT_THROW(server->handle(Bytes(300 * 1024, 0x30), t), InputError);
    // A real message with a byte after it.
    OSSL_CMP_CTX_set_transfer_cb(client.get(), [](OSSL_CMP_CTX* ctx, const OSSL_CMP_MSG* req) -> OSSL_CMP_MSG* {
        auto* x = static_cast<Exchange*>(OSSL_CMP_CTX_get_transfer_cb_arg(ctx));
        unsigned char* der = nullptr;
        const int len = i2d_OSSL_CMP_MSG(req, &der);
        Bytes request(der, der + len);
        OPENSSL_free(der);
        request.push_back(0);
        EXPECT_THROW(x->server->handle(request, x->target), InputError);
        return nullptr;
    });
    EXPECT_EQ(OSSL_CMP_exec_GENM_ses(client.get()), nullptr);
}

TEST(CmpMessages, RefusalTextCarriesEachErrorFinding) {
    const Findings f{Finding{"names", "names.forbidden", Severity::Error, "san[0]", "evil.example is forbidden", "ask IT"},
                     Finding{"lint", "lint.note", Severity::Warning, "", "a warning", ""}};
    const std::string text = web::cmp::refusal_text("Denied by policy: evil.example is forbidden", f);
    EXPECT_EQ(text, "Denied by policy: evil.example is forbidden [names: names.forbidden; hint: ask IT]");
    EXPECT_EQ(web::cmp::refusal_text("", {}), "Denied");
}

TEST(CmpMessages, RejectionsAreCutToWhatClientsPrint) {
    web::cmp::PkisiPtr si(web::cmp::rejection(OSSL_CMP_PKIFAILUREINFO_badRequest, std::string(5000, 'x')));
    ASSERT_TRUE(si);
    char buf[OSSL_CMP_PKISI_BUFLEN];
    const std::string printed = OSSL_CMP_snprint_PKIStatusInfo(si.get(), buf, sizeof buf);
    EXPECT_NE(printed.find("rejection"), std::string::npos);
    EXPECT_NE(printed.find("badRequest"), std::string::npos);
    EXPECT_EQ(web::cmp::fail_bit(OSSL_CMP_PKIFAILUREINFO_badRequest), 4);
}

}  // namespace
}  // namespace pkilab::test
