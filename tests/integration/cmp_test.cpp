// CMP (RFC 4210 / RFC 9483) with the real client, `openssl cmp`, against `pkilab serve`: genm,
// ir and p10cr protected by the generated shared secret, cr, p10cr and kur signed with the
// certificate obtained, rr, a wrong secret, a policy refusal whose reason shows in the client's
// output, a request that waits for an officer and is polled for, and the acceptance kit's cmp.sh.
// Every certificate the client gets is checked against the key it asked for, the chain and the
// CRL served at its CDP.
#include <filesystem>
#include <thread>

#include "cmp_fixture.hpp"

namespace pkilab::test {
namespace {

const std::string kAcceptanceScript = std::string(PKILAB_SOURCE_DIR) + "/../shared/acceptance/cmp.sh";

using Cmp = CmpLab;

TEST_F(Cmp, GeneratedSecretIsAnnouncedAndPrivate) {
    serve();
    ASSERT_TRUE(std::filesystem::exists(secret_file()));
    const auto perms = std::filesystem::status(secret_file()).permissions();
    EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all), std::filesystem::perms::none);
    EXPECT_TRUE(has(server->out(), "CMP: reference pkilab-cmp, secret in " + secret_file())) << server->out();
    EXPECT_TRUE(has(server->out(), "/.well-known/cmp (WebServer from lab-issuing-ca)")) << server->out();
}

TEST_F(Cmp, GenmAnswersSignKeyPairTypesAndTheCaChain) {
    serve();
    const RunResult r = cmp("-cmd genm " + mac() + " -infotype signKeyPairTypes -extracertsout " + quote(path("extra.pem")));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(has(r.out, "received GENP")) << r.out;
    EXPECT_TRUE(has(r.out, "signKeyPairTypes")) << r.out;
    const RunResult subjects = run("openssl crl2pkcs7 -nocrl -certfile " + quote(path("extra.pem")) + " | openssl pkcs7 -print_certs -noout");
    EXPECT_TRUE(has(subjects.out, "pkilab Lab Issuing CA")) << subjects.out;
    EXPECT_TRUE(has(subjects.out, "pkilab Lab Root CA")) << subjects.out;
}

TEST_F(Cmp, P10crWithTheSharedSecretThenSignedWithTheCertificateThenRevoked) {
    serve();
    // 1. MAC-protected p10cr, confirmed with certConf.
    const std::string csr = csr_for("mac", "mac.lab.test");
    RunResult r = cmp("-cmd p10cr " + mac() + " -csr " + quote(csr) + " -certout " + quote(path("mac.pem")) +
                      " -chainout " + quote(path("mac-chain.pem")));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(has(r.out, "sending CERTCONF") || has(r.out, "received PKICONF")) << r.out;
    expect_good_certificate("mac");
    const RunResult subject = run("openssl x509 -in " + quote(path("mac.pem")) + " -noout -subject -ext subjectAltName");
    EXPECT_TRUE(has(subject.out, "CN = mac.lab.test")) << subject.out;
    EXPECT_TRUE(has(subject.out, "DNS:mac.lab.test")) << subject.out;

    // 2. The same client, now signing with the certificate it got, with implicitConfirm.
    const std::string csr2 = csr_for("sig", "sig.lab.test");
    r = cmp("-cmd p10cr " + signed_by("mac") + " -implicit_confirm -csr " + quote(csr2) + " -certout " + quote(path("sig.pem")));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_FALSE(has(r.out, "sending CERTCONF")) << r.out;
    expect_good_certificate("sig");

    // 3. Revoked by its own key; the CRL at its CDP then lists it (openssl verify: error 23).
    r = cmp("-cmd rr " + signed_by("sig") + " -oldcert " + quote(path("sig.pem")) + " -revreason 1");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(has(r.out, "revocation accepted")) << r.out;
    const RunResult v = verify_with_crl(path("sig.pem"));
    EXPECT_NE(v.exit_code, 0) << v.out;
    EXPECT_TRUE(has(v.out, "error 23")) << v.out;
    // The revoked certificate no longer signs requests.
    r = cmp("-cmd p10cr " + signed_by("sig") + " -csr " + quote(csr2) + " -certout " + quote(path("after.pem")));
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_TRUE(has(r.out, "is revoked")) << r.out;
    // The first one is still good, and another's certificate cannot be revoked with it.
    expect_good_certificate("mac");
    const std::string csr3 = csr_for("other", "other.lab.test");
    ASSERT_EQ(cmp("-cmd p10cr " + mac() + " -csr " + quote(csr3) + " -certout " + quote(path("other.pem"))).exit_code, 0);
    r = cmp("-cmd rr " + signed_by("mac") + " -oldcert " + quote(path("other.pem")));
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_TRUE(has(r.out, "may revoke")) << r.out;
}

TEST_F(Cmp, AWrongSecretIsACmpRejection) {
    serve();
    const std::string csr = csr_for("wrong", "wrong.lab.test");
    const RunResult r = cmp("-cmd p10cr -ref pkilab-cmp -secret pass:not-the-secret -unprotected_errors -csr " + quote(csr) +
                            " -certout " + quote(path("wrong.pem")));
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_TRUE(has(r.out, "rejection") || has(r.out, "received ERROR")) << r.out;
    EXPECT_FALSE(std::filesystem::exists(path("wrong.pem")));
}

TEST_F(Cmp, APolicyRefusalShowsItsReasonInTheClient) {
    serve("protocols:\n  cmp:\n    profiles:\n      - {label: labweb, template: LabWeb}\n");
    const std::string csr = csr_for("evil", "evil.example.com");
    const RunResult r = cmp("-cmd p10cr " + mac() + " -csr " + quote(csr) + " -certout " + quote(path("evil.pem")),
                            "/.well-known/cmp/p/labweb");
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_TRUE(has(r.out, "rejection")) << r.out;
    EXPECT_TRUE(has(r.out, "Denied by policy")) << r.out;
    EXPECT_TRUE(has(r.out, "evil.example.com")) << r.out;
    EXPECT_TRUE(has(r.out, "badCertTemplate")) << r.out;
    // The same profile issues a name it allows.
    const std::string good = csr_for("good", "good.lab.test");
    const RunResult ok = cmp("-cmd p10cr " + mac() + " -csr " + quote(good) + " -certout " + quote(path("good.pem")),
                             "/.well-known/cmp/p/labweb");
    ASSERT_EQ(ok.exit_code, 0) << ok.out;
    expect_good_certificate("good");
    EXPECT_NE(cmp("-cmd genm " + mac(), "/.well-known/cmp/p/nosuch").exit_code, 0);
}

TEST_F(Cmp, IrWithTheSharedSecretThenCrAndKurSignedWithItsCertificate) {
    serve();
    auto new_key = [this](const std::string& stem) {
        ASSERT_EQ(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + quote(path(stem + ".key"))).exit_code, 0);
    };
    // ir, MAC-protected, with certConf; caPubs carries the root.
    new_key("ir");
    RunResult r = cmp("-cmd ir " + mac() + " -newkey " + quote(path("ir.key")) + " -subject /CN=ir.lab.test -sans ir.lab.test" +
                      " -certout " + quote(path("ir.pem")) + " -cacertsout " + quote(path("capubs.pem")));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(has(r.out, "sending CERTCONF")) << r.out;
    expect_good_certificate("ir");
    EXPECT_TRUE(has(run("openssl x509 -in " + quote(path("ir.pem")) + " -noout -ext subjectAltName").out, "DNS:ir.lab.test"));
    EXPECT_EQ(run("openssl x509 -in " + quote(path("capubs.pem")) + " -noout -fingerprint -sha256").out,
              run("openssl x509 -in " + quote(root_pem()) + " -noout -fingerprint -sha256").out);

    // cr, signed with the ir certificate.
    new_key("cr");
    r = cmp("-cmd cr " + signed_by("ir") + " -newkey " + quote(path("cr.key")) + " -subject /CN=cr.lab.test -certout " +
            quote(path("cr.pem")));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    expect_good_certificate("cr");

    // kur: a new key for the ir certificate, signed with it; the subject stays.
    new_key("kur");
    r = cmp("-cmd kur " + signed_by("ir") + " -oldcert " + quote(path("ir.pem")) + " -newkey " + quote(path("kur.key")) +
            " -certout " + quote(path("kur.pem")));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    expect_good_certificate("kur");
    EXPECT_TRUE(has(run("openssl x509 -in " + quote(path("kur.pem")) + " -noout -subject").out, "CN = ir.lab.test"));
    // Another subject is not a key update.
    new_key("kur2");
    r = cmp("-cmd kur " + signed_by("ir") + " -oldcert " + quote(path("ir.pem")) + " -newkey " + quote(path("kur2.key")) +
            " -subject /CN=someone-else.lab.test -certout " + quote(path("kur2.pem")));
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_TRUE(has(r.out, "the certificate it updates has")) << r.out;
}

TEST_F(Cmp, ARequestWaitingForApprovalIsPolledUntilIssued) {
    serve("protocols:\n  cmp:\n    profiles:\n      - {label: approved, template: ApprovedWeb}\n");
    const std::string csr = csr_for("wait", "wait.lab.test");
    std::thread officer([this] {
        // Approve the request once it is there (request ids count from 1 per CA; the CMP server
        // certificate took one).
        eventually([this] {
            const RunResult list = pkilab("request list --ca lab-issuing-ca --state pending");
            return has(list.out, "wait.lab.test");
        }, std::chrono::seconds(20));
        const RunResult list = pkilab("--json request list --ca lab-issuing-ca --state pending");
        const size_t at = list.out.find("\"request_id\":");
        if (at == std::string::npos) return;
        const std::string id = std::to_string(std::atol(list.out.c_str() + at + 13));
        pkilab("request approve " + id + " --ca lab-issuing-ca");
    });
    const RunResult r = cmp("-cmd p10cr " + mac() + " -csr " + quote(csr) + " -certout " + quote(path("wait.pem")),
                            "/.well-known/cmp/p/approved");
    officer.join();
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(has(r.out, "POLLREP") || has(r.out, "waiting")) << r.out;
    expect_good_certificate("wait");
}

TEST_F(Cmp, ABodyThatIsNoPkiMessageIsA400) {
    serve();
    const std::string body = path("junk.bin");
    spit(body, "hello");
    const RunResult r = run("curl -sS -o " + quote(path("junk.out")) + " -w '%{http_code} %{content_type}' -H 'Content-Type: application/pkixcmp' --data-binary @" +
                            quote(body) + " " + quote(http_base + "/.well-known/cmp"));
    EXPECT_TRUE(has(r.out, "400 text/plain")) << r.out;
    EXPECT_TRUE(has(slurp(path("junk.out")), "PKIMessage")) << slurp(path("junk.out"));
}

TEST_F(Cmp, TheAcceptanceKitsCmpScriptPasses) {
    if (!std::filesystem::exists(kAcceptanceScript)) GTEST_SKIP() << "no " << kAcceptanceScript;
    serve();
    std::string secret = slurp(secret_file());
    while (!secret.empty() && secret.back() == '\n') secret.pop_back();
    const RunResult r = run("env CMP_SERVER=" + quote(http_base) + " CA_CERT=" + quote(root_pem()) + " CMP_ISSUER=" +
                            quote((dir / "issuing.pem").string()) + " CMP_REF=pkilab-cmp CMP_SECRET=" + quote(secret) +
                            " CMP_SUBJECT=/CN=cmp-acceptance.lab.test OUT_DIR=" +
                            quote(path("acceptance")) + " bash " + quote(kAcceptanceScript));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(has(r.out, " 0 failed")) << r.out;
}

}  // namespace
}  // namespace pkilab::test
