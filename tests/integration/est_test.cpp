// EST (RFC 7030 / RFC 8951) against the real server with curl and openssl: cacerts without
// credentials, simpleenroll with Basic and with a TLS client certificate, simplereenroll with
// the certificate being renewed, 202 + Retry-After until an officer approves, serverkeygen,
// the refusals in text, and the acceptance kit's est.sh when ../shared is there.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "est_fixture.hpp"

namespace pkilab::test {
namespace {

const std::string kAcceptanceScript = std::string(PKILAB_SOURCE_DIR) + "/../shared/acceptance/est.sh";

class Est : public EstLab {};

TEST_F(Est, CacertsNeedNoCredentialsAndHoldTheChainUpToTheRoot) {
    serve_est();
    for (const std::string& base : {https_base, http_base}) {
        const EstAnswer a = ask("", path("cacerts"), base);
        ASSERT_EQ(a.status, 200) << base << "\n" << a.head << a.body;
        EXPECT_EQ(header(a, "Content-Type"), "application/pkcs7-mime; smime-type=certs-only");
        EXPECT_EQ(header(a, "Content-Transfer-Encoding"), "base64");
        const std::string pem = certs_of(a, "cacerts");
        const std::string all = slurp(pem);
        EXPECT_NE(all.find(slurp(root_pem()).substr(0, 200).substr(28)), std::string::npos) << "no root in\n" << all;
        const RunResult fps = run("openssl crl2pkcs7 -nocrl -certfile " + quote(pem) +
                                  " | openssl pkcs7 -print_certs -noout | grep -c subject=");
        EXPECT_EQ(fps.out.substr(0, 1), "2") << fps.out;
    }
    // A label's CA chain too, and an unknown label is a 404 in text.
    EXPECT_EQ(ask("", path("cacerts", "lyncserver")).status, 200);
    const EstAnswer unknown = ask("", path("cacerts", "nosuch"));
    EXPECT_EQ(unknown.status, 404);
    EXPECT_NE(unknown.body.find("nosuch"), std::string::npos) << unknown.body;
    EXPECT_EQ(header(unknown, "Content-Type").rfind("text/plain", 0), 0u);
}

TEST_F(Est, CsrattrsIsBase64DerOfTheTemplatesWishes) {
    serve_est();
    const EstAnswer a = ask("", path("csrattrs"));
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(header(a, "Content-Type"), "application/csrattrs");
    spit(file("attrs.b64"), a.body);
    const RunResult parsed =
        run("base64 -d " + quote(file("attrs.b64")) + " > " + quote(file("attrs.der")) + " && openssl asn1parse -inform DER -in " +
            quote(file("attrs.der")));
    ASSERT_EQ(parsed.exit_code, 0) << parsed.out;
    EXPECT_NE(parsed.out.find("id-ecPublicKey"), std::string::npos) << parsed.out;
    EXPECT_NE(parsed.out.find("prime256v1"), std::string::npos) << parsed.out;
    EXPECT_NE(parsed.out.find("Extension Request"), std::string::npos) << parsed.out;
    EXPECT_NE(parsed.out.find("Subject Alternative Name"), std::string::npos) << parsed.out;
}

TEST_F(Est, EnrollWithBasicThenReenrollWithTheCertificateThenEnrollWithIt) {
    serve_est();
    // simpleenroll, HTTP Basic.
    const EstAnswer issued = post("simpleenroll", der_csr("dev", "dev.lab.test"), basic("enrollee"));
    ASSERT_EQ(issued.status, 200) << issued.head << issued.body;
    EXPECT_EQ(header(issued, "Content-Type"), "application/pkcs7-mime; smime-type=certs-only");
    const std::string cert = certs_of(issued, "dev");
    EXPECT_EQ(public_key_of_cert(cert), public_key_of_key(file("dev.key")));
    const RunResult verified = verify_with_served_crl(cert);
    EXPECT_EQ(verified.exit_code, 0) << verified.out;
    EXPECT_NE(subject_of(cert).find("dev.lab.test"), std::string::npos);
    const std::string requests = pkilab("--json request list --ca lab-issuing-ca").out;
    EXPECT_NE(requests.find("\"channel\": \"est\""), std::string::npos) << requests;

    // simplereenroll: the issued certificate (with the issuing CA) as the TLS client certificate, a new key.
    spit(file("dev.chain.pem"), slurp(cert) + slurp(file("issuing.pem")));
    const std::string tls = "--cert " + quote(file("dev.chain.pem")) + " --key " + quote(file("dev.key"));
    const EstAnswer renewed = post("simplereenroll", der_csr("dev2", "dev.lab.test"), tls);
    ASSERT_EQ(renewed.status, 200) << renewed.head << renewed.body;
    const std::string cert2 = certs_of(renewed, "dev2");
    EXPECT_EQ(public_key_of_cert(cert2), public_key_of_key(file("dev2.key")));
    EXPECT_NE(public_key_of_cert(cert2), public_key_of_cert(cert));
    EXPECT_EQ(subject_of(cert2), subject_of(cert));
    const RunResult verified2 = verify_with_served_crl(cert2);
    EXPECT_EQ(verified2.exit_code, 0) << verified2.out;

    // The subject and names must be the current certificate's (RFC 7030 4.2.2).
    const EstAnswer other = post("simplereenroll", der_csr("dev3", "other.lab.test"), tls);
    EXPECT_EQ(other.status, 400) << other.body;
    EXPECT_NE(other.body.find("is not the current certificate's"), std::string::npos) << other.body;

    // simpleenroll authenticated by a lab certificate alone.
    const EstAnswer by_cert = post("simpleenroll", der_csr("dev4", "dev4.lab.test"), tls);
    ASSERT_EQ(by_cert.status, 200) << by_cert.body;
    const std::string cert4 = certs_of(by_cert, "dev4");
    EXPECT_EQ(public_key_of_cert(cert4), public_key_of_key(file("dev4.key")));
    const RunResult verified4 = verify_with_served_crl(cert4);
    EXPECT_EQ(verified4.exit_code, 0) << verified4.out;

    // simplereenroll with a password only: alice holds a valid certificate with these names.
    const EstAnswer by_password = post("simplereenroll", der_csr("dev6", "dev.lab.test"), basic("enrollee"));
    ASSERT_EQ(by_password.status, 200) << by_password.body;
    EXPECT_EQ(public_key_of_cert(certs_of(by_password, "dev6")), public_key_of_key(file("dev6.key")));
    // An officer may renew anyone's certificate with a password.
    EXPECT_EQ(post("simplereenroll", der_csr("dev7", "dev.lab.test"), basic("officer")).status, 200);

    // Once revoked, the certificate authenticates nobody.
    const std::string serial = run("openssl x509 -in " + quote(cert) + " -noout -serial | cut -d= -f2").out;
    const RunResult revoked = pkilab("revoke " + serial.substr(0, serial.find('\n')) + " --ca lab-issuing-ca");
    ASSERT_EQ(revoked.exit_code, 0) << revoked.out;
    const EstAnswer refused = post("simplereenroll", der_csr("dev5", "dev.lab.test"), tls);
    EXPECT_EQ(refused.status, 401) << refused.body;
    EXPECT_NE(refused.body.find("revoked"), std::string::npos) << refused.body;
    EXPECT_NE(header(refused, "WWW-Authenticate").find("Basic realm=\"pkilab EST\""), std::string::npos) << refused.head;
}

TEST_F(Est, APendingRequestAnswers202UntilAnOfficerApproves) {
    serve_est();
    const std::string csr = der_csr("wait", "wait.lab.test");
    const EstAnswer first = post("simpleenroll", csr, basic("enrollee"), "waiting");
    ASSERT_EQ(first.status, 202) << first.body;
    EXPECT_EQ(header(first, "Retry-After"), "1");
    const EstAnswer again = post("simpleenroll", csr, basic("enrollee"), "waiting");
    EXPECT_EQ(again.status, 202) << again.body;
    // One request, not one per poll.
    const std::string pending = pkilab("--json request list --ca lab-issuing-ca --state pending").out;
    size_t count = 0;
    for (size_t at = pending.find("\"PendingWeb\""); at != std::string::npos; at = pending.find("\"PendingWeb\"", at + 1)) ++count;
    EXPECT_EQ(count, 1u) << pending;
    const size_t id_at = first.body.find("Request ");
    ASSERT_NE(id_at, std::string::npos);
    const std::string id = std::to_string(std::atol(first.body.c_str() + id_at + 8));
    const RunResult approved = pkilab("request approve " + id + " --ca lab-issuing-ca");
    ASSERT_EQ(approved.exit_code, 0) << approved.out;
    const EstAnswer done = post("simpleenroll", csr, basic("enrollee"), "waiting");
    ASSERT_EQ(done.status, 200) << done.body;
    const std::string cert = certs_of(done, "wait");
    EXPECT_EQ(public_key_of_cert(cert), public_key_of_key(file("wait.key")));
    const RunResult verified = verify_with_served_crl(cert);
    EXPECT_EQ(verified.exit_code, 0) << verified.out;
    // The decision is delivered once: the same CSR again is a new request.
    EXPECT_EQ(post("simpleenroll", csr, basic("enrollee"), "waiting").status, 202);
    // Someone else re-sending the same CSR gets a request of their own, not alice's certificate.
    EXPECT_EQ(post("simpleenroll", csr, basic("officer"), "waiting").status, 202);
}

TEST_F(Est, RefusalsAreTextThatSaysWhy) {
    serve_est();
    const std::string csr = der_csr("ok", "ok.lab.test");
    const EstAnswer none = post("simpleenroll", csr, "");
    EXPECT_EQ(none.status, 401) << none.body;
    EXPECT_NE(header(none, "WWW-Authenticate").find("Basic realm=\"pkilab EST\""), std::string::npos) << none.head;
    EXPECT_EQ(post("simpleenroll", csr, "-u alice:wrong-password").status, 401);
    // Auditors do not enroll.
    const EstAnswer auditor = post("simpleenroll", csr, basic("auditor"));
    EXPECT_EQ(auditor.status, 403) << auditor.body;

    const EstAnswer denied = post("simpleenroll", der_csr("bad", "www.forbidden.test"), basic("enrollee"));
    EXPECT_EQ(denied.status, 403) << denied.body;
    EXPECT_EQ(header(denied, "Content-Type").rfind("text/plain", 0), 0u);
    EXPECT_NE(denied.body.find("denied"), std::string::npos) << denied.body;
    EXPECT_NE(denied.body.find("(names)"), std::string::npos) << denied.body;
    EXPECT_NE(denied.body.find("www.forbidden.test"), std::string::npos) << denied.body;

    spit(file("garbage"), "this is not a PKCS#10 request");
    EXPECT_EQ(ask("-H 'Content-Type: application/pkcs10' --data-binary @" + quote(file("garbage")) + " " + basic("enrollee"),
                  path("simpleenroll")).status, 400);
    spit(file("garbage.b64"), "aGVsbG8gd29ybGQ=\n");
    const EstAnswer not_csr = ask("-H 'Content-Type: application/pkcs10' --data-binary @" + quote(file("garbage.b64")) + " " +
                                      basic("enrollee"), path("simpleenroll"));
    EXPECT_EQ(not_csr.status, 400) << not_csr.body;
    EXPECT_NE(not_csr.body.find("CSR"), std::string::npos) << not_csr.body;

    const std::string broken = der_csr("broken", "broken.lab.test");
    ASSERT_EQ(run("python3 -c \"import sys;d=bytearray(open(sys.argv[1],'rb').read());d[-1]^=0x55;open(sys.argv[1],'wb').write(d)\" " +
                  quote(broken)).exit_code, 0);
    const EstAnswer badsig = post("simpleenroll", broken, basic("enrollee"));
    EXPECT_EQ(badsig.status, 400) << badsig.body;
    EXPECT_NE(badsig.body.find("signature"), std::string::npos) << badsig.body;

    // A renewal with a password only needs a valid certificate of the user with that subject.
    const EstAnswer not_renewal = post("simplereenroll", der_csr("nr", "never-issued.lab.test"), basic("enrollee"));
    EXPECT_EQ(not_renewal.status, 403) << not_renewal.body;
    // WebServer does not let the CA make keys.
    const EstAnswer no_keygen = post("serverkeygen", csr, basic("enrollee"));
    EXPECT_EQ(no_keygen.status, 403) << no_keygen.body;
    EXPECT_NE(no_keygen.body.find("server-side key generation"), std::string::npos) << no_keygen.body;
    // Enrollment is not served over plain HTTP.
    EXPECT_EQ(post("simpleenroll", csr, "", "", http_base).status, 403);
}

TEST_F(Est, ServerKeygenHandsBackAKeyAndItsCertificate) {
    serve_est();
    const EstAnswer a = post("serverkeygen", der_csr("skg", "skg.lab.test"), basic("enrollee"), "lyncserver");
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(header(a, "Content-Type").rfind("multipart/mixed; boundary=", 0), 0u) << a.head;
    spit(file("skg.head"), a.head);
    spit(file("skg.body"), a.body);
    spit(file("split.py"),
         "import sys, email, base64\n"
         "hdr, body, out = sys.argv[1:4]\n"
         "ct = [l.split(':', 1)[1].strip() for l in open(hdr) if l.lower().startswith('content-type:')][-1]\n"
         "msg = email.message_from_bytes(b'Content-Type: ' + ct.encode() + b'\\r\\n\\r\\n' + open(body, 'rb').read())\n"
         "parts = {p.get_content_type(): base64.b64decode(p.get_payload()) for p in msg.walk() if not p.is_multipart()}\n"
         "open(out + '.key.der', 'wb').write(parts['application/pkcs8'])\n"
         "open(out + '.p7.der', 'wb').write(parts['application/pkcs7-mime'])\n");
    const RunResult split = run("python3 " + quote(file("split.py")) + " " + quote(file("skg.head")) + " " +
                                quote(file("skg.body")) + " " + quote(file("skg")));
    ASSERT_EQ(split.exit_code, 0) << split.out;
    ASSERT_EQ(run("openssl pkcs7 -inform DER -in " + quote(file("skg.p7.der")) + " -print_certs -out " + quote(file("skg.pem")) +
                  " && openssl pkey -inform DER -in " + quote(file("skg.key.der")) + " -out " + quote(file("skg.srv.key")))
                  .exit_code, 0);
    EXPECT_EQ(public_key_of_cert(file("skg.pem")), public_key_of_key(file("skg.srv.key")));
    EXPECT_NE(public_key_of_cert(file("skg.pem")), public_key_of_key(file("skg.key")));
    EXPECT_NE(subject_of(file("skg.pem")).find("skg.lab.test"), std::string::npos);
    const RunResult verified = verify_with_served_crl(file("skg.pem"));
    EXPECT_EQ(verified.exit_code, 0) << verified.out;
}

TEST_F(Est, TheAcceptanceKitsEstScriptPasses) {
    if (!std::filesystem::exists(kAcceptanceScript)) GTEST_SKIP() << "no " << kAcceptanceScript;
    serve_est();
    const auto& alice = user("enrollee");
    const RunResult r = run("env EST_URL=" + quote(est_base()) + " CA_CERT=" + quote(root_pem()) + " EST_LABEL=lyncserver" +
                            " EST_USER=" + quote(alice.name) + " EST_PASS=" + quote(alice.password) +
                            " EST_REENROLL=1 EST_SERVERKEYGEN=1 EST_NEGATIVE=1 OUT_DIR=" + quote(file("acceptance")) +
                            " bash " + quote(kAcceptanceScript));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find(" 0 failed"), std::string::npos) << r.out;
    // The default endpoint (WebServer): re-enrollment with a certificate that is a server's only.
    const RunResult d = run("env EST_URL=" + quote(est_base()) + " CA_CERT=" + quote(root_pem()) + " EST_USER=" +
                            quote(alice.name) + " EST_PASS=" + quote(alice.password) + " EST_CN=kit-default.lab.test" +
                            " EST_REENROLL=1 EST_SERVERKEYGEN=0 EST_NEGATIVE=0 OUT_DIR=" + quote(file("acceptance-default")) +
                            " bash " + quote(kAcceptanceScript));
    EXPECT_EQ(d.exit_code, 0) << d.out;
    EXPECT_NE(d.out.find(" 0 failed"), std::string::npos) << d.out;
    // And the polling path with the label that waits for approval is what a client sees as 202.
    const std::string csr = der_csr("kit-wait", "kit-wait.lab.test");
    EXPECT_EQ(post("simpleenroll", csr, basic("enrollee"), "waiting").status, 202);
}

}  // namespace
}  // namespace pkilab::test
