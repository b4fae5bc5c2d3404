// The SQLite store's records and rules: ids, intents, issuance, status changes, search, audit.
#include <gtest/gtest.h>

#include <tuple>

#include "ca/errors.hpp"
#include "ca/store/sqlite_store.hpp"
#include "tests/unit/store_test_support.hpp"

namespace pkilab {
namespace {

using testing::at_seconds;
using testing::certificate;
using testing::event;
using testing::intent_for_new_request;
using testing::new_request;

class SqliteStoreTest : public ::testing::Test {
protected:
    testing::ScratchDir dir;
    std::unique_ptr<Store> store = open_sqlite_store(dir.file("ca.db"));

    // A request, its intent and its certificate, as the pipeline writes them.
    CertificateRecord issue(const std::string& ca, const std::string& serial, CertificateRecord cert) {
        const auto id = store->record_intent(intent_for_new_request(ca, serial, cert.subject));
        cert.ca = ca;
        cert.serial = serial;
        cert.request_id = id;
        store->record_issued(cert, "issued", event("issue"));
        return cert;
    }
    CertificateRecord issue(const std::string& ca, const std::string& serial) {
        return issue(ca, serial, certificate(ca, serial, 0));
    }
};

TEST_F(SqliteStoreTest, RequestIdsAreSequentialPerCaWhenInterleaved) {
    EXPECT_EQ(store->add_request(new_request("root", "CN=a"), event("submit")), 1);
    EXPECT_EQ(store->add_request(new_request("issuing", "CN=b"), event("submit")), 1);
    EXPECT_EQ(store->add_request(new_request("root", "CN=c"), event("submit")), 2);
    EXPECT_EQ(store->add_request(new_request("root", "CN=d"), event("submit")), 3);
    EXPECT_EQ(store->add_request(new_request("issuing", "CN=e"), event("submit")), 2);

    auto r = store->find_request("issuing", 2);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->subject, "CN=e");
    EXPECT_EQ(r->ca, "issuing");
}

TEST_F(SqliteStoreTest, RequestRoundTripsEveryField) {
    auto req = new_request("root", "CN=round,O=Trip");
    req.findings_json = R"([{"code":"x"}])";
    const auto id = store->add_request(req, event("submit"));

    auto r = store->find_request("root", id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->state, RequestState::Pending);
    EXPECT_EQ(r->disposition, req.disposition);
    EXPECT_EQ(r->template_name, "server");
    EXPECT_EQ(r->template_version, "1");
    EXPECT_EQ(r->requester.identity, "alice");
    EXPECT_EQ(r->requester.role, "enrollee");
    EXPECT_EQ(r->requester.channel, "rest");
    EXPECT_EQ(r->csr_der, req.csr_der);
    EXPECT_EQ(r->subject, req.subject);
    EXPECT_EQ(r->findings_json, req.findings_json);
    EXPECT_EQ(r->submitted_at, req.at);
    EXPECT_FALSE(r->resolved_at);  // pending is not resolved
    EXPECT_EQ(r->serial, "");
}

TEST_F(SqliteStoreTest, AddRequestAuditEventGetsTheNewId) {
    const auto id = store->add_request(new_request("root", "CN=a"), event("submit"));
    auto trail = store->list_audit(10);
    ASSERT_EQ(trail.size(), 1u);
    EXPECT_EQ(trail[0].action, "submit");
    EXPECT_EQ(trail[0].ca, "root");
    ASSERT_TRUE(trail[0].request_id);
    EXPECT_EQ(*trail[0].request_id, id);
}

TEST_F(SqliteStoreTest, FindRequestUnknownIsEmpty) {
    EXPECT_FALSE(store->find_request("root", 42));
}

TEST_F(SqliteStoreTest, SetRequestStateUnknownIdNamesCaAndId) {
    try {
        store->set_request_state("root", 42, RequestState::Denied, "no", "[]", "{}", event("deny"));
        FAIL() << "expected NotFoundError";
    } catch (const NotFoundError& e) {
        EXPECT_NE(std::string(e.what()).find("request 42 of CA 'root'"), std::string::npos) << e.what();
    }
}

TEST_F(SqliteStoreTest, SetRequestStateDenyThenResubmit) {
    const auto id = store->add_request(new_request("root", "CN=a"), event("submit"));
    store->set_request_state("root", id, RequestState::Denied, "key too small", R"(["weak"])", R"({"keys":"deny"})",
                             event("deny"));
    auto r = store->find_request("root", id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->state, RequestState::Denied);
    EXPECT_EQ(r->disposition, "key too small");
    EXPECT_EQ(r->findings_json, R"(["weak"])");
    EXPECT_EQ(r->verdicts_json, R"({"keys":"deny"})");
    ASSERT_TRUE(r->resolved_at);

    store->set_request_state("root", id, RequestState::Pending, "resubmitted", "[]", "{}", event("pend"));
    r = store->find_request("root", id);
    EXPECT_EQ(r->state, RequestState::Pending);
    EXPECT_FALSE(r->resolved_at);
    EXPECT_EQ(store->list_audit(10).size(), 3u);
}

// Counted over every request's last decision: a request decided again counts once, as it stands.
TEST_F(SqliteStoreTest, PluginVerdictCountsAddUpEachRequestsLastVerdicts) {
    NewRequest a = new_request("root", "CN=a");
    a.verdicts_json = R"({"keys":"allow","names":"deny"})";
    NewRequest b = new_request("root", "CN=b");
    b.verdicts_json = R"({"keys":"allow"})";
    store->add_request(a, event("submit"));
    const auto id = store->add_request(b, event("submit"));
    store->add_request(new_request("root", "CN=c"), event("submit"));  // no plugins ran
    store->set_request_state("root", id, RequestState::Pending, "held", "[]", R"({"keys":"pend"})", event("pend"));
    std::vector<std::tuple<std::string, std::string, std::uint64_t>> got;
    for (const auto& c : store->plugin_verdict_counts()) got.emplace_back(c.plugin, c.verdict, c.requests);
    EXPECT_EQ(got, (std::vector<std::tuple<std::string, std::string, std::uint64_t>>{
                       {"keys", "allow", 1}, {"keys", "pend", 1}, {"names", "deny", 1}}));
}

TEST_F(SqliteStoreTest, RecordIntentCreatesRequestMarkedInterrupted) {
    const auto id = store->record_intent(intent_for_new_request("root", "0a0b"));
    auto r = store->find_request("root", id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->state, RequestState::Failed);
    EXPECT_EQ(r->disposition, "interrupted while signing: the certificate was not recorded");
    EXPECT_EQ(r->serial, "");
}

TEST_F(SqliteStoreTest, RecordIntentOnExistingPendingRequest) {
    const auto id = store->add_request(new_request("root", "CN=a"), event("submit"));
    IssuanceIntent intent = intent_for_new_request("root", "0c");
    intent.request_id = id;
    EXPECT_EQ(store->record_intent(intent), id);
    EXPECT_EQ(store->find_request("root", id)->state, RequestState::Failed);
    // No second request was created.
    EXPECT_FALSE(store->find_request("root", id + 1));
}

TEST_F(SqliteStoreTest, RecordIntentOnResubmittedDeniedRequest) {
    const auto id = store->add_request(new_request("root", "CN=a", RequestState::Denied), event("submit"));
    IssuanceIntent intent = intent_for_new_request("root", "0d");
    intent.request_id = id;
    EXPECT_EQ(store->record_intent(intent), id);
    store->record_issued(certificate("root", "0d", id), "issued", event("issue"));
    EXPECT_EQ(store->find_request("root", id)->state, RequestState::Issued);
}

TEST_F(SqliteStoreTest, RecordIntentOnIssuedRequestIsConflict) {
    const auto id = issue("root", "0e").request_id;
    IssuanceIntent intent = intent_for_new_request("root", "0f");
    intent.request_id = id;
    EXPECT_THROW(store->record_intent(intent), ConflictError);
}

TEST_F(SqliteStoreTest, RecordIntentOnUnknownRequestIsNotFound) {
    IssuanceIntent intent = intent_for_new_request("root", "0c");
    intent.request_id = 7;
    EXPECT_THROW(store->record_intent(intent), NotFoundError);
}

TEST_F(SqliteStoreTest, RecordIntentReusedSerialIsCollisionAndLeavesNoRequest) {
    store->record_intent(intent_for_new_request("root", "abcd"));
    EXPECT_THROW(store->record_intent(intent_for_new_request("root", "ABCD")), SerialCollision);
    // The failed intent's request was rolled back with it, so the next id has no gap.
    EXPECT_EQ(store->record_intent(intent_for_new_request("root", "abce")), 2);
    // Another CA may use the same serial.
    EXPECT_NO_THROW(store->record_intent(intent_for_new_request("issuing", "abcd")));
}

TEST_F(SqliteStoreTest, RecordIssuedMarksRequestAndStoresCertificate) {
    auto cert = issue("root", "01ff");
    auto r = store->find_request("root", cert.request_id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->state, RequestState::Issued);
    EXPECT_EQ(r->serial, "01ff");
    EXPECT_EQ(r->disposition, "issued");
    EXPECT_EQ(r->resolved_at, cert.issued_at);

    auto c = store->find_certificate("root", "01FF");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->serial, "01ff");
    EXPECT_EQ(c->subject, cert.subject);
    EXPECT_EQ(c->sans, cert.sans);
    EXPECT_EQ(c->template_name, "server");
    EXPECT_EQ(c->not_before, cert.not_before);
    EXPECT_EQ(c->not_after, cert.not_after);
    EXPECT_EQ(c->issued_at, cert.issued_at);
    EXPECT_EQ(c->der, cert.der);
    EXPECT_EQ(c->status, CertStatus::Valid);
    EXPECT_FALSE(c->revocation);

    auto trail = store->list_audit(10);
    ASSERT_EQ(trail.size(), 1u);
    EXPECT_EQ(trail[0].serial, "01ff");
    EXPECT_EQ(trail[0].request_id, cert.request_id);
}

TEST_F(SqliteStoreTest, RecordIssuedTwiceForOneRequestIsConflict) {
    auto cert = issue("root", "01");
    cert.serial = "02";
    EXPECT_THROW(store->record_issued(cert, "again", event("issue")), ConflictError);
}

TEST_F(SqliteStoreTest, RecordIssuedForUnknownRequestIsNotFound) {
    EXPECT_THROW(store->record_issued(certificate("root", "01", 5), "issued", event("issue")), NotFoundError);
}

TEST_F(SqliteStoreTest, IntentAfterRecordedSerialIsCollision) {
    issue("root", "77");
    EXPECT_THROW(store->record_intent(intent_for_new_request("root", "77")), SerialCollision);
}

TEST_F(SqliteStoreTest, HoldThenReleaseThenRevoke) {
    issue("root", "aa");
    store->set_status("root", "aa", CertStatus::OnHold, Revocation{RevocationReason::Unspecified, at_seconds(1'700'001'000), {}},
                      event("hold"));
    auto c = store->find_certificate("root", "aa");
    ASSERT_TRUE(c && c->revocation);
    EXPECT_EQ(c->status, CertStatus::OnHold);
    EXPECT_EQ(c->revocation->reason, RevocationReason::CertificateHold);  // a hold is always certificateHold
    EXPECT_EQ(c->revocation->revoked_at, at_seconds(1'700'001'000));

    store->set_status("root", "aa", CertStatus::Valid, std::nullopt, event("release"));
    c = store->find_certificate("root", "aa");
    EXPECT_EQ(c->status, CertStatus::Valid);
    EXPECT_FALSE(c->revocation);

    store->set_status("root", "aa", CertStatus::OnHold, std::nullopt, event("hold"));
    store->set_status("root", "aa", CertStatus::Revoked,
                      Revocation{RevocationReason::Superseded, at_seconds(1'700'002'000), at_seconds(1'699'000'000)},
                      event("revoke"));
    c = store->find_certificate("root", "aa");
    EXPECT_EQ(c->status, CertStatus::Revoked);
    EXPECT_EQ(c->revocation->reason, RevocationReason::Superseded);
    EXPECT_EQ(c->revocation->invalidity_date, at_seconds(1'699'000'000));

    auto trail = store->list_audit(10);
    ASSERT_EQ(trail.size(), 5u);  // issue, hold, release, hold, revoke
    EXPECT_EQ(trail[2].action, "release");
    EXPECT_EQ(trail[2].serial, "aa");
}

TEST_F(SqliteStoreTest, RevokedKeyCompromiseCannotBeReleased) {
    issue("root", "bb");
    store->set_status("root", "bb", CertStatus::Revoked,
                      Revocation{RevocationReason::KeyCompromise, at_seconds(1'700'001'000), {}}, event("revoke"));
    try {
        store->set_status("root", "bb", CertStatus::Valid, std::nullopt, event("release"));
        FAIL() << "expected ConflictError";
    } catch (const ConflictError& e) {
        EXPECT_STREQ(e.what(), "certificate bb is revoked (keyCompromise); only a certificate on hold can be released");
    }
    EXPECT_THROW(store->set_status("root", "bb", CertStatus::OnHold, std::nullopt, event("hold")), ConflictError);
    // The refused changes left no trace.
    EXPECT_EQ(store->find_certificate("root", "bb")->status, CertStatus::Revoked);
    EXPECT_EQ(store->list_audit(10).size(), 2u);
}

TEST_F(SqliteStoreTest, RevokeWithCertificateHoldReasonIsAHold) {
    issue("root", "cc");
    store->set_status("root", "cc", CertStatus::Revoked,
                      Revocation{RevocationReason::CertificateHold, at_seconds(1'700'001'000), {}}, event("revoke"));
    EXPECT_EQ(store->find_certificate("root", "cc")->status, CertStatus::OnHold);
}

TEST_F(SqliteStoreTest, ReleaseOfValidCertificateIsConflict) {
    issue("root", "dd");
    EXPECT_THROW(store->set_status("root", "dd", CertStatus::Valid, std::nullopt, event("release")), ConflictError);
}

TEST_F(SqliteStoreTest, SetStatusUnknownSerialIsNotFound) {
    issue("root", "ee");
    try {
        store->set_status("root", "ef", CertStatus::Revoked, Revocation{}, event("revoke"));
        FAIL() << "expected NotFoundError";
    } catch (const NotFoundError& e) {
        EXPECT_NE(std::string(e.what()).find("certificate ef of CA 'root'"), std::string::npos) << e.what();
    }
    // Right serial, wrong CA.
    EXPECT_THROW(store->set_status("issuing", "ee", CertStatus::Revoked, Revocation{}, event("revoke")), NotFoundError);
}

TEST_F(SqliteStoreTest, FindCertificatesBySerialAcrossCas) {
    issue("root", "1234");
    issue("issuing", "1234");
    issue("issuing", "5678");
    auto found = store->find_certificates_by_serial("1234");
    ASSERT_EQ(found.size(), 2u);
    EXPECT_TRUE(store->find_certificates_by_serial("9999").empty());
}

TEST_F(SqliteStoreTest, ListRequestsFiltersByCaAndState) {
    store->add_request(new_request("root", "CN=a"), event("submit"));
    store->add_request(new_request("root", "CN=b", RequestState::Denied), event("submit"));
    store->add_request(new_request("issuing", "CN=c"), event("submit"));

    RequestQuery q;
    EXPECT_EQ(store->list_requests(q).size(), 3u);
    q.ca = "root";
    EXPECT_EQ(store->list_requests(q).size(), 2u);
    q.state = RequestState::Denied;
    auto denied = store->list_requests(q);
    ASSERT_EQ(denied.size(), 1u);
    EXPECT_EQ(denied[0].subject, "CN=b");
    EXPECT_TRUE(denied[0].resolved_at);
    q = {};
    q.limit = 1;
    EXPECT_EQ(store->list_requests(q).size(), 1u);
}

TEST_F(SqliteStoreTest, SettingsSetReplaceAndMissing) {
    EXPECT_FALSE(store->get_setting("clock_offset"));
    store->set_setting("clock_offset", "0");
    store->set_setting("clock_offset", "86400");
    EXPECT_EQ(store->get_setting("clock_offset"), "86400");
}

TEST_F(SqliteStoreTest, ListAuditPagesInIdOrder) {
    for (int i = 0; i < 5; ++i) {
        auto e = event("lab-up");
        e.detail = std::to_string(i);
        store->append_audit(e);
    }
    auto first = store->list_audit(2);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].detail, "0");
    EXPECT_EQ(first[1].detail, "1");
    auto rest = store->list_audit(10, first[1].id);
    ASSERT_EQ(rest.size(), 3u);
    EXPECT_EQ(rest[0].detail, "2");
    EXPECT_LT(first[1].id, rest[0].id);
    EXPECT_FALSE(rest[0].request_id);
    EXPECT_TRUE(store->list_audit(10, rest[2].id).empty());
}

// Search: one certificate set, one named case per query field.
class SqliteStoreSearchTest : public SqliteStoreTest {
protected:
    void SetUp() override {
        auto a = certificate("root", "", 0);
        a.subject = "CN=Alice Example,O=Lab";
        a.sans = {"email:alice@lab.test"};
        a.template_name = "user";
        a.not_after = at_seconds(2'000'000'000);
        a.issued_at = at_seconds(1'700'000'003);
        issue("issuing", "0a", a);

        auto b = certificate("root", "", 0);
        b.subject = "CN=www.lab.test";
        b.sans = {"dns:www.lab.test", "dns:lab.test"};
        b.not_after = at_seconds(1'800'000'000);
        b.issued_at = at_seconds(1'700'000'001);
        issue("issuing", "0b", b);

        auto c = certificate("root", "", 0);
        c.subject = "CN=100%_done";
        c.sans = {};
        c.not_after = at_seconds(1'750'000'000);
        c.issued_at = at_seconds(1'700'000'002);
        issue("root", "0c", c);
        store->set_status("root", "0c", CertStatus::Revoked,
                          Revocation{RevocationReason::Superseded, at_seconds(1'700'000'500), {}}, event("revoke"));

        auto d = certificate("root", "", 0);
        d.subject = "CN=1000 done";
        d.sans = {"dns:x_y.lab.test"};
        d.not_after = at_seconds(1'760'000'000);
        d.issued_at = at_seconds(1'700'000'001);  // same time as 0b: the serial breaks the tie
        issue("root", "0d", d);
    }

    std::vector<std::string> serials(const CertificateQuery& q) {
        std::vector<std::string> out;
        for (const auto& c : store->search_certificates(q)) out.push_back(c.ca + "/" + c.serial);
        return out;
    }
};

using Serials = std::vector<std::string>;

TEST_F(SqliteStoreSearchTest, EmptyQueryReturnsAllByIssueTimeThenSerial) {
    EXPECT_EQ(serials({}), (Serials{"issuing/0b", "root/0d", "root/0c", "issuing/0a"}));
}

TEST_F(SqliteStoreSearchTest, ByCa) {
    CertificateQuery q;
    q.ca = "root";
    EXPECT_EQ(serials(q), (Serials{"root/0d", "root/0c"}));
}

TEST_F(SqliteStoreSearchTest, BySubjectSubstringCaseInsensitive) {
    CertificateQuery q;
    q.subject_contains = "aLiCe";
    EXPECT_EQ(serials(q), (Serials{"issuing/0a"}));
}

TEST_F(SqliteStoreSearchTest, SubjectWildcardsInInputAreLiteral) {
    CertificateQuery q;
    q.subject_contains = "%";
    EXPECT_EQ(serials(q), (Serials{"root/0c"}));
    q.subject_contains = "100_";
    EXPECT_EQ(serials(q), Serials{});
    q.subject_contains = "0%_d";
    EXPECT_EQ(serials(q), (Serials{"root/0c"}));
}

TEST_F(SqliteStoreSearchTest, BySanSubstring) {
    CertificateQuery q;
    q.san_contains = "DNS:LAB.test";
    EXPECT_EQ(serials(q), (Serials{"issuing/0b"}));
    q.san_contains = "_";
    EXPECT_EQ(serials(q), (Serials{"root/0d"}));
    // A needle cannot span two SANs.
    q.san_contains = "test\ndns";
    EXPECT_EQ(serials(q), Serials{});
}

TEST_F(SqliteStoreSearchTest, BySerialExactCaseInsensitive) {
    CertificateQuery q;
    q.serial = "0A";
    EXPECT_EQ(serials(q), (Serials{"issuing/0a"}));
    q.serial = "0";
    EXPECT_EQ(serials(q), Serials{});
}

TEST_F(SqliteStoreSearchTest, ByTemplate) {
    CertificateQuery q;
    q.template_name = "user";
    EXPECT_EQ(serials(q), (Serials{"issuing/0a"}));
}

TEST_F(SqliteStoreSearchTest, ByStatus) {
    CertificateQuery q;
    q.status = CertStatus::Revoked;
    EXPECT_EQ(serials(q), (Serials{"root/0c"}));
    q.status = CertStatus::OnHold;
    EXPECT_EQ(serials(q), Serials{});
}

TEST_F(SqliteStoreSearchTest, ByExpiringBefore) {
    CertificateQuery q;
    q.expiring_before = at_seconds(1'760'000'000);  // strictly before
    EXPECT_EQ(serials(q), (Serials{"root/0c"}));
    q.expiring_before = at_seconds(1'800'000'001);
    EXPECT_EQ(serials(q), (Serials{"issuing/0b", "root/0d", "root/0c"}));
}

TEST_F(SqliteStoreSearchTest, FieldsCombineAndLimitApplies) {
    CertificateQuery q;
    q.ca = "root";
    q.subject_contains = "done";
    q.status = CertStatus::Valid;
    EXPECT_EQ(serials(q), (Serials{"root/0d"}));
    q = {};
    q.limit = 2;
    EXPECT_EQ(serials(q), (Serials{"issuing/0b", "root/0d"}));
}

}  // namespace
}  // namespace pkilab
