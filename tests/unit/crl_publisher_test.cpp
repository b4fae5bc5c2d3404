// CRLs end to end inside the library: what the store says is revoked is exactly what the
// published CRL lists, numbers only go up, deltas extend their base, and a CRL that fails its
// check is never published.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <thread>

#include "ca/errors.hpp"
#include "ca/pipeline/revocation.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/pem.hpp"
#include "crl/crl_builder.hpp"
#include "crl/crl_check.hpp"
#include "crl/crl_publisher.hpp"
#include "crl/crl_schedule.hpp"
#include "crl/publication.hpp"
#include "tests/unit/lab_fixture.hpp"

namespace pkilab::crl {
namespace {

using test::LabFixture;

ossl::X509CrlPtr parse_crl(const Bytes& der) {
    const unsigned char* p = der.data();
    ossl::X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
    EXPECT_TRUE(crl) << "OpenSSL does not parse the CRL";
    EXPECT_EQ(p, der.data() + der.size()) << "trailing bytes";
    return crl;
}

Bytes read_crl(const Lab& lab, const std::string& ca, CrlKind kind) {
    return read_file(canonical_crl_file(lab.state_dir(), ca, kind), 1 << 28);
}

std::int64_t integer_ext(X509_CRL* crl, int nid) {
    ossl::Asn1IntegerPtr n(static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, nid, nullptr, nullptr)));
    return n ? ASN1_INTEGER_get(n.get()) : -1;
}

// serial -> reason code (-1: no reasonCode)
std::map<std::string, long> entries_of(X509_CRL* crl) {
    std::map<std::string, long> out;
    STACK_OF(X509_REVOKED)* list = X509_CRL_get_REVOKED(crl);
    for (int i = 0; list != nullptr && i < sk_X509_REVOKED_num(list); ++i) {
        const X509_REVOKED* r = sk_X509_REVOKED_value(list, i);
        const std::string s = serial_to_hex(X509_REVOKED_get0_serialNumber(r));
        ossl::Asn1StringPtr reason(static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(r, NID_crl_reason, nullptr, nullptr)));
        out[s] = reason ? ASN1_ENUMERATED_get(reason.get()) : -1;
    }
    return out;
}

// A certificate record without signing (CRLs read only serials and statuses), for volume.
std::string add_record(Lab& lab, const std::string& ca, int i, Time now) {
    char serial[40];
    std::snprintf(serial, sizeof serial, "7e%030x", static_cast<unsigned>(i * 2654435761u) ^ static_cast<unsigned>(i));
    IssuanceIntent intent;
    intent.ca = ca;
    intent.request.ca = ca;
    intent.request.template_name = "WebServer";
    intent.request.subject = "CN=host" + std::to_string(i);
    intent.request.at = now;
    intent.serial = serial;
    intent.tbs_der = {0x30, 0x00};
    intent.at = now;
    const std::int64_t id = lab.store().record_intent(intent);
    CertificateRecord c;
    c.ca = ca;
    c.serial = serial;
    c.request_id = id;
    c.subject = intent.request.subject;
    c.template_name = "WebServer";
    c.not_before = now - std::chrono::hours{1};
    c.not_after = now + std::chrono::days{365};
    c.issued_at = now;
    c.der = {0x30, 0x00};
    AuditEvent e;
    e.at = now;
    e.action = "issue";
    lab.store().record_issued(c, "Issued", e);
    return serial;
}

std::string issue(LabFixture& f, const std::string& cn) {
    EnrollmentRequest req{"WebServer", "", test::ec_csr("CN=" + cn, {test::dns(cn)}), {}};
    const IssuanceOutcome out = submit(f.ctx(), req);
    EXPECT_EQ(out.state, RequestState::Issued);
    return out.certificate->serial;
}

TEST(CrlPublisher, LabUpPublishesNothingYetAndTheFirstPublicationIsNumberOneVerifiedByOpenSsl) {
    LabFixture f;
    const CertificateAuthority& issuing = f.lab().ca("issuing");
    const Published p = publish_crl(f.lab(), issuing, CrlKind::Base, "tester", "on demand");
    EXPECT_EQ(p.record.number, 1);
    EXPECT_EQ(p.record.entries, 0u);
    // The lab's copy and the CDP location.
    ASSERT_EQ(p.files.size(), 2u);
    EXPECT_EQ(p.files[1], publication_folder(f.lab().state_dir()) / "CertEnroll" / "issuing.crl");

    const Bytes der = read_crl(f.lab(), "issuing", CrlKind::Base);
    auto crl = parse_crl(der);
    EXPECT_EQ(X509_CRL_get_version(crl.get()), 1);  // v2
    EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(issuing.certificate())), 1);
    EXPECT_EQ(X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuing.certificate())), 0);
    EXPECT_EQ(integer_ext(crl.get(), NID_crl_number), 1);
    EXPECT_EQ(integer_ext(crl.get(), NID_delta_crl), -1);
    // Freshest CRL names the delta location, with the "+".
    ossl::Ptr<CRL_DIST_POINTS, CRL_DIST_POINTS_free> fresh(
        static_cast<CRL_DIST_POINTS*>(X509_CRL_get_ext_d2i(crl.get(), NID_freshest_crl, nullptr, nullptr)));
    ASSERT_TRUE(fresh);
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sk_DIST_POINT_value(fresh.get(), 0)->distpoint->name.fullname, 0);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier))),
              "http://127.0.0.1:8080/CertEnroll/issuing+.crl");
    // AD CS timing: thisUpdate 10 minutes back, a week and 12 hours (10% capped) of validity.
    const Time now = f.clock().now();
    EXPECT_EQ(p.record.this_update, now - std::chrono::minutes{10});
    EXPECT_EQ(p.record.next_publish, now + std::chrono::days{7});
    EXPECT_EQ(p.record.next_update, now + std::chrono::days{7} + std::chrono::hours{12});
    // Our DER is what OpenSSL itself would write for the same content.
    unsigned char* re = nullptr;
    const int len = i2d_re_X509_CRL_tbs(crl.get(), &re);
    ossl::OsslBytesPtr owned(re);
    const Bytes reencoded(re, re + len);
    EXPECT_NE(std::search(der.begin(), der.end(), reencoded.begin(), reencoded.end()), der.end());
}

TEST(CrlPublisher, TheCrlListsExactlyTheRevokedCertificatesWithTheirReasons) {
    LabFixture f;
    std::vector<std::string> serials;
    for (int i = 0; i < 6; ++i) serials.push_back(issue(f, "host" + std::to_string(i) + ".lab.test"));
    Requester who;
    revoke(f.ctx(), serials[0], RevocationReason::KeyCompromise, who, f.clock().now() - std::chrono::hours{2});
    revoke(f.ctx(), serials[1], RevocationReason::Unspecified, who);
    hold(f.ctx(), serials[2], who);
    revoke(f.ctx(), serials[3], RevocationReason::Superseded, who);
    hold(f.ctx(), serials[4], who);
    release(f.ctx(), serials[4], who);

    publish_crl(f.lab(), f.lab().ca("issuing"), CrlKind::Base, "tester", "test");
    auto crl = parse_crl(read_crl(f.lab(), "issuing", CrlKind::Base));
    const std::map<std::string, long> expected{{serials[0], 1}, {serials[1], -1}, {serials[2], 6}, {serials[3], 4}};
    EXPECT_EQ(entries_of(crl.get()), expected);
    // The invalidity date is on the key-compromise entry only.
    STACK_OF(X509_REVOKED)* list = X509_CRL_get_REVOKED(crl.get());
    int with_invalidity = 0;
    for (int i = 0; i < sk_X509_REVOKED_num(list); ++i)
        with_invalidity += X509_REVOKED_get_ext_by_NID(sk_X509_REVOKED_value(list, i), NID_invalidity_date, -1) >= 0;
    EXPECT_EQ(with_invalidity, 1);
}

TEST(CrlPublisher, ADeltaListsWhatChangedSinceItsBaseIncludingReleasesAsRemoveFromCrl) {
    LabFixture f;
    const auto& ca = f.lab().ca("issuing");
    const std::string a = issue(f, "a.lab.test"), b = issue(f, "b.lab.test"), c = issue(f, "c.lab.test");
    Requester who;
    revoke(f.ctx(), a, RevocationReason::KeyCompromise, who);
    hold(f.ctx(), b, who);
    const Published base = publish_crl(f.lab(), ca, CrlKind::Base, "t", "test");

    release(f.ctx(), b, who);
    revoke(f.ctx(), c, RevocationReason::CessationOfOperation, who);
    const Published delta = publish_crl(f.lab(), ca, CrlKind::Delta, "t", "test");
    EXPECT_EQ(delta.record.number, base.record.number + 1);
    EXPECT_EQ(delta.record.base_number, base.record.number);
    EXPECT_EQ(delta.files.back().filename(), "issuing+.crl");

    auto d = parse_crl(read_crl(f.lab(), "issuing", CrlKind::Delta));
    EXPECT_EQ(X509_CRL_verify(d.get(), X509_get0_pubkey(ca.certificate())), 1);
    EXPECT_EQ(integer_ext(d.get(), NID_delta_crl), base.record.number);
    ossl::Asn1IntegerPtr indicator;
    int crit = 0;
    indicator.reset(static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(d.get(), NID_delta_crl, &crit, nullptr)));
    EXPECT_EQ(crit, 1) << "the Delta CRL Indicator is critical (RFC 5280 5.2.4)";
    const std::map<std::string, long> expected{{b, 8}, {c, 5}};
    EXPECT_EQ(entries_of(d.get()), expected);
}

TEST(CrlPublisher, NumbersIncreaseOverAHundredPublicationsAcrossBaseDeltaAndRestarts) {
    LabFixture f;
    std::int64_t last = 0;
    for (int round = 0; round < 20; ++round) {
        auto lab = Lab::open(f.lab().state_dir(), f.clock());
        for (int i = 0; i < 5; ++i) {
            const CrlKind kind = i % 2 == 0 ? CrlKind::Base : CrlKind::Delta;
            const auto p = publish_crl(*lab, lab->ca("issuing"), kind, "t", "test");
            EXPECT_GT(p.record.number, last);
            last = p.record.number;
            auto crl = parse_crl(read_crl(*lab, "issuing", kind));
            EXPECT_EQ(integer_ext(crl.get(), NID_crl_number), last);
        }
    }
    EXPECT_EQ(last, 100);
}

TEST(CrlPublisher, TwoPublishersAtOnceLeaveTheNewestCrlInPlace) {
    LabFixture f;
    // Another process on the same lab: its own Lab and store connection.
    auto other = Lab::open(f.lab().state_dir(), f.clock());
    std::thread t([&] {
        for (int i = 0; i < 10; ++i) publish_crl(*other, other->ca("issuing"), CrlKind::Base, "other", "test");
    });
    for (int i = 0; i < 10; ++i) publish_crl(f.lab(), f.lab().ca("issuing"), CrlKind::Base, "this", "test");
    t.join();
    const auto latest = f.lab().store().latest_crl("issuing", CrlKind::Base);
    ASSERT_TRUE(latest);
    EXPECT_EQ(latest->number, 20);
    const Bytes der = read_crl(f.lab(), "issuing", CrlKind::Base);
    EXPECT_EQ(integer_ext(parse_crl(der).get(), NID_crl_number), latest->number);
    EXPECT_EQ(read_file(publication_folder(f.lab().state_dir()) / "CertEnroll" / "issuing.crl", 1 << 20), der);
}

TEST(CrlPublisher, ThousandOfTenThousandRevokedAreExactlyTheEntries) {
    LabFixture f;
    const Time now = f.clock().now();
    std::vector<std::string> serials;
    for (int i = 0; i < 10000; ++i) serials.push_back(add_record(f.lab(), "issuing", i, now));
    std::map<std::string, long> expected;
    const RevocationReason reasons[] = {RevocationReason::KeyCompromise, RevocationReason::Superseded,
                                        RevocationReason::AffiliationChanged, RevocationReason::CessationOfOperation};
    for (int i = 0; i < 10000; i += 10) {
        const RevocationReason r = reasons[(i / 10) % 4];
        AuditEvent e;
        e.at = now;
        e.action = "revoke";
        f.lab().store().set_status("issuing", serials[static_cast<std::size_t>(i)], CertStatus::Revoked,
                                   Revocation{r, now, std::nullopt}, e);
        expected[serials[static_cast<std::size_t>(i)]] = static_cast<long>(r);
    }
    const auto p = publish_crl(f.lab(), f.lab().ca("issuing"), CrlKind::Base, "t", "test");
    EXPECT_EQ(p.record.entries, 1000u);
    EXPECT_EQ(entries_of(parse_crl(read_crl(f.lab(), "issuing", CrlKind::Base)).get()), expected);
    // Nothing of the issuing CA's is at the root's location, and the root's CRL is empty.
    publish_crl(f.lab(), f.lab().ca("root"), CrlKind::Base, "t", "test");
    EXPECT_TRUE(entries_of(parse_crl(read_crl(f.lab(), "root", CrlKind::Base)).get()).empty());
}

TEST(CrlPublisher, ARevokedSubordinateCaIsOnTheRootsCrl) {
    LabFixture f;
    const std::string sub = serial_to_hex(X509_get0_serialNumber(f.lab().ca("issuing").certificate()));
    revoke(f.ctx(), sub, RevocationReason::CaCompromise, Requester{}, std::nullopt, "root");
    publish_crl(f.lab(), f.lab().ca("root"), CrlKind::Base, "t", "test");
    const std::map<std::string, long> expected{{sub, 2}};
    EXPECT_EQ(entries_of(parse_crl(read_crl(f.lab(), "root", CrlKind::Base)).get()), expected);
}

TEST(CrlPublisher, TheCheckRefusesACrlFromAnotherCaOrWithAnotherNumber) {
    LabFixture f;
    const auto& issuing = f.lab().ca("issuing");
    const auto& root = f.lab().ca("root");
    CrlHeader h;
    h.number = 7;
    h.this_update = f.clock().now();
    h.next_update = h.this_update + std::chrono::days{1};
    RevokedListWriter w;
    w.add("0a", RevocationReason::KeyCompromise, h.this_update);
    const Bytes by_root = build_crl(root, h, std::move(w));
    EXPECT_NO_THROW(verify_crl_against_ca(root, by_root, h));
    EXPECT_THROW(verify_crl_against_ca(issuing, by_root, h), InternalError);
    CrlHeader other = h;
    other.number = 8;
    EXPECT_THROW(verify_crl_against_ca(root, by_root, other), InternalError);
    Bytes flipped = by_root;
    flipped[flipped.size() / 2] ^= 0x01;
    EXPECT_THROW(verify_crl_against_ca(root, flipped, h), InternalError);
    for (std::size_t cut : {std::size_t{0}, std::size_t{1}, by_root.size() / 2, by_root.size() - 1})
        EXPECT_THROW(verify_crl_against_ca(root, ByteView(by_root.data(), cut), h), InternalError) << cut;
}

TEST(CrlSchedule, DueFollowsTheLabClockAndStaleComesAfterTheOverlap) {
    LabFixture f;
    const auto& ca = f.lab().ca("issuing");
    auto due_kinds = [&] {
        std::vector<std::string> out;
        for (const auto& a : publish_due(f.lab(), "sched")) {
            EXPECT_TRUE(a.published) << a.error;
            out.push_back(a.ca + ":" + to_string(a.kind));
        }
        return out;
    };
    EXPECT_EQ(due_kinds(), (std::vector<std::string>{"root:base", "root:delta", "issuing:base", "issuing:delta"}));
    EXPECT_TRUE(due_kinds().empty());
    f.clock().advance(std::chrono::days{1});  // the delta period
    EXPECT_EQ(due_kinds(), (std::vector<std::string>{"root:delta", "issuing:delta"}));
    f.clock().advance(std::chrono::days{6});  // the base period
    EXPECT_EQ(due_kinds(), (std::vector<std::string>{"root:base", "root:delta", "issuing:base", "issuing:delta"}));
    const auto latest = f.lab().store().latest_crl(ca.name(), CrlKind::Base);
    EXPECT_EQ(freshness(latest, f.clock().now()), Freshness::Fresh);
    EXPECT_EQ(freshness(latest, latest->next_publish), Freshness::Due);
    EXPECT_EQ(freshness(latest, latest->next_update), Freshness::Stale);
    EXPECT_EQ(freshness(std::nullopt, f.clock().now()), Freshness::Missing);
}

TEST(CrlPublication, PublishingEverywhereIsAllOrNothing) {
    LabFixture f;
    const std::filesystem::path a = f.dir() / "a" / "x.crl", b = f.dir() / "b" / "y.crl";
    const Bytes old_bytes{1, 2, 3}, new_bytes{4, 5, 6, 7};
    publish_everywhere({a, b}, old_bytes);
    // A location whose folder cannot be made (a file is in the way): nothing changes anywhere.
    std::ofstream(f.dir() / "blocker") << "a file, not a folder";
    EXPECT_THROW(publish_everywhere({a, b, f.dir() / "blocker" / "z.crl"}, new_bytes), InputError);
    EXPECT_EQ(read_file(a, 64), old_bytes);
    EXPECT_EQ(read_file(b, 64), old_bytes);
    for (const auto& dir : {a.parent_path(), b.parent_path()})
        for (const auto& e : std::filesystem::directory_iterator(dir))
            EXPECT_EQ(e.path().filename().string().find(".staged-"), std::string::npos) << e.path();
    // Then all of them, one inode for the locations on one file system.
    publish_everywhere({a, b}, new_bytes);
    EXPECT_EQ(read_file(a, 64), new_bytes);
    EXPECT_EQ(read_file(b, 64), new_bytes);
    EXPECT_TRUE(std::filesystem::equivalent(a, b));
}

TEST(CrlPublication, TwoCasAtOnePathAreRefusedNamingBoth) {
    std::string yaml = test::kTestLab;
    // The root publishes its CRL at the issuing CA's file name.
    const std::string root_templates = "    templates: [SubCA]\n";
    yaml.replace(yaml.find(root_templates), root_templates.size(),
                 root_templates + "    cdp: [\"http://<ServerDNSName>:8080/CertEnroll/issuing.crl\"]\n");
    LabFixture f(yaml);
    try {
        published_locations(f.lab());
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("CA root"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("CA issuing"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("/CertEnroll/issuing.crl"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace pkilab::crl
