// The OCSP responder through a real lab: statuses, signers, the pre-signed cache, refresh,
// hostile input; responses checked with OpenSSL's client API (and the openssl CLI).
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <openssl/err.h>

#include "ca/pipeline/issuance.hpp"
#include "ca/pipeline/revocation.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/pem.hpp"
#include "crl/ocsp/ocsp_request.hpp"
#include "crl/ocsp/ocsp_responder.hpp"
#include "lab_fixture.hpp"

namespace pkilab::test {
namespace {

using crl::OcspResponder;

const Requester kAlice{"alice", "enrollee", "cli"};
const Requester kOfficer{"olga", "officer", "cli"};

// The test lab, with the issuing CA publishing the responder template (the root does not).
std::string lab_yaml(const std::string& issuing_extra = "") {
    std::string yaml = kTestLab;
    const std::string from = "templates: [WebServer, User, LyncServer, Approved, Fixed]";
    yaml.replace(yaml.find(from), from.size(),
                 "templates: [WebServer, User, LyncServer, Approved, Fixed, OCSPResponseSigning]" + issuing_extra);
    return yaml;
}

struct Issued {
    ossl::X509Ptr cert;
    std::string serial;
};

Issued issue(LabFixture& fx, const std::string& name) {
    IssuanceOutcome o = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=" + name, {dns(name)}), kAlice});
    EXPECT_EQ(o.state, RequestState::Issued) << o.disposition;
    if (!o.certificate) throw std::runtime_error("not issued");
    return Issued{parse_certificate(o.certificate->der, "test"), o.certificate->serial};
}

const X509* issuing_cert(LabFixture& fx) { return fx.lab().ca("issuing").certificate(); }
const X509* root_cert(LabFixture& fx) { return fx.lab().ca("root").certificate(); }

Bytes encode_request(OCSP_REQUEST* req) {
    unsigned char* der = nullptr;
    const int len = i2d_OCSP_REQUEST(req, &der);
    ossl::OsslBytesPtr owned(der);
    if (len <= 0) throw std::runtime_error("i2d_OCSP_REQUEST");
    return Bytes(der, der + len);
}

ossl::OcspRequestPtr make_request(const std::vector<std::pair<const X509*, const X509*>>& certs,
                                  const EVP_MD* md = EVP_sha1(), bool nonce = false) {
    ossl::OcspRequestPtr req(OCSP_REQUEST_new());
    for (const auto& [cert, issuer] : certs) {
        OCSP_CERTID* id = OCSP_cert_to_id(md, cert, issuer);
        if (id == nullptr || OCSP_request_add0_id(req.get(), id) == nullptr) throw std::runtime_error("add0_id");
    }
    if (nonce && OCSP_request_add1_nonce(req.get(), nullptr, -1) != 1) throw std::runtime_error("nonce");
    return req;
}

Bytes request_der(const X509* cert, const X509* issuer, const EVP_MD* md = EVP_sha1()) {
    return encode_request(make_request({{cert, issuer}}, md).get());
}

int response_status(const Bytes& der) {
    const unsigned char* p = der.data();
    ossl::OcspResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    if (!resp) return -1;
    return OCSP_response_status(resp.get());
}

ossl::OcspBasicRespPtr basic_of(const Bytes& der) {
    const unsigned char* p = der.data();
    ossl::OcspResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    if (!resp || OCSP_response_status(resp.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) return nullptr;
    return ossl::OcspBasicRespPtr(OCSP_response_get1_basic(resp.get()));
}

// As a client that trusts the lab root and knows the issuing CA does, at the lab clock's time.
bool verifies(OCSP_BASICRESP* bs, LabFixture& fx, unsigned long flags = 0) {
    ossl::X509StorePtr store(X509_STORE_new());
    X509_STORE_add_cert(store.get(), const_cast<X509*>(root_cert(fx)));
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()),
                               static_cast<time_t>(fx.clock().now().time_since_epoch().count()));
    ossl::X509StackPtr other(sk_X509_new_null());
    sk_X509_push(other.get(), ossl::up_ref(const_cast<X509*>(issuing_cert(fx))).release());
    const int rc = OCSP_basic_verify(bs, other.get(), store.get(), flags);
    ERR_clear_error();
    return rc == 1;
}

struct Status {
    int status = -100;
    int reason = -100;
    Time revoked_at{};
    Time this_update{};
    Time next_update{};
};

Status find_status(OCSP_BASICRESP* bs, const X509* cert, const X509* issuer, const EVP_MD* md = EVP_sha1()) {
    ossl::OcspCertIdPtr id(OCSP_cert_to_id(md, cert, issuer));
    Status s;
    ASN1_GENERALIZEDTIME *rev = nullptr, *thisupd = nullptr, *nextupd = nullptr;
    if (OCSP_resp_find_status(bs, id.get(), &s.status, &s.reason, &rev, &thisupd, &nextupd) != 1) return s;
    if (rev != nullptr) s.revoked_at = from_asn1_time(rev);
    s.this_update = from_asn1_time(thisupd);
    if (nextupd != nullptr) s.next_update = from_asn1_time(nextupd);
    return s;
}

Status status_of(const OcspResponder& r, const X509* cert, const X509* issuer, const EVP_MD* md = EVP_sha1()) {
    ossl::OcspBasicRespPtr bs = basic_of(r.respond(request_der(cert, issuer, md)));
    if (!bs) return {};
    return find_status(bs.get(), cert, issuer, md);
}

// The certificate that signed the response (the first one it carries).
const X509* response_signer(OCSP_BASICRESP* bs) {
    const STACK_OF(X509)* certs = OCSP_resp_get0_certs(bs);
    return sk_X509_num(certs) > 0 ? sk_X509_value(certs, 0) : nullptr;
}

TEST(OcspResponder, AnswersGoodSignedByADelegatedResponderCertificate) {
    LabFixture fx(lab_yaml());
    Issued web = issue(fx, "www.lab.test");
    OcspResponder responder(fx.lab());

    const Bytes der = responder.respond(request_der(web.cert.get(), issuing_cert(fx)));
    ossl::OcspBasicRespPtr bs = basic_of(der);
    ASSERT_TRUE(bs);
    EXPECT_TRUE(verifies(bs.get(), fx));
    const Status s = find_status(bs.get(), web.cert.get(), issuing_cert(fx));
    EXPECT_EQ(s.status, V_OCSP_CERTSTATUS_GOOD);
    EXPECT_EQ(s.this_update, fx.clock().now());
    EXPECT_EQ(s.next_update, fx.clock().now() + std::chrono::hours{24});
    EXPECT_EQ(from_asn1_time(OCSP_resp_get0_produced_at(bs.get())), fx.clock().now());

    // Responder ID by key hash, the responder certificate included: EKU OCSPSigning, nocheck.
    const ASN1_OCTET_STRING* key_id = nullptr;
    const X509_NAME* name = nullptr;
    ASSERT_EQ(OCSP_resp_get0_id(bs.get(), &key_id, &name), 1);
    EXPECT_NE(key_id, nullptr);
    EXPECT_EQ(name, nullptr);
    const X509* signer = response_signer(bs.get());
    ASSERT_NE(signer, nullptr);
    EXPECT_NE(X509_get_extended_key_usage(const_cast<X509*>(signer)) & XKU_OCSP_SIGN, 0u);
    EXPECT_GE(X509_get_ext_by_NID(signer, NID_id_pkix_OCSP_noCheck, -1), 0);
    EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(signer), X509_get_subject_name(issuing_cert(fx))), 0);

    // Issued through the pipeline: in the store under the template, in the audit trail.
    const std::string serial = serial_to_hex(X509_get0_serialNumber(signer));
    auto stored = fx.lab().store().find_certificate("issuing", serial);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->template_name, "OCSPResponseSigning");
    bool audited = false;
    for (const auto& e : fx.lab().store().list_audit(1000))
        audited = audited || (e.action == "issue" && e.serial == serial && e.actor == "ocsp-responder");
    EXPECT_TRUE(audited);

    // Its key file: 0600, in the CA's ocsp folder, next to its certificate.
    const auto folder = fx.dir() / "state" / "cas" / "issuing" / "ocsp";
    struct stat st {};
    ASSERT_EQ(::stat((folder / "responder.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ossl::X509Ptr on_disk = parse_certificate(read_file(folder / "responder.pem", 65536), "test");
    EXPECT_EQ(X509_cmp(on_disk.get(), signer), 0);

    const auto signers = responder.signers();
    ASSERT_EQ(signers.size(), 2u);
    EXPECT_TRUE(signers[1].delegated);
    EXPECT_EQ(signers[1].serial, serial);
    EXPECT_EQ(signers[1].certificate_file, folder / "responder.pem");
    EXPECT_EQ(signers[1].problem, "");
}

TEST(OcspResponder, RootAnswersForTheSubCaWithACertificateItSignsDirectly) {
    LabFixture fx(lab_yaml());
    OcspResponder responder(fx.lab());
    // The issuing CA's own certificate belongs to the root's responder.
    const Bytes der = responder.respond(request_der(issuing_cert(fx), root_cert(fx)));
    ossl::OcspBasicRespPtr bs = basic_of(der);
    ASSERT_TRUE(bs);
    EXPECT_TRUE(verifies(bs.get(), fx));
    EXPECT_EQ(find_status(bs.get(), issuing_cert(fx), root_cert(fx)).status, V_OCSP_CERTSTATUS_GOOD);
    const X509* signer = response_signer(bs.get());
    ASSERT_NE(signer, nullptr);
    EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(signer), X509_get_subject_name(root_cert(fx))), 0);
    auto stored = fx.lab().store().find_certificate("root", serial_to_hex(X509_get0_serialNumber(signer)));
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->template_name, "OCSPResponseSigning");
}

TEST(OcspResponder, RevokedCarriesReasonAndTime) {
    LabFixture fx(lab_yaml());
    Issued web = issue(fx, "www.lab.test");
    fx.clock().advance(std::chrono::hours{2});
    const Time revoked_at = fx.clock().now();
    revoke(fx.ctx(), web.serial, RevocationReason::KeyCompromise, kOfficer);
    fx.clock().advance(std::chrono::minutes{5});
    OcspResponder responder(fx.lab());
    const Status s = status_of(responder, web.cert.get(), issuing_cert(fx));
    EXPECT_EQ(s.status, V_OCSP_CERTSTATUS_REVOKED);
    EXPECT_EQ(s.reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
    EXPECT_EQ(s.revoked_at, revoked_at);
}

TEST(OcspResponder, HoldIsRevokedCertificateHoldAndReleaseIsGoodAgainAfterRefresh) {
    LabFixture fx(lab_yaml());
    Issued web = issue(fx, "www.lab.test");
    OcspResponder responder(fx.lab());
    EXPECT_EQ(status_of(responder, web.cert.get(), issuing_cert(fx)).status, V_OCSP_CERTSTATUS_GOOD);

    hold(fx.ctx(), web.serial, kOfficer);
    responder.refresh();
    Status s = status_of(responder, web.cert.get(), issuing_cert(fx));
    EXPECT_EQ(s.status, V_OCSP_CERTSTATUS_REVOKED);
    EXPECT_EQ(s.reason, OCSP_REVOKED_STATUS_CERTIFICATEHOLD);

    fx.clock().advance(std::chrono::minutes{1});
    release(fx.ctx(), web.serial, kOfficer);
    responder.refresh();
    EXPECT_EQ(status_of(responder, web.cert.get(), issuing_cert(fx)).status, V_OCSP_CERTSTATUS_GOOD);
}

TEST(OcspResponder, UnknownForASerialTheCaNeverIssued) {
    LabFixture fx(lab_yaml());
    Issued web = issue(fx, "www.lab.test");
    OcspResponder responder(fx.lab());
    // A CertID with the issuing CA's hashes and a serial it never used.
    ossl::Asn1IntegerPtr serial(ASN1_INTEGER_new());
    ASN1_INTEGER_set(serial.get(), 12345);
    ossl::OcspCertIdPtr id(OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(issuing_cert(fx)),
                                            X509_get0_pubkey_bitstr(issuing_cert(fx)), serial.get()));
    ossl::OcspRequestPtr req(OCSP_REQUEST_new());
    ASSERT_NE(OCSP_request_add0_id(req.get(), OCSP_CERTID_dup(id.get())), nullptr);
    ossl::OcspBasicRespPtr bs = basic_of(responder.respond(encode_request(req.get())));
    ASSERT_TRUE(bs);
    EXPECT_TRUE(verifies(bs.get(), fx));
    int status = -1, reason = -1;
    ASSERT_EQ(OCSP_resp_find_status(bs.get(), id.get(), &status, &reason, nullptr, nullptr, nullptr), 1);
    EXPECT_EQ(status, V_OCSP_CERTSTATUS_UNKNOWN);
}

TEST(OcspResponder, Sha256CertIdsAreAnsweredWithTheSameCertId) {
    LabFixture fx(lab_yaml());
    Issued web = issue(fx, "www.lab.test");
    revoke(fx.ctx(), web.serial, RevocationReason::Superseded, kOfficer);
    OcspResponder responder(fx.lab());
    for (const EVP_MD* md : {EVP_sha256(), EVP_sha384(), EVP_sha512(), EVP_sha1()}) {
        const Status s = status_of(responder, web.cert.get(), issuing_cert(fx), md);
        EXPECT_EQ(s.status, V_OCSP_CERTSTATUS_REVOKED) << EVP_MD_get0_name(md);
        EXPECT_EQ(s.reason, OCSP_REVOKED_STATUS_SUPERSEDED) << EVP_MD_get0_name(md);
    }
}

TEST(OcspResponder, PreSignedResponseIsReusedByteForByte) {
    LabFixture fx(lab_yaml());
    Issued web = issue(fx, "www.lab.test");
    OcspResponder responder(fx.lab());
    const Bytes req = request_der(web.cert.get(), issuing_cert(fx));
    const Bytes first = responder.respond(req);
    fx.clock().advance(std::chrono::minutes{10});
    const Bytes second = responder.respond(req);
    // ECDSA signatures are randomized: equal bytes mean no second signature.
    EXPECT_EQ(first, second);
    const auto c = responder.counters();
    EXPECT_EQ(c.cache_hits, 1u);
    EXPECT_EQ(c.cache.serials, 1u);
    // A SHA-256 CertID for the same certificate is another answer, with its own CertID.
    const Bytes sha256 = responder.respond(request_der(web.cert.get(), issuing_cert(fx), EVP_sha256()));
    EXPECT_NE(sha256, first);
    EXPECT_EQ(responder.respond(request_der(web.cert.get(), issuing_cert(fx), EVP_sha256())), sha256);
}

TEST(OcspResponder, NonceIsEchoedInAFreshlySignedResponse) {
    LabFixture fx(lab_yaml());
    Issued web = issue(fx, "www.lab.test");
    OcspResponder responder(fx.lab());
    ossl::OcspRequestPtr req = make_request({{web.cert.get(), issuing_cert(fx)}}, EVP_sha1(), true);
    const Bytes der = encode_request(req.get());
    const Bytes a = responder.respond(der);
    ossl::OcspBasicRespPtr bs = basic_of(a);
    ASSERT_TRUE(bs);
    EXPECT_EQ(OCSP_check_nonce(req.get(), bs.get()), 1);
    EXPECT_TRUE(verifies(bs.get(), fx));
    EXPECT_NE(responder.respond(der), a);  // signed again each time
    EXPECT_EQ(responder.counters().cache_hits, 0u);

    // Without a nonce the response carries none.
    ossl::OcspRequestPtr plain = make_request({{web.cert.get(), issuing_cert(fx)}});
    ossl::OcspBasicRespPtr plain_bs = basic_of(responder.respond(encode_request(plain.get())));
    ASSERT_TRUE(plain_bs);
    EXPECT_EQ(OCSP_check_nonce(plain.get(), plain_bs.get()), 2);  // neither has one
}

TEST(OcspResponder, StatusChangeByAnotherProcessIsPickedUpByRefresh) {
    LabFixture fx(lab_yaml());
    Issued web = issue(fx, "www.lab.test");
    OcspResponder responder(fx.lab());
    EXPECT_EQ(status_of(responder, web.cert.get(), issuing_cert(fx)).status, V_OCSP_CERTSTATUS_GOOD);
    {
        std::unique_ptr<Lab> other = Lab::open(fx.dir() / "state", fx.clock());
        revoke(other->context(), web.serial, RevocationReason::CessationOfOperation, kOfficer);
    }
    EXPECT_EQ(status_of(responder, web.cert.get(), issuing_cert(fx)).status, V_OCSP_CERTSTATUS_GOOD)
        << "the pre-signed answer stands until refresh";
    const std::uint64_t signed_before = responder.counters().signed_responses;
    responder.refresh();
    EXPECT_EQ(responder.counters().signed_responses, signed_before + 1) << "signed again in refresh";
    const Status s = status_of(responder, web.cert.get(), issuing_cert(fx));
    EXPECT_EQ(s.status, V_OCSP_CERTSTATUS_REVOKED);
    EXPECT_EQ(s.reason, OCSP_REVOKED_STATUS_CESSATIONOFOPERATION);
    EXPECT_EQ(responder.counters().signed_responses, signed_before + 1) << "the answer came from the cache";

    // A second change, now that the status sequence is past zero, goes the delta way.
    Issued other_web = issue(fx, "other.lab.test");
    EXPECT_EQ(status_of(responder, other_web.cert.get(), issuing_cert(fx)).status, V_OCSP_CERTSTATUS_GOOD);
    hold(fx.ctx(), other_web.serial, kOfficer);
    responder.refresh();
    EXPECT_EQ(status_of(responder, other_web.cert.get(), issuing_cert(fx)).reason, OCSP_REVOKED_STATUS_CERTIFICATEHOLD);
    EXPECT_EQ(status_of(responder, web.cert.get(), issuing_cert(fx)).status, V_OCSP_CERTSTATUS_REVOKED);
}

TEST(OcspResponder, RefreshSignsAgainPastHalfLifeAndTheClockPastNextUpdate) {
    LabFixture fx(lab_yaml());
    Issued web = issue(fx, "www.lab.test");
    OcspResponder responder(fx.lab());
    const Bytes req = request_der(web.cert.get(), issuing_cert(fx));
    const Bytes first = responder.respond(req);
    responder.refresh();
    EXPECT_EQ(responder.respond(req), first) << "a fresh answer is not signed again";

    fx.clock().advance(std::chrono::hours{13});  // past half of 24 hours
    responder.refresh();
    const Bytes second = responder.respond(req);
    EXPECT_NE(second, first);
    ossl::OcspBasicRespPtr bs = basic_of(second);
    ASSERT_TRUE(bs);
    EXPECT_EQ(find_status(bs.get(), web.cert.get(), issuing_cert(fx)).this_update, fx.clock().now());

    fx.clock().advance(std::chrono::hours{48});  // past nextUpdate
    responder.refresh();
    bs = basic_of(responder.respond(req));
    ASSERT_TRUE(bs);
    const Status s = find_status(bs.get(), web.cert.get(), issuing_cert(fx));
    EXPECT_EQ(s.this_update, fx.clock().now());
    EXPECT_GT(s.next_update, fx.clock().now());
    EXPECT_TRUE(verifies(bs.get(), fx));

    // Even without a refresh, an expired answer is never served.
    fx.clock().advance(std::chrono::hours{30});
    const Status late = status_of(responder, web.cert.get(), issuing_cert(fx));
    EXPECT_EQ(late.this_update, fx.clock().now());
}

TEST(OcspResponder, ResponderCertificateIsRenewedBeforeItExpiresAndReusedOnRestart) {
    LabFixture fx(lab_yaml());
    Issued web = issue(fx, "www.lab.test");
    std::string first_serial;
    {
        OcspResponder responder(fx.lab());
        first_serial = responder.signers()[1].serial;
    }
    OcspResponder responder(fx.lab());
    EXPECT_EQ(responder.signers()[1].serial, first_serial) << "the certificate on disk is reused";

    fx.clock().advance(std::chrono::days{10});  // past two thirds of 14 days
    responder.refresh();
    const auto renewed = responder.signers()[1];
    EXPECT_NE(renewed.serial, first_serial);
    EXPECT_EQ(renewed.problem, "");
    ossl::OcspBasicRespPtr bs = basic_of(responder.respond(request_der(web.cert.get(), issuing_cert(fx))));
    ASSERT_TRUE(bs);
    EXPECT_TRUE(verifies(bs.get(), fx));
    EXPECT_EQ(serial_to_hex(X509_get0_serialNumber(response_signer(bs.get()))), renewed.serial);
    // Answers never outlive the certificate that signs them.
    EXPECT_LE(find_status(bs.get(), web.cert.get(), issuing_cert(fx)).next_update, renewed.not_after);
}

TEST(OcspResponder, CaKeySignsWhenNotDelegated) {
    LabFixture fx(lab_yaml("\n    ocsp_responder: {signer: ca, response_validity: 1h}"));
    Issued web = issue(fx, "www.lab.test");
    OcspResponder responder(fx.lab());
    ossl::OcspBasicRespPtr bs = basic_of(responder.respond(request_der(web.cert.get(), issuing_cert(fx))));
    ASSERT_TRUE(bs);
    EXPECT_TRUE(verifies(bs.get(), fx));
    const X509* signer = response_signer(bs.get());
    ASSERT_NE(signer, nullptr);
    EXPECT_EQ(X509_cmp(signer, issuing_cert(fx)), 0);
    const Status s = find_status(bs.get(), web.cert.get(), issuing_cert(fx));
    EXPECT_EQ(s.next_update - s.this_update, std::chrono::hours{1});
    EXPECT_FALSE(responder.signers()[1].delegated);
    EXPECT_FALSE(std::filesystem::exists(fx.dir() / "state" / "cas" / "issuing" / "ocsp" / "responder.key"));
}

struct MalformedCase {
    const char* name;
    Bytes der;
};

TEST(OcspResponder, MalformedInputGetsMalformedRequest) {
    LabFixture fx(lab_yaml());
    Issued web = issue(fx, "www.lab.test");
    OcspResponder responder(fx.lab());
    const Bytes good = request_der(web.cert.get(), issuing_cert(fx));
    Bytes trailing = good;
    trailing.push_back(0);
    const std::vector<MalformedCase> cases{
        {"empty", {}},
        {"garbage", Bytes(as_bytes("GET /ocsp HTTP/1.1").begin(), as_bytes("GET /ocsp HTTP/1.1").end())},
        {"SEQUENCE{INTEGER 5}", {0x30, 0x03, 0x02, 0x01, 0x05}},
        {"truncated", Bytes(good.begin(), good.begin() + static_cast<long>(good.size() / 2))},
        {"one byte short", Bytes(good.begin(), good.end() - 1)},
        {"trailing byte", trailing},
        {"no CertID", {0x30, 0x04, 0x30, 0x02, 0x30, 0x00}},
        {"huge length", {0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30}},
        {"oversize", Bytes(crl::kMaxOcspRequestBytes + 1, 0x30)},
    };
    for (const auto& c : cases) EXPECT_EQ(response_status(responder.respond(c.der)), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST) << c.name;
    EXPECT_EQ(responder.counters().malformed, cases.size());
}

TEST(OcspResponder, IssuerOfAnotherPkiIsUnauthorized) {
    LabFixture fx(lab_yaml());
    LabFixture stranger(lab_yaml());  // same names, other keys
    Issued theirs = issue(stranger, "www.lab.test");
    OcspResponder responder(fx.lab());
    EXPECT_EQ(response_status(responder.respond(request_der(theirs.cert.get(), issuing_cert(stranger)))),
              OCSP_RESPONSE_STATUS_UNAUTHORIZED);
    EXPECT_EQ(responder.counters().unauthorized, 1u);
}

TEST(OcspResponder, SeveralCertIdsAreAllAnsweredInOneSignedResponse) {
    LabFixture fx(lab_yaml());
    Issued a = issue(fx, "a.lab.test");
    Issued b = issue(fx, "b.lab.test");
    revoke(fx.ctx(), b.serial, RevocationReason::AffiliationChanged, kOfficer);
    OcspResponder responder(fx.lab());
    ossl::OcspRequestPtr req = make_request({{a.cert.get(), issuing_cert(fx)}, {b.cert.get(), issuing_cert(fx)}});
    ossl::OcspBasicRespPtr bs = basic_of(responder.respond(encode_request(req.get())));
    ASSERT_TRUE(bs);
    EXPECT_TRUE(verifies(bs.get(), fx));
    EXPECT_EQ(OCSP_resp_count(bs.get()), 2);
    EXPECT_EQ(find_status(bs.get(), a.cert.get(), issuing_cert(fx)).status, V_OCSP_CERTSTATUS_GOOD);
    EXPECT_EQ(find_status(bs.get(), b.cert.get(), issuing_cert(fx)).reason, OCSP_REVOKED_STATUS_AFFILIATIONCHANGED);
}

TEST(OcspResponder, CertIdsOfIssuersItDoesNotServeAreUnknownBesideTheOthers) {
    LabFixture fx(lab_yaml());
    LabFixture stranger(lab_yaml());
    Issued a = issue(fx, "a.lab.test");
    Issued theirs = issue(stranger, "c.lab.test");
    OcspResponder responder(fx.lab());
    ossl::OcspRequestPtr req =
        make_request({{theirs.cert.get(), issuing_cert(stranger)}, {a.cert.get(), issuing_cert(fx)}});
    ossl::OcspBasicRespPtr bs = basic_of(responder.respond(encode_request(req.get())));
    ASSERT_TRUE(bs);
    EXPECT_EQ(OCSP_resp_count(bs.get()), 2);
    EXPECT_EQ(find_status(bs.get(), a.cert.get(), issuing_cert(fx)).status, V_OCSP_CERTSTATUS_GOOD);
    EXPECT_EQ(find_status(bs.get(), theirs.cert.get(), issuing_cert(stranger)).status, V_OCSP_CERTSTATUS_UNKNOWN);
    // OpenSSL accepts a delegated responder only when every CertID has its issuer, so such a
    // mixed response checks out as signed and chained (NOCHECKS), not as authorized.
    EXPECT_TRUE(verifies(bs.get(), fx, OCSP_NOCHECKS));
}

TEST(OcspResponder, UnknownSerialsFillOnlyTheirQuota) {
    LabFixture fx(lab_yaml());
    Issued web = issue(fx, "www.lab.test");
    crl::ResponseCacheLimits limits;
    limits.max_unknown = 8;
    OcspResponder responder(fx.lab(), limits);
    for (int i = 1; i <= 50; ++i) {
        ossl::Asn1IntegerPtr serial(ASN1_INTEGER_new());
        ASN1_INTEGER_set(serial.get(), 1000 + i);
        ossl::OcspRequestPtr req(OCSP_REQUEST_new());
        OCSP_request_add0_id(req.get(), OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(issuing_cert(fx)),
                                                         X509_get0_pubkey_bitstr(issuing_cert(fx)), serial.get()));
        ASSERT_EQ(response_status(responder.respond(encode_request(req.get()))), OCSP_RESPONSE_STATUS_SUCCESSFUL);
    }
    EXPECT_EQ(responder.counters().cache.unknown, 8u);
    // Issued certificates still get their place.
    responder.respond(request_der(web.cert.get(), issuing_cert(fx)));
    EXPECT_EQ(responder.counters().cache.serials, 9u);
    // And unknown answers are short-lived.
    fx.clock().advance(std::chrono::minutes{2});
    responder.refresh();
    EXPECT_EQ(responder.counters().cache.unknown, 0u);
}

TEST(OcspResponder, MutatedRequestsNeverCrash) {
    LabFixture fx(lab_yaml());
    Issued web = issue(fx, "www.lab.test");
    OcspResponder responder(fx.lab());
    const Bytes good = encode_request(make_request({{web.cert.get(), issuing_cert(fx)}}, EVP_sha256(), true).get());
    std::mt19937 rng(20261123);
    for (int i = 0; i < 3000; ++i) {
        Bytes b = good;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = rng() % b.size();
            switch (rng() % 3) {
                case 0: b[at] = static_cast<std::uint8_t>(rng()); break;
                case 1: b.erase(b.begin() + static_cast<long>(at)); break;
                default: b.insert(b.begin() + static_cast<long>(at), static_cast<std::uint8_t>(rng())); break;
            }
            if (b.empty()) b.push_back(0x30);
        }
        const int status = response_status(responder.respond(b));
        EXPECT_TRUE(status == OCSP_RESPONSE_STATUS_SUCCESSFUL || status == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST ||
                    status == OCSP_RESPONSE_STATUS_UNAUTHORIZED)
            << status;
    }
    EXPECT_EQ(responder.counters().internal_errors, 0u);
}

TEST(OcspResponder, ManyThreadsRespondWhileRefreshRuns) {
    LabFixture fx(lab_yaml());
    std::vector<Issued> certs;
    for (int i = 0; i < 4; ++i) certs.push_back(issue(fx, "host" + std::to_string(i) + ".lab.test"));
    OcspResponder responder(fx.lab());
    std::vector<Bytes> requests;
    for (const auto& c : certs) requests.push_back(request_der(c.cert.get(), issuing_cert(fx)));
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < 4; ++t)
        workers.emplace_back([&, t] {
            for (int i = 0; !stop.load() || i < 200; ++i) {
                ossl::OcspBasicRespPtr bs = basic_of(responder.respond(requests[static_cast<std::size_t>(i + t) % 4]));
                if (!bs) failures.fetch_add(1);
                if (i > 100000) break;
            }
        });
    revoke(fx.ctx(), certs[0].serial, RevocationReason::KeyCompromise, kOfficer);
    for (int i = 0; i < 20; ++i) responder.refresh();
    stop = true;
    for (auto& w : workers) w.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(status_of(responder, certs[0].cert.get(), issuing_cert(fx)).status, V_OCSP_CERTSTATUS_REVOKED);
    EXPECT_EQ(status_of(responder, certs[1].cert.get(), issuing_cert(fx)).status, V_OCSP_CERTSTATUS_GOOD);
}

std::string run(const std::string& command, int* exit_status) {
    std::string out;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (p == nullptr) return out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    const int rc = ::pclose(p);
    *exit_status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

TEST(OcspResponder, OpensslCliVerifiesTheResponse) {
    LabFixture fx(lab_yaml());
    // The CLI checks thisUpdate and nextUpdate against the machine's time.
    fx.clock().set(std::chrono::time_point_cast<Duration>(SystemClock().now()));
    Issued web = issue(fx, "www.lab.test");
    revoke(fx.ctx(), web.serial, RevocationReason::KeyCompromise, kOfficer);
    OcspResponder responder(fx.lab());
    const auto dir = fx.dir();
    const Bytes resp = responder.respond(request_der(web.cert.get(), issuing_cert(fx)));
    std::ofstream(dir / "resp.der", std::ios::binary).write(reinterpret_cast<const char*>(resp.data()),
                                                              static_cast<std::streamsize>(resp.size()));
    std::ofstream(dir / "root.pem") << certificate_pem(root_cert(fx));
    std::ofstream(dir / "issuing.pem") << certificate_pem(issuing_cert(fx));
    std::ofstream(dir / "cert.pem") << certificate_pem(web.cert.get());
    int rc = -1;
    const std::string out = run("openssl ocsp -respin " + (dir / "resp.der").string() + " -issuer " +
                                    (dir / "issuing.pem").string() + " -CAfile " + (dir / "root.pem").string() +
                                    " -verify_other " + (dir / "issuing.pem").string() + " -cert " +
                                    (dir / "cert.pem").string(),
                                &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Response verify OK"), std::string::npos) << out;
    EXPECT_NE(out.find("revoked"), std::string::npos) << out;
    EXPECT_NE(out.find("Reason: keyCompromise"), std::string::npos) << out;
}

}  // namespace
}  // namespace pkilab::test
