// The policy-plugin host: loading checks (ABI, entry point, file location and mode), the
// chain's verdicts through the real pipeline (allow, deny with reasons, pend, fail closed on
// errors, garbage and exceptions), and the built-in key policy.
#include "ca/plugin/policy_host.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <openssl/bn.h>

#include "ca/errors.hpp"
#include "ca/pipeline/issuance.hpp"
#include "lab_fixture.hpp"
#include "plugin_test_support.hpp"
#include "plugins/key_policy/fermat.hpp"
#include "plugins/key_policy/roca.hpp"

namespace pkilab::test {
namespace {

namespace fs = std::filesystem;

const std::string kGood = "    - {name: gate, file: libtest_plugin_good.so, config: {marker: forbidden}}\n";

TEST(PluginHost, ChainAllowsDeniesAndPendsThroughThePipeline) {
    LabFixture fx(lab_with(kGood, "gate"));
    IssuanceOutcome ok = ask(fx, "www.lab.test");
    EXPECT_EQ(ok.state, RequestState::Issued);
    EXPECT_TRUE(has_code(ok.findings, "test.seen"));  // it saw the draft's SAN

    IssuanceOutcome no = ask(fx, "forbidden.lab.test");
    EXPECT_EQ(no.state, RequestState::Denied);
    ASSERT_TRUE(has_code(no.findings, "test.subject.denied"));
    for (const auto& f : no.findings)
        if (f.code == "test.subject.denied") {
            EXPECT_EQ(f.source, "gate");
            EXPECT_EQ(f.field, "subject");
            EXPECT_EQ(f.hint, "choose another subject");
        }

    IssuanceOutcome wait = ask(fx, "pend.lab.test");
    EXPECT_EQ(wait.state, RequestState::Pending);
    // The officer's approval issues it: a plugin's pend is a request for approval, not a veto.
    IssuanceOutcome approved = approve(fx.ctx(), wait.ca, wait.request_id, {"olga", "officer", "cli"});
    EXPECT_EQ(approved.state, RequestState::Issued);
}

TEST(PluginHost, FailsClosedOnEveryKindOfBadAnswer) {
    LabFixture fx(lab_with(kGood + "    - {name: thrower, file: libtest_plugin_throws.so}\n", "gate"));
    struct Case {
        const char* cn;
        const char* code;
    };
    for (const Case& c : {Case{"silent.lab.test", "plugin.denied"}, Case{"garbage.lab.test", "plugin.bad_verdict"},
                          Case{"oddseverity.lab.test", "plugin.bad_finding"}, Case{"error.lab.test", "plugin.error"}}) {
        IssuanceOutcome o = ask(fx, c.cn);
        EXPECT_EQ(o.state, RequestState::Denied) << c.cn;
        EXPECT_TRUE(has_code(o.findings, c.code)) << c.cn;
    }
    IssuanceOutcome garbage = ask(fx, "garbage.lab.test");
    EXPECT_NE(garbage.disposition.find("policy unavailable: gate:"), std::string::npos) << garbage.disposition;

    LabFixture fx2(lab_with(kGood + "    - {name: thrower, file: libtest_plugin_throws.so}\n", "gate, thrower"));
    for (int i = 0; i < 50; ++i) {
        IssuanceOutcome o = ask(fx2, "www" + std::to_string(i) + ".lab.test");
        ASSERT_EQ(o.state, RequestState::Denied);
        ASSERT_TRUE(has_code(o.findings, "plugin.exception"));
    }
}

void expect_load_refused(const std::string& load, const std::string& part) {
    try {
        LabFixture fx(lab_with(load, ""));
        FAIL() << "loaded: " << load;
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
}

TEST(PluginHost, RefusesBadLibrariesAtLabUp) {
    expect_load_refused("    - {name: p, file: libtest_plugin_abi2.so}\n", "built for plugin ABI 2.0");
    expect_load_refused("    - {name: p, file: libtest_plugin_no_entry.so}\n", "has no pkilab_plugin_entry() entry point");
    expect_load_refused("    - {name: p, file: libtest_plugin_declines.so}\n", "declined to serve plugin ABI 1.0");
    expect_load_refused("    - {name: p, file: libnothere.so}\n", "in none of the plugin directories");
    expect_load_refused("    - {name: p, file: /etc/hostname}\n", "is outside the plugin directories");
    expect_load_refused("    - {name: p, file: libtest_plugin_good.so, config: {colour: blue}}\n",
                        "refused its configuration: colour: unknown setting");
}

TEST(PluginHost, RefusesAWorldWritablePlugin) {
    const fs::path dir = fs::temp_directory_path() / ("pkilab-plugins-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all);
    fs::copy_file(kTestPlugins + "/libtest_plugin_good.so", dir / "libtest_plugin_good.so", fs::copy_options::overwrite_existing);
    ::chmod((dir / "libtest_plugin_good.so").c_str(), 0666);
    PluginsConfig cfg;
    cfg.directories = {dir.string()};
    cfg.load.push_back(PluginConfig{"p", "libtest_plugin_good.so", "lab.yaml:1:1", {}, "{}"});
    try {
        PolicyHost(cfg, "/").load();
        FAIL() << "a world-writable plugin was loaded";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("writable by every user"), std::string::npos) << e.what();
    }
    fs::remove_all(dir);
}

TEST(PluginHost, StatusCountsVerdicts) {
    LabFixture fx(lab_with(kGood, "gate"));
    ask(fx, "a.lab.test");
    ask(fx, "forbidden.lab.test");
    ask(fx, "pend.lab.test");
    auto status = fx.lab().policies().status();
    ASSERT_EQ(status.size(), 1u);
    EXPECT_EQ(status[0].plugin, "test-plugin");
    EXPECT_EQ(status[0].abi, "1.0");
    EXPECT_EQ(status[0].allowed, 1u);
    EXPECT_EQ(status[0].denied, 1u);
    EXPECT_EQ(status[0].pended, 1u);
}

// ---- the built-in key policy ----

const std::string kKeys =
    "    - name: keys\n      file: libpkilab_key_policy.so\n      config: {rsa_min_bits: 3072, curves: [P-384], "
    "algorithms: [rsa, ec]}\n";

TEST(KeyPolicyPlugin, RefusesWeakOrUnlistedKeysWithTheirReasons) {
    LabFixture fx(lab_with(kKeys, "keys"));
    // P-256 is allowed by the template but not by this plugin; P-384 passes.
    IssuanceOutcome p256 = ask(fx, "a.lab.test");
    EXPECT_EQ(p256.state, RequestState::Denied);
    EXPECT_TRUE(has_code(p256.findings, "key.ec.curve_not_allowed"));
    IssuanceOutcome p384 = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=b.lab.test", {dns("b.lab.test")}, "P-384"), kAlice});
    EXPECT_EQ(p384.state, RequestState::Issued);

    ossl::PkeyPtr rsa = generate_key(KeySpec{KeyAlgorithm::Rsa, 2048, ""});
    IssuanceOutcome small = submit(fx.ctx(), {"WebServer", "", csr_to_der(make_csr(rsa.get(), "CN=c.lab.test", {dns("c.lab.test")}).get()), kAlice});
    EXPECT_EQ(small.state, RequestState::Denied);
    EXPECT_TRUE(has_code(small.findings, "key.rsa.too_small"));
}

TEST(KeyPolicyPlugin, RefusesUnknownSettings) {
    expect_load_refused("    - {name: keys, file: libpkilab_key_policy.so, config: {rsa_min_bitz: 3072}}\n",
                        "unknown key 'rsa_min_bitz'");
}

// ---- the built-in product profiles, on the draft the CA is about to sign ----

TEST(ProductProfilePlugin, LyncProfileJudgesTheDraftNameByName) {
    std::string yaml = lab_with(
        "    - name: lync\n      file: libpkilab_product_profile.so\n"
        "      config: {profile: lync2013, pool_fqdn: pool01.lab.test, sip_domains: [lab.test, corp.test]}\n",
        "");
    // The chain belongs to the LyncServer template here, not to the CA.
    const std::string tmpl = "templates:\n";
    yaml.replace(yaml.find(tmpl), tmpl.size(), tmpl + "  - name: LyncPool\n    base: LyncServer\n    policy: [lync]\n");
    const std::string published = "Approved, Fixed]";
    yaml.replace(yaml.find(published), published.size(), "Approved, Fixed, LyncPool]");
    LabFixture fx(yaml);
    ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Rsa, 2048, ""});
    auto request = [&](std::vector<GeneralName> sans) {
        return submit(fx.ctx(), {"LyncPool", "", csr_to_der(make_csr(key.get(), "CN=pool01.lab.test", sans).get()), kAlice});
    };
    IssuanceOutcome good = request({dns("pool01.lab.test"), dns("sip.lab.test"), dns("sip.corp.test")});
    EXPECT_EQ(good.state, RequestState::Issued);
    // One SIP name missing among good ones: refused for exactly that name.
    IssuanceOutcome missing = request({dns("pool01.lab.test"), dns("sip.lab.test")});
    EXPECT_EQ(missing.state, RequestState::Denied);
    int sip_errors = 0;
    for (const auto& f : missing.findings)
        if (f.code == "profile.lync.sip_san") {
            ++sip_errors;
            EXPECT_NE(f.message.find("sip.corp.test"), std::string::npos) << f.message;
        }
    EXPECT_EQ(sip_errors, 1);
    // The WebServer template has no such chain: the same names issue there.
    IssuanceOutcome web = submit(fx.ctx(), {"WebServer", "", csr_to_der(make_csr(key.get(), "CN=pool01.lab.test", {dns("pool01.lab.test")}).get()), kAlice});
    EXPECT_EQ(web.state, RequestState::Issued);
}

TEST(ProductProfilePlugin, CabfProfileCapsValidityAndUnknownProfilesAreRefused) {
    LabFixture fx(lab_with("    - {name: web, file: libpkilab_product_profile.so, config: {profile: cabf-tls}}\n", "web"));
    IssuanceOutcome o = ask(fx, "www.lab.test");  // WebServer: 2 years
    EXPECT_EQ(o.state, RequestState::Denied);
    EXPECT_TRUE(has_code(o.findings, "profile.validity.too_long"));
    expect_load_refused("    - {name: p, file: libpkilab_product_profile.so, config: {profile: lync2099}}\n",
                        "unknown profile 'lync2099' (known: lync2013");
}

// ---- signature, extension, validity and approval policies ----

TEST(SignaturePolicyPlugin, RefusesHashesAndPaddingTheConfigurationForbids) {
    // The test lab's CAs sign with ECDSA SHA-256: allowed by default, refused when only
    // SHA-384 is allowed; a SHA-1-signed request is refused when requests are checked too.
    LabFixture fx(lab_with("    - {name: sig, file: libpkilab_signature_policy.so, config: {hashes: [sha384]}}\n", "sig"));
    IssuanceOutcome o = ask(fx, "www.lab.test");
    EXPECT_EQ(o.state, RequestState::Denied);
    EXPECT_TRUE(has_code(o.findings, "signature.hash_not_allowed"));

    LabFixture fx2(lab_with("    - {name: sig, file: libpkilab_signature_policy.so, config: {check_request: true}}\n", "sig"));
    EXPECT_EQ(ask(fx2, "www.lab.test").state, RequestState::Issued);
    ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Rsa, 2048, ""});
    ossl::X509ReqPtr req = make_csr(key.get(), "CN=old.lab.test", {dns("old.lab.test")});
    ASSERT_GT(X509_REQ_sign(req.get(), key.get(), EVP_sha1()), 0);
    IssuanceOutcome sha1 = submit(fx2.ctx(), {"WebServer", "", csr_to_der(req.get()), kAlice});
    EXPECT_EQ(sha1.state, RequestState::Denied);
    EXPECT_TRUE(has_code(sha1.findings, "signature.sha1"));
}

TEST(ExtensionPolicyPlugin, RequiredAndForbiddenEkusAndExtensions) {
    LabFixture fx(lab_with("    - name: ext\n      file: libpkilab_extension_policy.so\n"
                           "      config: {required_ekus: [serverAuth, clientAuth], forbidden_extensions: [1.3.6.1.4.1.311.20.2],"
                           " require_cdp: true}\n",
                           "ext"));
    IssuanceOutcome o = ask(fx, "www.lab.test");  // WebServer: serverAuth only, and the MS template name
    EXPECT_EQ(o.state, RequestState::Denied);
    EXPECT_TRUE(has_code(o.findings, "extension.eku.missing"));
    EXPECT_TRUE(has_code(o.findings, "extension.forbidden"));
    EXPECT_FALSE(has_code(o.findings, "extension.cdp.missing"));  // the issuing CA writes a CDP
    expect_load_refused("    - {name: ext, file: libpkilab_extension_policy.so, config: {required_ekus: [serverAuthh]}}\n",
                        "'serverAuthh' is neither a known name nor a dotted OID");
}

TEST(ValidityPolicyPlugin, CapsAndMinimums) {
    LabFixture capped(lab_with("    - {name: v, file: libpkilab_validity_policy.so, config: {max: 398d}}\n", "v"));
    IssuanceOutcome o = ask(capped, "www.lab.test");  // WebServer: 2 years
    EXPECT_EQ(o.state, RequestState::Denied);
    EXPECT_TRUE(has_code(o.findings, "validity.too_long"));
    LabFixture fine(lab_with("    - {name: v, file: libpkilab_validity_policy.so, config: {max: 3y, min: 1y, max_backdate: 2h}}\n", "v"));
    EXPECT_EQ(ask(fine, "www.lab.test").state, RequestState::Issued);
    // The WebServer template backdates an hour: a policy allowing none refuses it.
    LabFixture strict(lab_with("    - {name: v, file: libpkilab_validity_policy.so, config: {max_backdate: 0h}}\n", "v"));
    EXPECT_TRUE(has_code(ask(strict, "www.lab.test").findings, "validity.backdated"));
}

TEST(ApprovalPolicyPlugin, HoldsMatchingRequestsOnly) {
    LabFixture fx(lab_with("    - {name: hold, file: libpkilab_approval_policy.so, config: {san_matches: [\"*.prod.lab.test\"]}}\n", "hold"));
    IssuanceOutcome held = ask(fx, "db.prod.lab.test");
    EXPECT_EQ(held.state, RequestState::Pending);
    EXPECT_TRUE(has_code(held.findings, "approval.required"));
    EXPECT_EQ(ask(fx, "db.test.lab.test").state, RequestState::Issued);
    EXPECT_EQ(ask(fx, "a.db.prod.lab.test").state, RequestState::Issued);  // * is one label
}

TEST(NamePolicyPlugin, OneBadNameAmongManyGetsOneFindingNamingIt) {
    LabFixture fx(lab_with("    - name: names\n      file: libpkilab_name_policy.so\n"
                           "      config: {dns_allow: [\".lab.test\"], dns_deny: [\".prod.lab.test\"], ip_allow: [10.0.0.0/8],"
                           " cn_in_sans: true}\n",
                           "names"));
    std::vector<GeneralName> sans{dns("a.lab.test"), dns("b.lab.test"), dns("db.prod.lab.test"), dns("c.lab.test"),
                                  GeneralName{NameType::Ip, "10.1.2.3"}};
    IssuanceOutcome o = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=a.lab.test", sans), kAlice});
    EXPECT_EQ(o.state, RequestState::Denied);
    std::vector<std::string> fields;
    for (const auto& f : o.findings)
        if (f.source == "names" && f.severity == Severity::Error) fields.push_back(f.field + " " + f.code);
    EXPECT_EQ(fields, std::vector<std::string>{"san[2] name.dns.denied"});

    IssuanceOutcome outside = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=x.lab.test", {dns("x.lab.test"), GeneralName{NameType::Ip, "192.168.0.1"}}), kAlice});
    EXPECT_TRUE(has_code(outside.findings, "name.ip.not_allowed"));
    EXPECT_FALSE(has_code(outside.findings, "name.cn_not_in_san"));
    IssuanceOutcome wild = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=w.lab.test", {dns("w.lab.test"), dns("*.lab.test")}), kAlice});
    EXPECT_TRUE(has_code(wild.findings, "name.dns.wildcard"));
    IssuanceOutcome cn = submit(fx.ctx(), {"WebServer", "", ec_csr("CN=y.lab.test", {dns("z.lab.test")}), kAlice});
    EXPECT_TRUE(has_code(cn.findings, "name.cn_not_in_san"));
    EXPECT_EQ(ask(fx, "ok.lab.test").state, RequestState::Issued);
}

// A number's big-endian bytes, as the plugins see a modulus (pkilab_key.rsa_modulus).
Bytes magnitude(const BIGNUM* bn) {
    Bytes out(static_cast<size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, out.data());
    return out;
}

// The modulus of a freshly generated 2048-bit RSA key.
Bytes fresh_rsa_modulus() {
    ossl::PkeyPtr rsa = generate_key(KeySpec{KeyAlgorithm::Rsa, 2048, ""});
    BIGNUM* raw = nullptr;
    EXPECT_EQ(EVP_PKEY_get_bn_param(rsa.get(), "n", &raw), 1);
    ossl::BignumPtr n(raw);
    return n ? magnitude(n.get()) : Bytes{};
}

// A modulus whose primes are neighbours factors at once; a real RSA modulus does not.
TEST(KeyPolicyPlugin, FermatFindsClosePrimes) {
    ossl::BignumPtr p(BN_new()), q(BN_new()), n(BN_new());
    ossl::Ptr<BN_CTX, BN_CTX_free> ctx(BN_CTX_new());
    ASSERT_EQ(BN_generate_prime_ex(p.get(), 1024, 0, nullptr, nullptr, nullptr), 1);
    ASSERT_EQ(BN_copy(q.get(), p.get()) != nullptr, true);
    do {
        ASSERT_EQ(BN_add_word(q.get(), 2), 1);
    } while (BN_check_prime(q.get(), ctx.get(), nullptr) != 1);
    ASSERT_EQ(BN_mul(n.get(), p.get(), q.get(), ctx.get()), 1);
    const Bytes close = magnitude(n.get());
    EXPECT_TRUE(key_policy::fermat_factorable(close.data(), close.size(), 10));

    const Bytes normal = fresh_rsa_modulus();
    ASSERT_FALSE(normal.empty());
    EXPECT_FALSE(key_policy::fermat_factorable(normal.data(), normal.size(), 100));
}

// A modulus built the way RSALib builds its primes has the fingerprint; ordinary keys do not.
TEST(KeyPolicyPlugin, RocaFingerprint) {
    ossl::Ptr<BN_CTX, BN_CTX_free> ctx(BN_CTX_new());
    // M: the product of the primes up to 167 (RSALib's M for 512-bit keys; larger keys use more).
    ossl::BignumPtr m(BN_new());
    BN_one(m.get());
    for (unsigned p = 2; p <= 167; ++p) {
        bool prime = true;
        for (unsigned d = 2; d * d <= p; ++d) prime = prime && p % d != 0;
        if (prime) {
            ASSERT_EQ(BN_mul_word(m.get(), p), 1);
        }
    }
    auto fake_prime = [&](unsigned a) {  // k * M + (65537^a mod M), k random
        ossl::BignumPtr g(BN_new()), e(BN_new()), r(BN_new()), k(BN_new()), out(BN_new());
        BN_set_word(g.get(), 65537);
        BN_set_word(e.get(), a);
        EXPECT_EQ(BN_mod_exp(r.get(), g.get(), e.get(), m.get(), ctx.get()), 1);
        EXPECT_EQ(BN_rand(k.get(), 800, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY), 1);
        EXPECT_EQ(BN_mul(out.get(), k.get(), m.get(), ctx.get()), 1);
        EXPECT_EQ(BN_add(out.get(), out.get(), r.get()), 1);
        return out;
    };
    ossl::BignumPtr p = fake_prime(12345), q = fake_prime(67890), n(BN_new());
    ASSERT_EQ(BN_mul(n.get(), p.get(), q.get(), ctx.get()), 1);
    const Bytes vulnerable = magnitude(n.get());
    EXPECT_TRUE(key_policy::roca_fingerprint(vulnerable.data(), vulnerable.size()));

    for (int i = 0; i < 5; ++i) {
        const Bytes normal = fresh_rsa_modulus();
        ASSERT_FALSE(normal.empty());
        EXPECT_FALSE(key_policy::roca_fingerprint(normal.data(), normal.size()));
    }
}

}  // namespace
}  // namespace pkilab::test
