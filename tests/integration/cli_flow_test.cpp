// The `pkilab` command end to end: stand up the default lab, issue from a CSR made by
// `openssl req`, and have independent tools (OpenSSL, GnuTLS certtool, Python cryptography)
// verify what it issued.
#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "process.hpp"

namespace pkilab::test {
namespace {

const std::string kPkilab = PKILAB_BINARY;
const std::string kDefaultLab = std::string(PKILAB_SOURCE_DIR) + "/lab/default/lab.yaml";
const std::string kVerifyPy = std::string(PKILAB_SOURCE_DIR) + "/tests/integration/verify_with_cryptography.py";

class CliFlow : public ::testing::Test {
protected:
    TempDir dir;
    std::string state() const { return (dir / "state").string(); }

    RunResult pkilab(const std::string& args) const { return run(quote(kPkilab) + " --state " + quote(state()) + " " + args); }

    nlohmann::json pkilab_json(const std::string& args, int expected_exit = 0) const {
        // stdout alone: errors also go to stderr as text.
        RunResult r = run("{ " + quote(kPkilab) + " --state " + quote(state()) + " --json " + args + " 2>/dev/null; }");
        EXPECT_EQ(r.exit_code, expected_exit) << args << "\n" << r.out;
        try {
            return nlohmann::json::parse(r.out);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "not JSON from `pkilab " << args << "`: " << r.out;
            return {};
        }
    }

    void lab_up(const std::string& lab_file = kDefaultLab) const {
        RunResult r = pkilab("lab up " + quote(lab_file));
        ASSERT_EQ(r.exit_code, 0) << r.out;
        ASSERT_EQ(pkilab("ca export lab-root-ca --out " + quote((dir / "root.pem").string())).exit_code, 0);
        ASSERT_EQ(pkilab("ca export lab-issuing-ca --chain --out " + quote((dir / "chain.pem").string())).exit_code, 0);
        ASSERT_EQ(pkilab("ca export lab-issuing-ca --out " + quote((dir / "issuing.pem").string())).exit_code, 0);
    }

    // An EC P-256 key and CSR made by OpenSSL, as an admin would.
    std::string openssl_csr(const std::string& name, const std::string& subj, const std::string& san,
                            const std::string& key_opts = "-newkey ec -pkeyopt ec_paramgen_curve:P-256") const {
        const std::string csr = (dir / (name + ".csr")).string();
        RunResult r = run("openssl req -new " + key_opts + " -nodes -keyout " + quote((dir / (name + ".key")).string()) +
                          " -subj " + quote(subj) + (san.empty() ? "" : " -addext " + quote("subjectAltName=" + san)) +
                          " -out " + quote(csr));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return csr;
    }

    void expect_verifies_everywhere(const std::string& leaf) const {
        const std::string root = (dir / "root.pem").string();
        const std::string issuing = (dir / "issuing.pem").string();
        RunResult o = run("openssl verify -x509_strict -CAfile " + quote(root) + " -untrusted " + quote(issuing) + " " + quote(leaf));
        EXPECT_EQ(o.exit_code, 0) << "openssl verify: " << o.out;
        EXPECT_NE(o.out.find(": OK"), std::string::npos) << o.out;

        const std::string bundle = (dir / "bundle.pem").string();
        spit(bundle, slurp(leaf) + slurp(issuing) + slurp(root));
        RunResult g = run("certtool --verify-chain --infile " + quote(bundle));
        EXPECT_EQ(g.exit_code, 0) << "certtool --verify-chain: " << g.out;
        EXPECT_NE(g.out.find("Chain verification output: Verified"), std::string::npos) << g.out;

        RunResult p = run("/usr/bin/python3 " + quote(kVerifyPy) + " " + quote(leaf) + " " + quote((dir / "chain.pem").string()) + " " + quote(root));
        EXPECT_EQ(p.exit_code, 0) << "python cryptography: " << p.out;
    }
};

TEST_F(CliFlow, EncryptedCaKeyIsNeededOnlyToSign) {
    std::string lab = slurp(kDefaultLab);
    const std::string off = "    # key_passphrase: env:PKILAB_ISSUING_CA_PASSPHRASE";
    ASSERT_NE(lab.find(off), std::string::npos);
    lab.replace(lab.find(off), off.size(), "    key_passphrase: env:PKILAB_TEST_CA_PASSPHRASE");
    const std::string lab_file = (dir / "lab.yaml").string();
    spit(lab_file, lab);

    // Without the passphrase nothing is created, not even the root.
    RunResult early = pkilab("lab up " + quote(lab_file));
    EXPECT_EQ(early.exit_code, 2) << early.out;
    EXPECT_NE(early.out.find("PKILAB_TEST_CA_PASSPHRASE"), std::string::npos) << early.out;
    EXPECT_FALSE(std::filesystem::exists(dir / "state" / "cas" / "lab-root-ca" / "ca.pem"));

    const std::string with_pass = "env PKILAB_TEST_CA_PASSPHRASE=correct-horse ";
    RunResult up = run(with_pass + quote(kPkilab) + " --state " + quote(state()) + " lab up " + quote(lab_file));
    ASSERT_EQ(up.exit_code, 0) << up.out;
    EXPECT_NE(slurp((dir / "state" / "cas" / "lab-issuing-ca" / "ca.key").string()).find("BEGIN ENCRYPTED PRIVATE KEY"),
              std::string::npos);

    // Reading the lab needs no passphrase; signing does, and says which.
    EXPECT_EQ(pkilab("ca list").exit_code, 0);
    EXPECT_EQ(pkilab("cert list").exit_code, 0);
    EXPECT_EQ(pkilab("clock show").exit_code, 0);
    const std::string csr = openssl_csr("enc", "/CN=enc.lab.test", "DNS:enc.lab.test");
    RunResult refused = pkilab("request submit --template WebServer --csr " + quote(csr));
    EXPECT_EQ(refused.exit_code, 2) << refused.out;
    EXPECT_NE(refused.out.find("PKILAB_TEST_CA_PASSPHRASE"), std::string::npos) << refused.out;
    RunResult issued = run(with_pass + quote(kPkilab) + " --state " + quote(state()) + " request submit --template WebServer --csr " + quote(csr));
    EXPECT_EQ(issued.exit_code, 0) << issued.out;
    // The refused attempt left no request behind: request 1 is the one that was issued.
    EXPECT_NE(issued.out.find("Request 1 on lab-issuing-ca: issued"), std::string::npos) << issued.out;
}

TEST_F(CliFlow, JsonErrorsAndClockBounds) {
    lab_up();
    nlohmann::json missing = pkilab_json("cert show 0123456789abcdef", 2);
    EXPECT_EQ(missing["error"]["category"], "not_found") << missing.dump();
    EXPECT_EQ(missing["exit_code"], 2);

    nlohmann::json bad = pkilab_json("lab validate " + quote(std::string(PKILAB_TEST_DATA) + "/labs/does-not-exist.yaml"), 2);
    EXPECT_EQ(bad["error"]["category"], "bad_input") << bad.dump();
    EXPECT_FALSE(bad["error"]["problem"].get<std::string>().empty());

    for (const char* args : {"clock set 9999-12-31T00:00:00Z", "clock set 9000-01-01T00:00:00Z", "clock set 1900-01-01T00:00:00Z"}) {
        RunResult r = pkilab(args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
        EXPECT_NE(r.out.find("between 1950 and 9000"), std::string::npos) << r.out;
    }
    EXPECT_EQ(pkilab("clock advance 30d").exit_code, 0);
}

TEST_F(CliFlow, HostileLifecycleArgumentsAreRefusedAndAudited) {
    lab_up();
    const std::string csr = openssl_csr("life", "/CN=life.lab.test", "DNS:life.lab.test");
    nlohmann::json issued = pkilab_json("request submit --template WebServer --csr " + quote(csr));
    const std::string serial = issued["serial"];

    // Serials: no spaces, at most 40 hex digits, and a long one is not echoed whole.
    RunResult spaced = pkilab("cert show '98 35'");
    EXPECT_EQ(spaced.exit_code, 2) << spaced.out;
    EXPECT_NE(spaced.out.find("contains a space"), std::string::npos) << spaced.out;
    RunResult longer = pkilab("cert show " + std::string(1000, 'a'));
    EXPECT_EQ(longer.exit_code, 2) << longer.out;
    EXPECT_NE(longer.out.find("at most 40"), std::string::npos) << longer.out;
    EXPECT_LT(longer.out.size(), 400u);

    // The invalidity date cannot be after the revocation; nothing is revoked by the attempt.
    RunResult future = pkilab("revoke " + serial + " --reason keyCompromise --invalidity-date 2099-01-01T00:00:00Z");
    EXPECT_EQ(future.exit_code, 2) << future.out;
    EXPECT_EQ(pkilab_json("cert list --status valid --template WebServer").size(), 1u);

    // Revoking twice is refused, and the refusal is in the audit trail.
    EXPECT_EQ(pkilab("revoke " + serial + " --reason superseded").exit_code, 0);
    EXPECT_EQ(pkilab("revoke " + serial + " --reason superseded").exit_code, 2);
    // A root's own certificate cannot be revoked by itself.
    const std::string root_serial = pkilab_json("cert list --template RootCA")[0]["serial"];
    RunResult root = pkilab("revoke " + root_serial + " --reason cACompromise");
    EXPECT_EQ(root.exit_code, 2) << root.out;
    EXPECT_NE(root.out.find("trust anchor"), std::string::npos) << root.out;
    int refused = 0;
    for (const auto& e : pkilab_json("audit"))
        if (e["action"] == "revoke" && e["outcome"] == "refused") ++refused;
    EXPECT_EQ(refused, 2);

    // Options of the other mode are not silently ignored.
    EXPECT_EQ(pkilab("request submit --template WebServer --csr " + quote(csr) + " --subject CN=x").exit_code, 2);
    EXPECT_EQ(pkilab("request submit --template WebServer --keygen --csr " + quote(csr) +
                     " --subject CN=x --p12-out " + quote((dir / "x.p12").string())).exit_code, 2);

    // "expired", as the list shows it, is also a filter.
    const std::string csr2 = openssl_csr("later", "/CN=later.lab.test", "DNS:later.lab.test");
    const std::string serial2 = pkilab_json("request submit --template WebServer --csr " + quote(csr2))["serial"];
    EXPECT_EQ(pkilab_json("cert list --status expired").size(), 0u);
    EXPECT_EQ(pkilab("clock advance 3y").exit_code, 0);  // WebServer certificates live 2 years
    nlohmann::json expired = pkilab_json("cert list --status expired");
    ASSERT_EQ(expired.size(), 1u) << expired.dump();
    EXPECT_EQ(expired[0]["serial"], serial2);
    for (const auto& c : pkilab_json("cert list --status valid")) EXPECT_NE(c["serial"], serial2);
}

TEST_F(CliFlow, LabFileSaysWhereStateIsKeptAndLabUpReportsWhatItCannotChange) {
    std::string lab = slurp(kDefaultLab);
    const std::string at = "  server_dns_name: 127.0.0.1\n";
    ASSERT_NE(lab.find(at), std::string::npos);
    lab.replace(lab.find(at), at.size(), at + "  state: kept-here\n");
    const std::string lab_file = (dir / "lab.yaml").string();
    spit(lab_file, lab);
    // No --state and no $PKILAB_STATE: the lab file's lab.state, relative to the file.
    RunResult up = run("cd / && env -u PKILAB_STATE " + quote(kPkilab) + " lab up " + quote(lab_file));
    ASSERT_EQ(up.exit_code, 0) << up.out;
    EXPECT_TRUE(std::filesystem::exists(dir / "kept-here" / "pkilab.db")) << up.out;

    // --state wins over it; a changed path length is reported, and the existing CA kept.
    ASSERT_EQ(pkilab("lab up " + quote(lab_file)).exit_code, 0);
    std::string changed = lab;
    const std::string pl = "    path_length: 0\n";
    changed.replace(changed.find(pl), pl.size(), "    path_length: 1\n");
    spit(lab_file, changed);
    nlohmann::json j = pkilab_json("lab up " + quote(lab_file));
    bool reported = false;
    for (const auto& ca : j["cas"])
        for (const auto& d : ca["differences"]) reported = reported || d.get<std::string>().find("path length is 0") != std::string::npos;
    EXPECT_TRUE(reported) << j.dump(2);
}

TEST_F(CliFlow, ABadCsrFileIsNamedAndTemplatesShowEverything) {
    lab_up();
    const std::string junk = (dir / "junk.csr").string();
    spit(junk, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n");
    RunResult r = pkilab("request submit --template WebServer --csr " + quote(junk));
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find(junk + ": CSR: encoding"), std::string::npos) << r.out;

    RunResult t = pkilab("template show LyncServer");
    EXPECT_EQ(t.exit_code, 0) << t.out;
    EXPECT_NE(t.out.find("Template LyncServer v"), std::string::npos) << t.out;
    EXPECT_NE(t.out.find("serverAuth, clientAuth"), std::string::npos) << t.out;
    EXPECT_NE(t.out.find("Microsoft:        no template name; template 1.3.6.1.4.1.311.21.8."), std::string::npos) << t.out;
    nlohmann::json j = pkilab_json("template show LyncServer");
    EXPECT_EQ(j["microsoft"]["template_v2"]["major"], 100) << j.dump(2);
    EXPECT_EQ(j["cas"], nlohmann::json::array({"lab-issuing-ca"}));
}

TEST_F(CliFlow, PolicyPluginRefusesAndCheckTellsBeforehand) {
    std::string lab = slurp(kDefaultLab);
    const std::string chain = "    templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning]\n";
    ASSERT_NE(lab.find(chain), std::string::npos);
    lab.replace(lab.find(chain), chain.size(), chain + "    policy: [keys]\n");
    lab = "plugins:\n  load:\n    - name: keys\n      file: libpkilab_key_policy.so\n"
          "      config: {rsa_min_bits: 3072}\n" + lab;
    const std::string lab_file = (dir / "lab.yaml").string();
    spit(lab_file, lab);
    EXPECT_EQ(pkilab("lab validate " + quote(lab_file)).exit_code, 0);
    // validate finds plugin files (without loading them): a missing one is named.
    std::string missing = lab;
    missing.replace(missing.find("libpkilab_key_policy.so"), std::string("libpkilab_key_policy.so").size(), "libnothere.so");
    spit((dir / "missing.yaml").string(), missing);
    RunResult v = pkilab("lab validate " + quote((dir / "missing.yaml").string()));
    EXPECT_EQ(v.exit_code, 2) << v.out;
    EXPECT_NE(v.out.find("plugin file 'libnothere.so' is in none of the plugin directories"), std::string::npos) << v.out;
    lab_up(lab_file);

    nlohmann::json plugins = pkilab_json("plugins list");
    ASSERT_EQ(plugins.size(), 1u) << plugins.dump();
    EXPECT_EQ(plugins[0]["plugin"], "key-policy");

    const std::string weak = openssl_csr("weak", "/CN=weak.lab.test", "DNS:weak.lab.test", "-newkey rsa:2048");
    // Preflight first: every reason, nothing recorded, exit 1.
    nlohmann::json check = pkilab_json("check request " + quote(weak) + " --template WebServer", 1);
    EXPECT_FALSE(check["passes"].get<bool>());
    bool named = false;
    for (const auto& f : check["findings"])
        named = named || (f["source"] == "keys" && f["code"] == "key.rsa.too_small" && f["field"] == "key" &&
                          !f["hint"].get<std::string>().empty());
    EXPECT_TRUE(named) << check.dump(2);
    EXPECT_EQ(pkilab_json("request list --ca lab-issuing-ca").size(), 0u);

    RunResult refused = pkilab("request submit --template WebServer --csr " + quote(weak));
    EXPECT_EQ(refused.exit_code, 1) << refused.out;
    EXPECT_NE(refused.out.find("key.rsa.too_small"), std::string::npos) << refused.out;

    const std::string good = openssl_csr("good", "/CN=good.lab.test", "DNS:good.lab.test");
    EXPECT_EQ(pkilab_json("check request " + quote(good) + " --template WebServer")["passes"], true);
    const std::string cert = (dir / "good.pem").string();
    EXPECT_EQ(pkilab("request submit --template WebServer --csr " + quote(good) + " --out " + quote(cert)).exit_code, 0);
    expect_verifies_everywhere(cert);
}

// docs/PLUGINS.md's example, built out of tree with plain `cc` against the SDK header alone.
TEST_F(CliFlow, TheDocumentedExamplePluginBuildsWithCcAndRefuses) {
    const std::string src = PKILAB_SOURCE_DIR;
    std::filesystem::create_directories(dir / "my-plugins");
    std::filesystem::permissions(dir / "my-plugins", std::filesystem::perms::owner_all);
    RunResult cc = run("cc -std=c99 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden -I " + quote(src + "/plugins/sdk") +
                       " " + quote(src + "/plugins/examples/require_organization.c") + " -o " +
                       quote((dir / "my-plugins" / "librequire_organization.so").string()));
    ASSERT_EQ(cc.exit_code, 0) << cc.out;

    std::string lab = slurp(kDefaultLab);
    const std::string chain = "    templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning]\n";
    lab.replace(lab.find(chain), chain.size(), chain + "    policy: [org]\n");
    lab = "plugins:\n  directories: [./my-plugins]\n  load:\n    - name: org\n      file: librequire_organization.so\n"
          "      config: {organization: Example Lab}\n" + lab;
    const std::string lab_file = (dir / "lab.yaml").string();
    spit(lab_file, lab);
    lab_up(lab_file);

    const std::string none = openssl_csr("none", "/CN=none.lab.test", "DNS:none.lab.test");
    nlohmann::json refused = pkilab_json("check request " + quote(none) + " --template WebServer", 1);
    EXPECT_NE(refused.dump().find("org.missing"), std::string::npos) << refused.dump(2);
    const std::string ok = openssl_csr("ok", "/CN=ok.lab.test/O=Example Lab", "DNS:ok.lab.test");
    EXPECT_EQ(pkilab_json("check request " + quote(ok) + " --template WebServer")["passes"], true);
    EXPECT_EQ(pkilab("request submit --template WebServer --csr " + quote(ok)).exit_code, 0);
}

// Isolated mode through the command: a plugin that segfaults costs one request, which is
// refused with the reason and audited; the next request is served by a new helper.
TEST_F(CliFlow, AnIsolatedPluginThatCrashesRefusesOneRequestAndTheNextIsServed) {
    std::string lab = slurp(kDefaultLab);
    const std::string chain = "    templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning]\n";
    lab.replace(lab.find(chain), chain.size(), chain + "    policy: [gate]\n");
    lab = std::string("plugins:\n  directories: [\"") + PKILAB_TEST_PLUGIN_DIR +
          "\"]\n  load:\n    - {name: gate, file: libtest_plugin_good.so, mode: isolated, timeout_ms: 1000}\n" + lab;
    const std::string lab_file = (dir / "lab.yaml").string();
    spit(lab_file, lab);
    lab_up(lab_file);

    const std::string crash = openssl_csr("crash", "/CN=segfault.lab.test", "DNS:segfault.lab.test");
    RunResult refused = pkilab("request submit --template WebServer --csr " + quote(crash));
    EXPECT_EQ(refused.exit_code, 1) << refused.out;
    EXPECT_NE(refused.out.find("policy unavailable: gate: the helper process was killed by SIGSEGV"), std::string::npos)
        << refused.out;
    const std::string good = openssl_csr("good", "/CN=good.lab.test", "DNS:good.lab.test");
    const std::string cert = (dir / "good.pem").string();
    EXPECT_EQ(pkilab("request submit --template WebServer --csr " + quote(good) + " --out " + quote(cert)).exit_code, 0);
    expect_verifies_everywhere(cert);

    const nlohmann::json audit = pkilab_json("audit");
    EXPECT_NE(audit.dump().find("policy-unavailable"), std::string::npos) << audit.dump(2);
    const nlohmann::json plugins = pkilab_json("plugins list");
    ASSERT_EQ(plugins.size(), 1u) << plugins.dump(2);
    EXPECT_EQ(plugins[0]["mode"], "isolated");
    // Counted from the store: the two requests above, each made by its own command.
    EXPECT_EQ(plugins[0]["verdicts"]["allow"], 1) << plugins.dump(2);
    EXPECT_EQ(plugins[0]["verdicts"]["failed"], 1) << plugins.dump(2);
}

TEST_F(CliFlow, CheckCertReportsBothLyncFailuresOfAPssCertificateWithoutCdp) {
    // Made by openssl, not by pkilab, and checked without any lab.
    const std::string cert = (dir / "pss.pem").string();
    RunResult made = run("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + quote((dir / "pss.key").string()) +
                         " -subj /CN=pool.lab.test -addext subjectAltName=DNS:pool.lab.test -addext extendedKeyUsage=serverAuth"
                         " -sigopt rsa_padding_mode:pss -sha256 -days 30 -out " + quote(cert));
    ASSERT_EQ(made.exit_code, 0) << made.out;
    nlohmann::json j = pkilab_json("check cert " + quote(cert) + " --profile lync2013", 1);
    std::set<std::string> codes;
    for (const auto& f : j["findings"])
        if (f["severity"] == "error" && f["source"] == "profile") codes.insert(f["code"]);
    EXPECT_EQ(codes, (std::set<std::string>{"profile.cdp.missing", "profile.signature.pss"})) << j.dump(2);

    // A Lync certificate from the default lab passes, pool and SIP names included.
    lab_up();
    const std::string csr = openssl_csr("pool", "/CN=pool01.lab.test", "DNS:pool01.lab.test,DNS:sip.lab.test", "-newkey rsa:2048");
    const std::string issued = (dir / "pool.pem").string();
    ASSERT_EQ(pkilab("request submit --template LyncServer --csr " + quote(csr) + " --out " + quote(issued)).exit_code, 0);
    const std::string profile = " --profile lync2013 --set pool_fqdn=pool01.lab.test --set sip_domains=lab.test";
    nlohmann::json ok = pkilab_json("check cert " + quote(issued) + " --chain " + quote((dir / "chain.pem").string()) + profile);
    EXPECT_TRUE(ok["passes"].get<bool>()) << ok.dump(2);
    // The same certificate for a SIP domain it does not name fails, saying which SAN is missing.
    nlohmann::json other = pkilab_json("check cert " + quote(issued) + profile + " --set sip_domains=corp.test", 1);
    EXPECT_NE(other.dump().find("sip.corp.test is not a SAN"), std::string::npos) << other.dump(2);
    expect_verifies_everywhere(issued);

    // Before the request is made: the same profile on the certificate the CA would issue.
    const std::string bare = openssl_csr("bare", "/CN=pool02.lab.test", "DNS:pool02.lab.test", "-newkey rsa:2048");
    nlohmann::json before = pkilab_json("check request " + quote(bare) + " --template LyncServer --profile lync2013"
                                        " --set sip_domains=lab.test", 1);
    EXPECT_NE(before.dump().find("profile.lync.sip_san"), std::string::npos) << before.dump(2);
    nlohmann::json web = pkilab_json("check request " + quote(bare) + " --template WebServer --profile cabf-tls", 1);
    EXPECT_NE(web.dump().find("profile.validity.too_long"), std::string::npos) << web.dump(2);
}

TEST_F(CliFlow, DefaultLabIssuesWebServerCertificateThatIndependentToolsVerify) {
    lab_up();
    const std::string csr = openssl_csr("www", "/CN=www.lab.test", "DNS:www.lab.test");
    const std::string cert = (dir / "www.pem").string();
    nlohmann::json j = pkilab_json("request submit --template WebServer --csr " + quote(csr) + " --out " + quote(cert));
    ASSERT_EQ(j["state"], "issued") << j.dump();
    expect_verifies_everywhere(cert);

    RunResult purpose = run("openssl verify -purpose sslserver -verify_hostname www.lab.test -CAfile " +
                            quote((dir / "root.pem").string()) + " -untrusted " + quote((dir / "issuing.pem").string()) +
                            " " + quote(cert));
    EXPECT_EQ(purpose.exit_code, 0) << purpose.out;

    // The certificate carries what the template and CA say.
    RunResult text = run("openssl x509 -noout -text -in " + quote(cert));
    EXPECT_NE(text.out.find("TLS Web Server Authentication"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("CertEnroll/lab-issuing-ca.crl"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("OCSP - URI:http://127.0.0.1:8080/ocsp"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("DNS:www.lab.test"), std::string::npos) << text.out;
}

TEST_F(CliFlow, LabUpIsIdempotentAndKeepsTheSameCas) {
    lab_up();
    nlohmann::json first = pkilab_json("ca list");
    nlohmann::json again = pkilab_json("lab up " + quote(kDefaultLab));
    EXPECT_EQ(again["created"], false);
    for (const auto& ca : again["cas"]) EXPECT_EQ(ca["created"], false) << ca.dump();
    nlohmann::json second = pkilab_json("ca list");
    ASSERT_EQ(first.size(), second.size());
    for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i]["serial"], second[i]["serial"]);
}

TEST_F(CliFlow, ChangedLabFileIsReported) {
    const std::string lab = (dir / "lab.yaml").string();
    spit(lab, slurp(kDefaultLab));
    lab_up(lab);
    std::string text = slurp(lab);
    const std::string from = "CN=pkilab Lab Issuing CA";
    ASSERT_NE(text.find(from), std::string::npos) << "the default lab's issuing CA subject changed; update this test";
    text.replace(text.find(from), from.size(), "CN=Renamed Issuing CA");
    spit(lab, text);
    nlohmann::json j = pkilab_json("lab up " + quote(lab));
    EXPECT_EQ(j["lab_file_changed"], true);
    bool reported = false;
    for (const auto& ca : j["cas"])
        if (ca["name"] == "lab-issuing-ca" && !ca["differences"].empty()) reported = true;
    EXPECT_TRUE(reported) << j.dump(2);
}

TEST_F(CliFlow, PolicyRefusalExitsOneWithEveryReason) {
    lab_up();
    // RSA 1024 and an IP name the WebServer template does not allow in this form.
    const std::string csr = openssl_csr("weak", "/CN=weak.lab.test", "DNS:weak.lab.test,email:a@lab.test",
                                        "-newkey rsa:1024");
    nlohmann::json j = pkilab_json("request submit --template WebServer --csr " + quote(csr), 1);
    EXPECT_EQ(j["state"], "denied");
    std::set<std::string> codes;
    for (const auto& f : j["findings"]) codes.insert(f["code"].get<std::string>());
    EXPECT_TRUE(codes.count("template.key.size")) << j.dump(2);
    EXPECT_TRUE(codes.count("template.san.type_not_allowed")) << j.dump(2);
    // The refusal is recorded with its reasons.
    nlohmann::json shown = pkilab_json("request show " + std::to_string(j["request_id"].get<int>()) + " --ca lab-issuing-ca");
    EXPECT_EQ(shown["state"], "denied");
    EXPECT_GE(shown["findings"].size(), 2u);
}

TEST_F(CliFlow, BadCsrIsBadInputAndAudited) {
    lab_up();
    const std::string junk = (dir / "junk.csr").string();
    spit(junk, "-----BEGIN CERTIFICATE REQUEST-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END CERTIFICATE REQUEST-----\n");
    RunResult r = pkilab("request submit --template WebServer --csr " + quote(junk));
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("CSR"), std::string::npos) << r.out;
    nlohmann::json audit = pkilab_json("audit --limit 100");
    bool found = false;
    for (const auto& e : audit)
        if (e["action"] == "submit" && e["outcome"] == "rejected") found = true;
    EXPECT_TRUE(found) << audit.dump(2);
}

TEST_F(CliFlow, RevokeHoldReleaseAndSearch) {
    lab_up();
    const std::string csr = openssl_csr("r", "/CN=r.lab.test", "DNS:r.lab.test");
    nlohmann::json issued = pkilab_json("request submit --template WebServer --csr " + quote(csr));
    const std::string serial = issued["serial"];

    nlohmann::json held = pkilab_json("hold " + serial);
    EXPECT_EQ(held["status"], "on-hold");
    nlohmann::json released = pkilab_json("release " + serial);
    EXPECT_EQ(released["status"], "valid");
    nlohmann::json revoked = pkilab_json("revoke " + serial + " --reason keyCompromise");
    EXPECT_EQ(revoked["status"], "revoked");
    EXPECT_EQ(revoked["revocation"]["reason"], "keyCompromise");
    RunResult again = pkilab("revoke " + serial + " --reason superseded");
    EXPECT_EQ(again.exit_code, 2) << again.out;
    EXPECT_NE(again.out.find("already revoked"), std::string::npos) << again.out;
    RunResult bad_release = pkilab("release " + serial);
    EXPECT_EQ(bad_release.exit_code, 2) << bad_release.out;

    nlohmann::json found = pkilab_json("cert list --san r.lab.test --status revoked");
    ASSERT_EQ(found.size(), 1u) << found.dump(2);
    EXPECT_EQ(found[0]["serial"], serial);
    RunResult bad_reason = pkilab("revoke " + serial + " --reason sleepy");
    EXPECT_EQ(bad_reason.exit_code, 2);
    EXPECT_NE(bad_reason.out.find("--reason"), std::string::npos) << bad_reason.out;
}

TEST_F(CliFlow, ExportFormatsAreReadableByOpenssl) {
    lab_up();
    const std::string csr = openssl_csr("e", "/CN=e.lab.test", "DNS:e.lab.test");
    const std::string serial = pkilab_json("request submit --template WebServer --csr " + quote(csr))["serial"];
    for (const std::string format : {"pem", "der", "p7b", "chain"}) {
        const std::string out = (dir / ("e." + format)).string();
        ASSERT_EQ(pkilab("cert export " + serial + " --format " + format + " --out " + quote(out)).exit_code, 0) << format;
    }
    EXPECT_EQ(run("openssl x509 -noout -in " + quote((dir / "e.pem").string())).exit_code, 0);
    EXPECT_EQ(run("openssl x509 -inform DER -noout -in " + quote((dir / "e.der").string())).exit_code, 0);
    RunResult p7 = run("openssl pkcs7 -inform DER -print_certs -noout -in " + quote((dir / "e.p7b").string()));
    EXPECT_EQ(p7.exit_code, 0) << p7.out;
    EXPECT_NE(p7.out.find("pkilab Lab Root CA"), std::string::npos) << p7.out;
    RunResult chain = run("openssl verify -CAfile " + quote((dir / "root.pem").string()) + " -untrusted " +
                          quote((dir / "e.chain").string()) + " " + quote((dir / "e.pem").string()));
    EXPECT_EQ(chain.exit_code, 0) << chain.out;
}

TEST_F(CliFlow, ClockAdvanceAgesCertificates) {
    lab_up();
    const std::string csr = openssl_csr("c", "/CN=c.lab.test", "DNS:c.lab.test");
    const std::string serial = pkilab_json("request submit --template WebServer --csr " + quote(csr))["serial"];
    nlohmann::json clock = pkilab_json("clock advance 3y");
    EXPECT_EQ(clock["offset"], "3y");
    nlohmann::json shown = pkilab_json("cert show " + serial);
    EXPECT_EQ(shown["status"], "expired") << shown.dump(2);
    pkilab_json("clock set now");
    EXPECT_EQ(pkilab_json("cert show " + serial)["status"], "valid");
}

TEST_F(CliFlow, PendingRequestIsApprovedByAnOfficer) {
    lab_up(std::string(PKILAB_TEST_DATA) + "/labs/approval.yaml");
    const std::string csr = openssl_csr("p", "/CN=p.lab.test", "DNS:p.lab.test");
    nlohmann::json j = pkilab_json("request submit --template ApprovedWeb --csr " + quote(csr));
    ASSERT_EQ(j["state"], "pending") << j.dump(2);
    EXPECT_EQ(j["disposition"], "Taken Under Submission");
    const std::string id = std::to_string(j["request_id"].get<int>());
    nlohmann::json listed = pkilab_json("request list --state pending");
    ASSERT_EQ(listed.size(), 1u) << listed.dump(2);
    const std::string cert = (dir / "p.pem").string();
    nlohmann::json approved = pkilab_json("request approve " + id);
    EXPECT_EQ(approved["state"], "issued") << approved.dump(2);
    RunResult twice = pkilab("request approve " + id);
    EXPECT_EQ(twice.exit_code, 2) << twice.out;
    EXPECT_NE(twice.out.find("only pending requests"), std::string::npos) << twice.out;
    ASSERT_EQ(pkilab("cert export " + approved["serial"].get<std::string>() + " --out " + quote(cert)).exit_code, 0);
    expect_verifies_everywhere(cert);
}

TEST_F(CliFlow, ServerSideKeygenMakesAPkcs12) {
    lab_up();
    RunResult r = run("PKILAB_P12_PASSWORD=secret-for-test " + quote(kPkilab) + " --state " + quote(state()) +
                      " --json request submit --template LyncServer --keygen --subject 'CN=pool.lab.test' "
                      "--san dns:pool.lab.test --san dns:sip.lab.test --p12-out " + quote((dir / "pool.p12").string()));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    RunResult p12 = run("openssl pkcs12 -in " + quote((dir / "pool.p12").string()) +
                        " -passin pass:secret-for-test -nodes -info");
    EXPECT_EQ(p12.exit_code, 0) << p12.out;
    EXPECT_NE(p12.out.find("BEGIN PRIVATE KEY"), std::string::npos) << p12.out;
    EXPECT_NE(p12.out.find("CN = pool.lab.test"), std::string::npos) << p12.out;
    EXPECT_NE(p12.out.find("PBES2, PBKDF2, AES-256-CBC"), std::string::npos) << p12.out;
    RunResult wrong = run("openssl pkcs12 -in " + quote((dir / "pool.p12").string()) + " -passin pass:wrong -nodes -noout");
    EXPECT_NE(wrong.exit_code, 0) << wrong.out;
    // A template that does not allow it refuses, naming the template.
    RunResult refused = run("PKILAB_P12_PASSWORD=x " + quote(kPkilab) + " --state " + quote(state()) +
                            " request submit --template WebServer --keygen --subject 'CN=w.lab.test' --san dns:w.lab.test"
                            " --p12-out " + quote((dir / "w.p12").string()));
    EXPECT_EQ(refused.exit_code, 2) << refused.out;
    EXPECT_NE(refused.out.find("does not allow server-side key generation"), std::string::npos) << refused.out;
}

TEST_F(CliFlow, KeyAndCsrHelpersFeedTheCa) {
    lab_up();
    const std::string key = (dir / "u.key").string();
    const std::string csr = (dir / "u.csr").string();
    ASSERT_EQ(pkilab("key new --type rsa2048 --out " + quote(key)).exit_code, 0);
    ASSERT_EQ(pkilab("csr new --key " + quote(key) + " --subject 'CN=u.lab.test' --san dns:u.lab.test --out " + quote(csr)).exit_code, 0);
    EXPECT_EQ(run("openssl req -verify -noout -in " + quote(csr)).exit_code, 0);
    const std::string cert = (dir / "u.pem").string();
    nlohmann::json j = pkilab_json("request submit --template WebServer --csr " + quote(csr) + " --out " + quote(cert));
    EXPECT_EQ(j["state"], "issued") << j.dump(2);
    expect_verifies_everywhere(cert);
}

TEST_F(CliFlow, PssAndSha1CasAreLoudAndPssChainsVerify) {
    const std::string lab = std::string(PKILAB_TEST_DATA) + "/labs/legacy.yaml";
    RunResult up = pkilab("lab up " + quote(lab));
    ASSERT_EQ(up.exit_code, 0) << up.out;
    EXPECT_NE(up.out.find("WARNING: CA sha1-issuing-ca signs with SHA-1"), std::string::npos) << up.out;
    EXPECT_NE(up.out.find("WARNING: CA lab-issuing-ca signs with RSASSA-PSS"), std::string::npos) << up.out;
    ASSERT_EQ(pkilab("ca export lab-root-ca --out " + quote((dir / "root.pem").string())).exit_code, 0);
    ASSERT_EQ(pkilab("ca export lab-issuing-ca --chain --out " + quote((dir / "chain.pem").string())).exit_code, 0);
    ASSERT_EQ(pkilab("ca export lab-issuing-ca --out " + quote((dir / "issuing.pem").string())).exit_code, 0);

    const std::string csr = openssl_csr("pss", "/CN=pss.lab.test", "DNS:pss.lab.test", "-newkey rsa:2048");
    const std::string cert = (dir / "pss.pem").string();
    nlohmann::json j = pkilab_json("request submit --template WebServer --ca lab-issuing-ca --csr " + quote(csr) + " --out " + quote(cert));
    ASSERT_EQ(j["state"], "issued") << j.dump(2);
    RunResult text = run("openssl x509 -noout -text -in " + quote(cert));
    EXPECT_NE(text.out.find("Signature Algorithm: rsassaPss"), std::string::npos) << text.out;
    expect_verifies_everywhere(cert);

    const std::string sha1 = (dir / "sha1.pem").string();
    nlohmann::json k = pkilab_json("request submit --template WebServer --ca sha1-issuing-ca --csr " + quote(csr) + " --out " + quote(sha1));
    ASSERT_EQ(k["state"], "issued") << k.dump(2);
    EXPECT_NE(run("openssl x509 -noout -text -in " + quote(sha1)).out.find("sha1WithRSAEncryption"), std::string::npos);
}

TEST_F(CliFlow, MissingLabGivesAClearError) {
    RunResult r = pkilab("ca list");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("lab up"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace pkilab::test
