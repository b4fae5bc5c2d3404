// The issuance pipeline through a real lab: issued, denied, pending, approve, deny,
// resubmit, serial numbers, the stored record, and the audit trail.
#include <set>

#include <gtest/gtest.h>

#include "ca/errors.hpp"
#include "ca/finding_json.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/pipeline/revocation.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/pem.hpp"
#include "lab_fixture.hpp"

namespace pkilab::test {
namespace {

const Requester kAlice{"alice", "enrollee", "cli"};
const Requester kOfficer{"olga", "officer", "cli"};

bool has_code(const Findings& fs, const std::string& code) {
    for (const auto& f : fs)
        if (f.code == code) return true;
    return false;
}

TEST(Issuance, IssuesAndStoresBeforeReturning) {
    LabFixture fx;
    IssuanceOutcome o = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=www.lab.test", {dns("www.lab.test")}), kAlice});
    ASSERT_EQ(o.state, RequestState::Issued) << (o.findings.empty() ? o.disposition : o.findings[0].message);
    EXPECT_EQ(o.ca, "issuing");
    EXPECT_EQ(o.request_id, 1);
    ASSERT_TRUE(o.certificate);

    auto stored = fx.lab().store().find_certificate("issuing", o.certificate->serial);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->der, o.certificate->der);
    auto req = fx.lab().store().find_request("issuing", o.request_id);
    ASSERT_TRUE(req);
    EXPECT_EQ(req->state, RequestState::Issued);
    EXPECT_EQ(req->serial, o.certificate->serial);
    EXPECT_EQ(req->requester.identity, "alice");
}

TEST(Issuance, CertificateCarriesTemplateAndCaDecisions) {
    LabFixture fx;
    IssuanceOutcome o = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=www.lab.test", {dns("www.lab.test")}), kAlice});
    ASSERT_TRUE(o.certificate);
    ossl::X509Ptr cert = parse_certificate(o.certificate->der, "test");
    CertificateInfo info = describe_certificate(cert.get());
    EXPECT_EQ(info.subject, "CN=www.lab.test");
    EXPECT_EQ(info.issuer, "CN=Test Issuing CA, O=pkilab tests");
    ASSERT_EQ(info.sans.size(), 1u);
    EXPECT_EQ(info.sans[0], dns("www.lab.test"));
    EXPECT_EQ(info.extended_key_usage, std::vector<std::string>{"1.3.6.1.5.5.7.3.1"});
    EXPECT_EQ(info.crl_urls, std::vector<std::string>{"http://127.0.0.1:8080/CertEnroll/issuing.crl"});
    EXPECT_EQ(info.ocsp_urls, std::vector<std::string>{"http://127.0.0.1:8080/ocsp"});
    EXPECT_EQ(info.ms_template, "WebServer");
    EXPECT_EQ(info.not_before, fx.clock().now() - std::chrono::hours{1});
    // Signed by the issuing CA's key.
    EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(fx.lab().ca("issuing").certificate())), 1);
    EXPECT_EQ(info.authority_key_id, to_hex(fx.lab().ca("issuing").key_id()));
}

TEST(Issuance, KeyUsageFollowsWhatTheKeyCanDo) {
    LabFixture fx;
    // WebServer lists digitalSignature and keyEncipherment, as AD CS does: an ECDSA key
    // cannot encipher, so its certificate carries digitalSignature alone, with a note.
    IssuanceOutcome ec = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=ec.lab.test", {dns("ec.lab.test")}), kAlice});
    ASSERT_TRUE(ec.certificate);
    ossl::X509Ptr ec_cert = parse_certificate(ec.certificate->der, "test");
    EXPECT_EQ(describe_certificate(ec_cert.get()).key_usage, std::vector<std::string>{"digitalSignature"});
    EXPECT_TRUE(has_code(ec.findings, "template.key_usage.not_for_key"));

    ossl::PkeyPtr rsa = generate_key(KeySpec{KeyAlgorithm::Rsa, 2048, ""});
    Bytes rsa_der = csr_to_der(make_csr(rsa.get(), "CN=rsa.lab.test", {dns("rsa.lab.test")}).get());
    IssuanceOutcome r = submit(fx.ctx(), {"WebServer", "", rsa_der, kAlice});
    ASSERT_TRUE(r.certificate);
    ossl::X509Ptr rsa_cert = parse_certificate(r.certificate->der, "test");
    EXPECT_EQ(describe_certificate(rsa_cert.get()).key_usage,
              (std::vector<std::string>{"digitalSignature", "keyEncipherment"}));
    EXPECT_FALSE(has_code(r.findings, "template.key_usage.not_for_key"));
}

TEST(Issuance, LintRefusesAKeyUsageTheKeyCannotPerform) {
    // A template that copies the requester's key usage: an ECDSA CSR asking for
    // keyEncipherment reaches lint, which must see the key type of the copied key bytes.
    std::string yaml = kTestLab;
    const std::string published = "LyncServer, Approved, Fixed]";
    yaml.replace(yaml.find(published), published.size(), "LyncServer, Approved, Fixed, CopyUsage]");
    LabFixture fx(yaml + R"(  - name: CopyUsage
    base: WebServer
    issuance: {allow_csr_extensions: true}
)");
    ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    ossl::X509ReqPtr req = make_csr(key.get(), "CN=ku.lab.test", {dns("ku.lab.test")});
    ossl::X509ExtensionPtr ku = make_key_usage({"digitalSignature", "keyEncipherment"}, true, "test");
    STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req.get());
    ASSERT_NE(exts, nullptr);
    ASSERT_GT(sk_X509_EXTENSION_push(exts, X509_EXTENSION_dup(ku.get())), 0);
    // Replace the extension request attribute with one that also holds the key usage.
    int at = X509_REQ_get_attr_by_NID(req.get(), NID_ext_req, -1);
    ASSERT_GE(at, 0);
    X509_ATTRIBUTE_free(X509_REQ_delete_attr(req.get(), at));
    ASSERT_EQ(X509_REQ_add_extensions(req.get(), exts), 1);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    ASSERT_GT(X509_REQ_sign(req.get(), key.get(), EVP_sha256()), 0);

    IssuanceOutcome o = submit(fx.ctx(), {"CopyUsage", "", csr_to_der(req.get()), kAlice});
    EXPECT_EQ(o.state, RequestState::Denied);
    EXPECT_FALSE(o.certificate);
    EXPECT_TRUE(has_code(o.findings, "lint.pkix.key_usage_key_type"));
}

TEST(Issuance, NameConstraintsOfTheCaPathAreEnforced) {
    std::string yaml = kTestLab;
    const std::string at = "    path_length: 0\n";
    yaml.replace(yaml.find(at), at.size(),
                 at + "    name_constraints: {permitted: [\"dns:lab.test\"], excluded: [\"dns:bad.lab.test\"]}\n");
    LabFixture fx(yaml);
    struct Case {
        const char* name;
        std::string cn;
        std::vector<GeneralName> sans;
        bool issued;
    };
    const Case cases[] = {
        {"inside", "www.lab.test", {dns("www.lab.test")}, true},
        {"one name outside among good ones", "www.lab.test", {dns("www.lab.test"), dns("evil.example")}, false},
        {"excluded subtree", "x.bad.lab.test", {dns("x.bad.lab.test")}, false},
    };
    for (const auto& c : cases) {
        IssuanceOutcome o = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=" + c.cn, c.sans), kAlice});
        EXPECT_EQ(o.state == RequestState::Issued, c.issued) << c.name;
        EXPECT_EQ(has_code(o.findings, "lint.rfc5280.name_constraints"), !c.issued) << c.name;
    }
}

TEST(Issuance, NoSubordinateCaFromACaWithPathLengthZero) {
    std::string yaml = kTestLab;
    const std::string published = "templates: [WebServer, User, LyncServer, Approved, Fixed]";
    yaml.replace(yaml.find(published), published.size(), "templates: [WebServer, User, LyncServer, Approved, Fixed, SubCA]");
    LabFixture fx(yaml);
    // Without --ca, the root is chosen: the issuing CA has path_length 0.
    IssuanceOutcome o = submit(fx.ctx(), {"SubCA", "", ec_csr("CN=Sub CA", {}), kOfficer});
    EXPECT_EQ(o.ca, "root");
    EXPECT_EQ(o.state, RequestState::Issued);
    // Asked for by name, the issuing CA refuses with the reason.
    IssuanceOutcome refused = submit(fx.ctx(), {"SubCA", "issuing", ec_csr("CN=Sub CA 2", {}), kOfficer});
    EXPECT_EQ(refused.state, RequestState::Denied);
    EXPECT_TRUE(has_code(refused.findings, "lint.rfc5280.issuer_path_length"));
}

TEST(Issuance, ExpiredOrNotYetValidCaSaysSo) {
    LabFixture fx;
    const Time made = fx.clock().now();
    fx.clock().set(made + std::chrono::days{366 * 6});  // the issuing CA lives 5 years
    IssuanceOutcome late = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=late.lab.test", {dns("late.lab.test")}), kAlice});
    EXPECT_EQ(late.state, RequestState::Denied);
    ASSERT_TRUE(has_code(late.findings, "ca.expired"));
    EXPECT_NE(late.disposition.find("expired at"), std::string::npos) << late.disposition;

    fx.clock().set(made - std::chrono::days{30});
    IssuanceOutcome early = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=early.lab.test", {dns("early.lab.test")}), kAlice});
    EXPECT_EQ(early.state, RequestState::Denied);
    EXPECT_TRUE(has_code(early.findings, "ca.not_yet_valid"));
}

TEST(Issuance, SerialsAreRandomPositiveAndUnique) {
    LabFixture fx;
    std::set<std::string> serials;
    for (int i = 0; i < 20; ++i) {
        IssuanceOutcome o = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=s.lab.test", {dns("s.lab.test")}), kAlice});
        ASSERT_TRUE(o.certificate);
        ossl::X509Ptr cert = parse_certificate(o.certificate->der, "test");
        const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
        EXPECT_NE(ASN1_STRING_type(serial), V_ASN1_NEG_INTEGER);
        // 128 random bits: at least 64 of them survive even a run of leading zero octets.
        EXPECT_GE(ASN1_STRING_length(serial), 8);
        EXPECT_LE(ASN1_STRING_length(serial), 20);
        serials.insert(o.certificate->serial);
    }
    EXPECT_EQ(serials.size(), 20u);
}

TEST(Issuance, PipelinedTicketsReleaseStoredCertificates) {
    LabFixture fx;
    std::vector<IssuanceTicket> tickets;
    for (int i = 0; i < 16; ++i)
        tickets.push_back(submit_pipelined(fx.ctx(), {"WebServer", "", ec_csr("CN=q.lab.test", {dns("q.lab.test")}), kAlice}));
    std::set<std::int64_t> ids;
    for (auto& t : tickets) {
        IssuanceOutcome o = t.wait();
        ASSERT_EQ(o.state, RequestState::Issued);
        ids.insert(o.request_id);
        // Once released, the certificate is in the store, byte for byte.
        auto stored = fx.lab().store().find_certificate(o.ca, o.certificate->serial);
        ASSERT_TRUE(stored);
        EXPECT_EQ(stored->der, o.certificate->der);
        EXPECT_EQ(stored->sans, std::vector<std::string>{"dns:q.lab.test"});
        EXPECT_EQ(stored->subject, "CN=q.lab.test");
    }
    EXPECT_EQ(ids.size(), 16u);
}

TEST(Issuance, RequestIdsAreSequentialPerCa) {
    LabFixture fx;
    for (int i = 1; i <= 3; ++i) {
        IssuanceOutcome o = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=n.lab.test", {dns("n.lab.test")}), kAlice});
        EXPECT_EQ(o.request_id, i);
    }
}

TEST(Issuance, DeniedRequestKeepsEveryReason) {
    LabFixture fx;
    // P-521 is allowed by WebServer, email SANs are not, and a SAN outside the pattern is not.
    IssuanceOutcome o = submit(fx.ctx(), {"Fixed", "", ec_csr("CN=x", {dns("evil.example.com"), GeneralName{NameType::Email, "a@lab.test"}}), kAlice});
    EXPECT_EQ(o.state, RequestState::Denied);
    EXPECT_FALSE(o.certificate);
    EXPECT_TRUE(has_code(o.findings, "template.san.pattern"));
    EXPECT_TRUE(has_code(o.findings, "template.san.type_not_allowed"));
    auto req = fx.lab().store().find_request(o.ca, o.request_id);
    ASSERT_TRUE(req);
    EXPECT_EQ(req->state, RequestState::Denied);
    EXPECT_NE(req->disposition.find("Denied by policy"), std::string::npos);
    EXPECT_EQ(findings_from_json(req->findings_json).size(), o.findings.size());
}

TEST(Issuance, TemplateSubjectReplacesTheRequestedOne) {
    LabFixture fx;
    IssuanceOutcome o = submit(fx.ctx(), {"Fixed", "", ec_csr("CN=whatever, O=Requester", {dns("a.lab.test")}), kAlice});
    ASSERT_TRUE(o.certificate);
    ossl::X509Ptr cert = parse_certificate(o.certificate->der, "test");
    EXPECT_EQ(describe_certificate(cert.get()).subject, "CN=fixed.lab.test, O=Fixed");
}

TEST(Issuance, PendingThenApprovedByOfficer) {
    LabFixture fx;
    IssuanceOutcome o = submit(fx.ctx(), {"Approved", "", ec_csr("CN=p.lab.test", {dns("p.lab.test")}), kAlice});
    ASSERT_EQ(o.state, RequestState::Pending);
    EXPECT_EQ(o.disposition, "Taken Under Submission");
    EXPECT_FALSE(o.certificate);

    IssuanceOutcome a = approve(fx.ctx(), o.ca, o.request_id, kOfficer);
    EXPECT_EQ(a.state, RequestState::Issued);
    EXPECT_EQ(a.request_id, o.request_id);
    ASSERT_TRUE(a.certificate);
    EXPECT_THROW(approve(fx.ctx(), o.ca, o.request_id, kOfficer), ConflictError);
    EXPECT_THROW(deny(fx.ctx(), o.ca, o.request_id, kOfficer, "late"), ConflictError);
}

TEST(Issuance, PendingThenDeniedThenResubmitted) {
    LabFixture fx;
    IssuanceOutcome o = submit(fx.ctx(), {"Approved", "", ec_csr("CN=d.lab.test", {dns("d.lab.test")}), kAlice});
    IssuanceOutcome d = deny(fx.ctx(), o.ca, o.request_id, kOfficer, "not ours");
    EXPECT_EQ(d.state, RequestState::Denied);
    EXPECT_EQ(d.disposition, "Denied by olga: not ours");
    // A denied request resubmitted goes through policy again: this template pends it.
    IssuanceOutcome r = resubmit(fx.ctx(), o.ca, o.request_id, kOfficer);
    EXPECT_EQ(r.state, RequestState::Pending);
    IssuanceOutcome r2 = resubmit(fx.ctx(), o.ca, o.request_id, kOfficer);
    EXPECT_EQ(r2.state, RequestState::Issued);
    EXPECT_THROW(resubmit(fx.ctx(), o.ca, o.request_id, kOfficer), ConflictError);
}

TEST(Issuance, ApproveUsesTheClockAtApprovalTime) {
    LabFixture fx;
    IssuanceOutcome o = submit(fx.ctx(), {"Approved", "", ec_csr("CN=t.lab.test", {dns("t.lab.test")}), kAlice});
    fx.clock().advance(std::chrono::days{3});
    IssuanceOutcome a = approve(fx.ctx(), o.ca, o.request_id, kOfficer);
    ASSERT_TRUE(a.certificate);
    ossl::X509Ptr cert = parse_certificate(a.certificate->der, "test");
    EXPECT_EQ(describe_certificate(cert.get()).not_before, fx.clock().now() - std::chrono::hours{1});
}

TEST(Issuance, ValidityIsClampedToTheIssuer) {
    LabFixture fx;
    fx.clock().advance(std::chrono::days{365 * 4 + 200});  // the issuing CA has about 160 days left
    IssuanceOutcome o = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=late.lab.test", {dns("late.lab.test")}), kAlice});
    ASSERT_TRUE(o.certificate);
    EXPECT_TRUE(has_code(o.findings, "template.validity.clamped"));
    ossl::X509Ptr cert = parse_certificate(o.certificate->der, "test");
    EXPECT_EQ(describe_certificate(cert.get()).not_after,
              from_asn1_time(X509_get0_notAfter(fx.lab().ca("issuing").certificate())));
}

TEST(Issuance, UnknownTemplateOrCaIsNamed) {
    LabFixture fx;
    Bytes csr = ec_csr("CN=u.lab.test", {dns("u.lab.test")});
    try {
        submit(fx.ctx(), {"NoSuchTemplate", "", csr, kAlice});
        FAIL();
    } catch (const NotFoundError& e) {
        EXPECT_NE(std::string(e.what()).find("NoSuchTemplate"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("WebServer"), std::string::npos);
    }
    EXPECT_THROW(submit(fx.ctx(), {"WebServer", "nope", csr, kAlice}), NotFoundError);
    try {
        submit(fx.ctx(), {"WebServer", "root", csr, kAlice});
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(e.problem().find("does not issue template WebServer"), std::string::npos);
    }
}

TEST(Issuance, EvaluateIsAPreflightWithoutSideEffects) {
    LabFixture fx;
    const size_t before = fx.lab().store().list_requests(RequestQuery{}).size();
    Evaluation e = evaluate(fx.ctx(), {"WebServer", "", ec_csr("CN=e.lab.test", {dns("e.lab.test")}), kAlice});
    EXPECT_FALSE(has_errors(e.findings));
    EXPECT_FALSE(e.tbs_der.empty());
    EXPECT_EQ(fx.lab().store().list_requests(RequestQuery{}).size(), before);
}

TEST(Issuance, EveryDecisionIsAudited) {
    LabFixture fx;
    submit(fx.ctx(), {"WebServer", "", ec_csr("CN=a.lab.test", {dns("a.lab.test")}), kAlice});
    submit(fx.ctx(), {"Fixed", "", ec_csr("CN=b", {dns("b.example.com")}), kAlice});
    EXPECT_THROW(submit(fx.ctx(), {"WebServer", "", Bytes{0x30, 0x03, 0x02, 0x01}, kAlice}), InputError);
    std::set<std::string> actions;
    for (const auto& e : fx.lab().store().list_audit(100)) actions.insert(e.action + ":" + e.outcome);
    EXPECT_TRUE(actions.count("issue:ok"));
    EXPECT_TRUE(actions.count("deny:denied"));
    EXPECT_TRUE(actions.count("submit:rejected"));
}

TEST(Revocation, RevokeHoldReleaseLifecycle) {
    LabFixture fx;
    IssuanceOutcome o = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=r.lab.test", {dns("r.lab.test")}), kAlice});
    const std::string serial = o.certificate->serial;
    EXPECT_EQ(hold(fx.ctx(), serial, kOfficer).status, CertStatus::OnHold);
    EXPECT_EQ(release(fx.ctx(), serial, kOfficer).status, CertStatus::Valid);
    EXPECT_THROW(release(fx.ctx(), serial, kOfficer), ConflictError);
    CertificateRecord r = revoke(fx.ctx(), serial, RevocationReason::KeyCompromise, kOfficer);
    EXPECT_EQ(r.status, CertStatus::Revoked);
    ASSERT_TRUE(r.revocation);
    EXPECT_EQ(r.revocation->revoked_at, fx.clock().now());
    EXPECT_THROW(revoke(fx.ctx(), serial, RevocationReason::Superseded, kOfficer), ConflictError);
    EXPECT_THROW(hold(fx.ctx(), serial, kOfficer), ConflictError);
    // Upper case and colons name the same serial.
    std::string upper;
    for (char c : serial) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(find_certificate(fx.ctx(), upper).serial, serial);
    EXPECT_THROW(find_certificate(fx.ctx(), "0102030405"), NotFoundError);
}

TEST(LabOnDisk, ReopenedLabHasTheSameCasAndClockOffset) {
    LabFixture fx;
    const std::string serial = describe_certificate(fx.lab().ca("issuing").certificate()).serial;
    fx.lab().set_clock_offset(std::chrono::days{30}, "test");
    auto again = Lab::open(fx.dir() / "state", fx.clock());
    EXPECT_EQ(describe_certificate(again->ca("issuing").certificate()).serial, serial);
    EXPECT_EQ(again->clock().now(), fx.clock().now() + std::chrono::days{30});
    // CA keys are private to the owner.
    auto mode = std::filesystem::status(ca_folder(fx.dir() / "state", "issuing") / "ca.key").permissions();
    EXPECT_EQ(mode & (std::filesystem::perms::group_all | std::filesystem::perms::others_all), std::filesystem::perms::none);
}

TEST(LabOnDisk, OpeningAFolderWithoutALabSaysHowToMakeOne) {
    FixedClock clock(Time{});
    try {
        Lab::open("/nonexistent/pkilab", clock);
        FAIL();
    } catch (const NotFoundError& e) {
        EXPECT_NE(std::string(e.what()).find("pkilab lab up"), std::string::npos);
    }
}

}  // namespace
}  // namespace pkilab::test
