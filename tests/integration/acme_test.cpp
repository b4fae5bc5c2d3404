// ACME with the real clients: certbot and lego obtain, renew and revoke over http-01 on
// loopback; every certificate checks against the CRL its CDP serves; a name the name-policy
// plugin forbids fails in the client with the plugin's reason. Also the protocol's own
// answers (directory, nonces, problem documents) with curl.
#include <thread>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "acme_fixture.hpp"

namespace pkilab::test {
namespace {

class Acme : public AcmeLab {};

TEST_F(Acme, CertbotObtainsRenewsAndRevokes) {
    serve_acme();
    const std::string live = path("certbot/config/live/cb.lab.test/cert.pem");
    RunResult got = certbot("certonly --agree-tos --register-unsafely-without-email" + certbot_http01() + " -d cb.lab.test");
    ASSERT_EQ(got.exit_code, 0) << got.out << server->err();
    EXPECT_TRUE(verified(verify_with_crl(live))) << verify_with_crl(live);
    const std::string first = serial_of(live);
    // The chain certbot saved is the issuing CA, not the root.
    const std::string chain = run("openssl x509 -in " + quote(path("certbot/config/live/cb.lab.test/chain.pem")) + " -noout -subject").out;
    EXPECT_NE(chain.find("Issuing CA"), std::string::npos) << chain;

    RunResult renewed = certbot("renew --force-renewal --no-random-sleep-on-renew" + certbot_http01());
    ASSERT_EQ(renewed.exit_code, 0) << renewed.out;
    EXPECT_NE(serial_of(live), first) << "renew --force-renewal left the certificate as it was";
    EXPECT_TRUE(verified(verify_with_crl(live)));

    RunResult revoked_run = certbot("revoke --cert-path " + quote(live) + " --reason keycompromise --no-delete-after-revoke");
    ASSERT_EQ(revoked_run.exit_code, 0) << revoked_run.out;
    const std::string after = verify_with_crl(live);
    EXPECT_TRUE(revoked(after)) << after;

    // A forbidden name: certbot fails and says why, in the plugin's words.
    RunResult refused = certbot("certonly --agree-tos --register-unsafely-without-email" + certbot_http01() + " -d x.forbidden.lab.test");
    EXPECT_NE(refused.exit_code, 0) << refused.out;
    EXPECT_NE(refused.out.find("x.forbidden.lab.test is denied (rule .forbidden.lab.test)"), std::string::npos) << refused.out;
}

TEST_F(Acme, LegoObtainsRenewsAndRevokes) {
    serve_acme();
    const std::string crt = path("lego/certificates/lego.lab.test.crt");
    RunResult got = lego("--domains lego.lab.test" + lego_http01() + " run");
    ASSERT_EQ(got.exit_code, 0) << got.out << server->err();
    EXPECT_TRUE(verified(verify_with_crl(crt))) << verify_with_crl(crt);
    const std::string first = serial_of(crt);

    RunResult renewed = lego("--domains lego.lab.test" + lego_http01() + " renew --days 9999 --no-random-sleep");
    ASSERT_EQ(renewed.exit_code, 0) << renewed.out;
    EXPECT_NE(serial_of(crt), first) << renewed.out;
    EXPECT_TRUE(verified(verify_with_crl(crt)));
    const std::string kept = path("renewed.crt");
    spit(kept, slurp(crt));

    RunResult revoked_run = lego("--domains lego.lab.test revoke --keep");
    ASSERT_EQ(revoked_run.exit_code, 0) << revoked_run.out;
    EXPECT_TRUE(revoked(verify_with_crl(kept))) << verify_with_crl(kept);

    RunResult refused = lego("--domains lego.forbidden.lab.test" + lego_http01() + " run");
    EXPECT_NE(refused.exit_code, 0) << refused.out;
    EXPECT_NE(refused.out.find("lego.forbidden.lab.test is denied (rule .forbidden.lab.test)"), std::string::npos) << refused.out;
    EXPECT_NE(refused.out.find("urn:ietf:params:acme:error:rejectedIdentifier"), std::string::npos) << refused.out;
}

TEST_F(Acme, DirectoryNoncesAndProblemDocuments) {
    serve_acme();
    const nlohmann::json d = nlohmann::json::parse(body("", "/acme/directory"));
    for (const char* k : {"newNonce", "newAccount", "newOrder", "revokeCert", "keyChange"}) EXPECT_TRUE(d.contains(k)) << d.dump();
    EXPECT_EQ(d["newNonce"], https_base + "/acme/WebServer/new-nonce");
    EXPECT_EQ(status("", "/acme/Computer/directory"), 200);
    EXPECT_EQ(status("", "/acme/NoSuchTemplate/directory"), 404);

    const std::string head = fetch("-I", "/acme/WebServer/new-nonce");
    EXPECT_NE(head.find("HTTP/1.1 200"), std::string::npos) << head;
    EXPECT_NE(head.find("Replay-Nonce: "), std::string::npos) << head;
    EXPECT_NE(head.find("Cache-Control: no-store"), std::string::npos) << head;
    EXPECT_NE(head.find("rel=\"index\""), std::string::npos) << head;
    EXPECT_EQ(status("", "/acme/WebServer/new-nonce"), 204);

    // Not a JWS, the wrong type, an unknown nonce: ACME problem documents, each with a fresh nonce.
    const std::string wrong_type = fetch("-H 'Content-Type: application/json' --data '{}'", "/acme/WebServer/new-account");
    EXPECT_NE(wrong_type.find("HTTP/1.1 415"), std::string::npos) << wrong_type;
    EXPECT_NE(wrong_type.find("application/problem+json"), std::string::npos) << wrong_type;
    EXPECT_NE(wrong_type.find("urn:ietf:params:acme:error:malformed"), std::string::npos) << wrong_type;
    EXPECT_NE(wrong_type.find("Replay-Nonce: "), std::string::npos) << wrong_type;
    const std::string garbage = fetch("-H 'Content-Type: application/jose+json' --data '{\"protected\":\"e30\",\"payload\":\"\",\"signature\":\"\"}'",
                                      "/acme/WebServer/new-account");
    EXPECT_NE(garbage.find("HTTP/1.1 400"), std::string::npos) << garbage;
    EXPECT_NE(garbage.find("urn:ietf:params:acme:error:"), std::string::npos) << garbage;

    // Plain HTTP does not serve ACME.
    const RunResult plain = run("curl -sS -o /dev/null -w '%{http_code}' " + quote(http_base + "/acme/directory"));
    EXPECT_NE(plain.out, "200") << plain.out;
}

TEST_F(Acme, AStateSurvivesARestartAndANonAnsweringResponderIsRefused) {
    serve_acme();
    RunResult got = lego("--domains keep.lab.test" + lego_http01() + " run");
    ASSERT_EQ(got.exit_code, 0) << got.out;
    server.reset();
    start();
    // The same account (lego keeps it) orders again after the restart.
    RunResult again = lego("--domains keep.lab.test" + lego_http01() + " renew --days 9999 --no-random-sleep");
    EXPECT_EQ(again.exit_code, 0) << again.out;
    EXPECT_EQ(again.out.find("acme: Registering account"), std::string::npos) << again.out;
    // Nobody answers on the validation port: the challenge fails, nothing is issued.
    RunResult nobody = lego("--domains nobody.lab.test --http --http.port 127.0.0.1:" + std::to_string(free_port()) + " run");
    EXPECT_NE(nobody.exit_code, 0) << nobody.out;
    EXPECT_NE(nobody.out.find("could not fetch"), std::string::npos) << nobody.out;
}

// A template that waits for an officer: the order is processing until the officer approves
// the request in the CA's store, then valid, and lego, polling, gets the certificate.
TEST_F(Acme, AnOrderWaitsForAnOfficerAndCompletesOnceApproved) {
    std::string lab = acme_lab_text("    endpoints:\n      - {name: WebServer}\n      - {name: PendingWeb}\n");
    const std::string published = "templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning]";
    const auto at = lab.find(published);
    ASSERT_NE(at, std::string::npos);
    lab.replace(at, published.size(), "templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning, PendingWeb]");
    const auto own = lab.find("\ntemplates: []");
    ASSERT_NE(own, std::string::npos);
    lab.replace(own, 14, "\ntemplates:\n  - name: PendingWeb\n    base: WebServer\n    issuance: {pend_all_requests: true}\n");
    lab_up(lab);
    start();
    RunResult got;
    std::thread client([&] {
        got = run("LEGO_CA_CERTIFICATES=" + quote(root_pem()) + " timeout 90 lego --server " +
                  quote(https_base + "/acme/PendingWeb/directory") + " --accept-tos --email a@lab.test --path " + quote(path("lego")) +
                  " --domains wait.lab.test" + lego_http01() + " --cert.timeout 60 run 2>&1");
    });
    std::string id;
    const bool pending = eventually([&] {
        const nlohmann::json list = nlohmann::json::parse(body(basic("officer"), "/api/v1/requests?state=pending"), nullptr, false);
        if (list.is_discarded() || list.value("count", 0) == 0) return false;
        id = std::to_string(list["requests"][0].value("request_id", 0LL));
        return true;
    }, std::chrono::seconds(40));
    EXPECT_TRUE(pending);
    if (pending) {
        EXPECT_EQ(status(basic("officer") + " -X POST -H 'Content-Type: application/json' --data '{}'",
                         "/api/v1/requests/lab-issuing-ca/" + id + "/approve"), 200);
    }
    client.join();
    ASSERT_EQ(got.exit_code, 0) << got.out;
    EXPECT_TRUE(verified(verify_with_crl(path("lego/certificates/wait.lab.test.crt"))));
}

// An endpoint with `eab: true`: accounts need a binding under a key from STATE/acme/eab-keys
// (generated at start and announced); certbot and lego bind with it, and without it certbot fails.
TEST_F(Acme, ExternalAccountBindingWithCertbotAndLego) {
    serve_acme("    endpoints:\n      - {name: WebServer, eab: true}\n");
    EXPECT_NE(server->out().find("needs external account binding"), std::string::npos) << server->out();
    const std::string keys = slurp(dir / "state" / "acme" / "eab-keys");
    const auto at = keys.find("lab-eab-1 ");
    ASSERT_NE(at, std::string::npos) << keys;
    std::string hmac = keys.substr(at + 10);
    hmac = hmac.substr(0, hmac.find('\n'));
    EXPECT_EQ(std::filesystem::status(dir / "state" / "acme" / "eab-keys").permissions() & std::filesystem::perms::others_read,
              std::filesystem::perms::none);
    const nlohmann::json d = nlohmann::json::parse(body("", "/acme/directory"));
    EXPECT_EQ(d["meta"]["externalAccountRequired"], true) << d.dump();

    RunResult unbound = certbot("register --agree-tos --register-unsafely-without-email");
    EXPECT_NE(unbound.exit_code, 0) << unbound.out;
    RunResult wrong = certbot("register --agree-tos --register-unsafely-without-email --eab-kid lab-eab-1 --eab-hmac-key " +
                              std::string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    EXPECT_NE(wrong.exit_code, 0) << wrong.out;
    RunResult got = certbot("certonly --agree-tos --register-unsafely-without-email --eab-kid lab-eab-1 --eab-hmac-key " + hmac +
                            certbot_http01() + " -d eab.lab.test");
    ASSERT_EQ(got.exit_code, 0) << got.out;
    EXPECT_TRUE(verified(verify_with_crl(path("certbot/config/live/eab.lab.test/cert.pem"))));
    RunResult lego_got = lego("--eab --kid lab-eab-1 --hmac " + hmac + " --domains eab-lego.lab.test" + lego_http01() + " run");
    EXPECT_EQ(lego_got.exit_code, 0) << lego_got.out;
}

// dns-01 through the lab's test resolver: certbot's manual hooks and lego's exec provider set
// the TXT record as an officer over the REST-style route; a wildcard is dns-01 only, and the
// name policy's allow_wildcards decides it.
TEST_F(Acme, Dns01ThroughTheTestResolverWithCertbotAndLego) {
    std::string lab = acme_lab_text();
    const auto at = lab.find("dns_deny:");
    ASSERT_NE(at, std::string::npos);
    lab.insert(at, "allow_wildcards: true, ");
    lab_up(lab);
    start();
    const auto& officer = user("officer");
    const std::string curl = "curl -sS --fail --cacert " + quote(root_pem()) + " -u " + quote(officer.name + ":" + officer.password);
    const std::string resolver = https_base + "/acme/test-resolver";
    spit(path("certbot-auth.sh"), "#!/bin/sh\n" + curl + " -H 'Content-Type: application/json' --data \"{\\\"name\\\":\\\"_acme-challenge.$CERTBOT_DOMAIN\\\",\\\"value\\\":\\\"$CERTBOT_VALIDATION\\\"}\" " +
                                      quote(resolver) + " >/dev/null\n");
    spit(path("certbot-cleanup.sh"), "#!/bin/sh\n" + curl + " -X DELETE " + quote(resolver) + "/_acme-challenge.$CERTBOT_DOMAIN\n");
    spit(path("lego-exec.sh"), "#!/bin/sh\nname=${2%.}\ncase \"$1\" in\n  present) " + curl +
                                   " -H 'Content-Type: application/json' --data \"{\\\"name\\\":\\\"$name\\\",\\\"value\\\":\\\"$3\\\"}\" " + quote(resolver) +
                                   " >/dev/null ;;\n  cleanup) " + curl + " -X DELETE " + quote(resolver) + "/$name ;;\nesac\n");
    ASSERT_EQ(run("chmod 700 " + quote(path("certbot-auth.sh")) + " " + quote(path("certbot-cleanup.sh")) + " " + quote(path("lego-exec.sh"))).exit_code, 0);

    RunResult cb = certbot("certonly --agree-tos --register-unsafely-without-email --manual --preferred-challenges dns --manual-auth-hook " +
                           quote(path("certbot-auth.sh")) + " --manual-cleanup-hook " + quote(path("certbot-cleanup.sh")) +
                           " -d dns.lab.test -d '*.dns.lab.test'");
    ASSERT_EQ(cb.exit_code, 0) << cb.out << server->err();
    const std::string live = path("certbot/config/live/dns.lab.test/cert.pem");
    EXPECT_TRUE(verified(verify_with_crl(live)));
    EXPECT_NE(run("openssl x509 -in " + quote(live) + " -noout -ext subjectAltName").out.find("DNS:*.dns.lab.test"), std::string::npos);

    RunResult lg = run("EXEC_PATH=" + quote(path("lego-exec.sh")) + " LEGO_CA_CERTIFICATES=" + quote(root_pem()) + " timeout 120 lego --server " +
                       quote(directory()) + " --accept-tos --email a@lab.test --path " + quote(path("lego")) +
                       " --domains '*.lego-dns.lab.test' --dns exec --dns.disable-cp run 2>&1");
    ASSERT_EQ(lg.exit_code, 0) << lg.out << server->err();
    EXPECT_TRUE(verified(verify_with_crl(path("lego/certificates/_.lego-dns.lab.test.crt"))));
    // The hooks cleaned up; a record nobody set fails the challenge with the resolver's word.
    EXPECT_EQ(body(basic("auditor"), "/acme/test-resolver"), "{\"records\":[]}");
    RunResult unset = run("EXEC_PATH=/bin/true LEGO_CA_CERTIFICATES=" + quote(root_pem()) + " timeout 120 lego --server " + quote(directory()) +
                          " --accept-tos --email a@lab.test --path " + quote(path("lego")) +
                          " --domains unset.lab.test --dns exec --dns.disable-cp run 2>&1");
    EXPECT_NE(unset.exit_code, 0) << unset.out;
    EXPECT_NE(unset.out.find("test resolver"), std::string::npos) << unset.out;
}

// A refusal that only the CSR shows (the key policy on an RSA 2048 key) comes at finalize:
// an error answer whose detail lego prints, and the order is invalid.
TEST_F(Acme, AKeyPolicyRefusalAtFinalizeReachesLego) {
    std::string lab = acme_lab_text();
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"    policy: [names]\n", "    policy: [names, keys]\n"},
             {"\nplugins:\n  load:\n", "\nplugins:\n  load:\n    - name: keys\n      file: libpkilab_key_policy.so\n      config: {rsa_min_bits: 3072}\n"}}) {
        const auto at = lab.find(from);
        ASSERT_NE(at, std::string::npos) << from;
        lab.replace(at, from.size(), to);
    }
    lab_up(lab);
    start();
    RunResult refused = lego("--key-type rsa2048 --domains weak.lab.test" + lego_http01() + " run");
    EXPECT_NE(refused.exit_code, 0) << refused.out;
    EXPECT_NE(refused.out.find("urn:ietf:params:acme:error:badCSR"), std::string::npos) << refused.out;
    EXPECT_NE(refused.out.find("keys: "), std::string::npos) << refused.out;
    RunResult strong = lego("--key-type rsa4096 --domains strong.lab.test" + lego_http01() + " run");
    EXPECT_EQ(strong.exit_code, 0) << strong.out;
}

// The hosts list decides where a name is validated: here every name goes to 127.0.0.2 (where
// nobody listens) but one, which goes to lego's responder on 127.0.0.1.
TEST_F(Acme, TheHostsListSaysWhereANameIsValidated) {
    serve_acme("    default_address: 127.0.0.2\n    hosts: {Mapped.lab.test: 127.0.0.1}\n");
    RunResult mapped = lego("--domains mapped.lab.test" + lego_http01() + " run");
    EXPECT_EQ(mapped.exit_code, 0) << mapped.out;
    RunResult elsewhere = lego("--domains elsewhere.lab.test" + lego_http01() + " run");
    EXPECT_NE(elsewhere.exit_code, 0) << elsewhere.out;
    EXPECT_NE(elsewhere.out.find("connecting to 127.0.0.2"), std::string::npos) << elsewhere.out;
}

// The acceptance kit's acme.sh with certbot and lego (skipped without ../shared).
TEST_F(Acme, AcceptanceKitWithCertbotAndLego) {
    const std::string script = std::string(PKILAB_SOURCE_DIR) + "/../shared/acceptance/acme.sh";
    if (!std::filesystem::exists(script)) GTEST_SKIP() << "no " << script;
    serve_acme();
    const RunResult r = run("env ACME_DIRECTORY=" + quote(directory()) + " CA_CERT=" + quote(root_pem()) +
                            " ACME_CLIENTS='certbot lego' ACME_CHALLENGES=http-01 ACME_HTTP01_PORT=" + std::to_string(http01_port) +
                            " OUT_DIR=" + quote(path("acceptance")) + " bash " + quote(script) + " 2>&1");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find(" 0 failed"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace pkilab::test
