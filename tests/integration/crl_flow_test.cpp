// CRLs through the `pkilab` command, checked by tools we did not write: OpenSSL (verify with
// -crl_check_all and -use_deltas), GnuTLS certtool --verify-crl and Python cryptography, across
// revoke, hold, release, republication and a lab clock that moves on.
#include <filesystem>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "process.hpp"

namespace pkilab::test {
namespace {

const std::string kPkilab = PKILAB_BINARY;
const std::string kDefaultLab = std::string(PKILAB_SOURCE_DIR) + "/lab/default/lab.yaml";
const std::string kCrlPy = std::string(PKILAB_SOURCE_DIR) + "/tests/integration/verify_crl_with_cryptography.py";

class CrlFlow : public ::testing::Test {
protected:
    TempDir dir;
    std::string path(const std::string& name) const { return (dir / name).string(); }
    std::string state() const { return path("state"); }

    RunResult pkilab(const std::string& args) const { return run(quote(kPkilab) + " --state " + quote(state()) + " " + args); }
    nlohmann::json pkilab_json(const std::string& args) const {
        RunResult r = run("{ " + quote(kPkilab) + " --state " + quote(state()) + " --json " + args + " 2>/dev/null; }");
        EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.out;
        try {
            return nlohmann::json::parse(r.out);
        } catch (const std::exception&) {
            ADD_FAILURE() << "not JSON from `pkilab " << args << "`: " << r.out;
            return {};
        }
    }

    // The default lab; `issuing_crl` replaces the issuing CA's crl: settings.
    void up(const std::string& issuing_crl = "") const {
        std::string lab = slurp(kDefaultLab);
        if (!issuing_crl.empty()) {
            const std::string anchor = "    path_length: 0\n";
            lab.replace(lab.find(anchor), anchor.size(), anchor + "    crl: " + issuing_crl + "\n");
        }
        spit(path("lab.yaml"), lab);
        ASSERT_EQ(pkilab("lab up " + quote(path("lab.yaml"))).exit_code, 0);
        ASSERT_EQ(pkilab("ca export lab-root-ca --out " + quote(path("root.pem"))).exit_code, 0);
        ASSERT_EQ(pkilab("ca export lab-issuing-ca --out " + quote(path("issuing.pem"))).exit_code, 0);
    }

    // Issues a WebServer certificate for `name` from an OpenSSL-made CSR; returns its serial (hex).
    std::string issue(const std::string& name) const {
        const std::string csr = path(name + ".csr"), cert = path(name + ".pem");
        RunResult r = run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                          quote(path(name + ".key")) + " -subj /CN=" + name + " -addext subjectAltName=DNS:" + name +
                          " -out " + quote(csr));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        r = pkilab("request submit --template WebServer --csr " + quote(csr) + " --out " + quote(cert));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        r = run("openssl x509 -in " + quote(cert) + " -noout -serial");
        return r.out.substr(r.out.find('=') + 1, r.out.find_last_not_of("\n") - r.out.find('='));
    }

    // The CA's latest CRL of a kind as PEM in the test folder.
    std::string crl_pem(const std::string& ca, bool delta) const {
        const std::string out = path(ca + (delta ? "-delta" : "-base") + ".crl.pem");
        RunResult r = pkilab("crl show --ca " + ca + (delta ? " --delta" : "") + " --pem --out " + quote(out));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return out;
    }

    RunResult verify(const std::string& cert, const std::vector<std::string>& crls, bool use_deltas) const {
        std::string bundle;
        for (const auto& c : crls) bundle += slurp(c);
        spit(path("crls.pem"), bundle);
        return run("openssl verify -CAfile " + quote(path("root.pem")) + " -untrusted " + quote(path("issuing.pem")) +
                   " -crl_check_all" + (use_deltas ? " -use_deltas" : "") + " -CRLfile " + quote(path("crls.pem")) + " " +
                   quote(path(cert + ".pem")));
    }

    void python(const std::string& crl, const std::string& issuer, const std::string& args) const {
        RunResult r = run("/usr/bin/python3 " + quote(kCrlPy) + " " + quote(crl) + " " + quote(path(issuer)) + " " + args);
        EXPECT_EQ(r.exit_code, 0) << "python cryptography on " << crl << " " << args << ": " << r.out;
    }

    void certtool(const std::string& crl, const std::string& issuer) const {
        RunResult r = run("certtool --verify-crl --load-ca-certificate " + quote(path(issuer)) + " --infile " + quote(crl));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        EXPECT_NE(r.out.find("Verification output: Verified"), std::string::npos) << r.out;
    }
};

TEST_F(CrlFlow, ByDefaultARevocationIsInTheBaseCrlAtOnce) {
    up();
    const std::string a = issue("a.lab.test"), b = issue("b.lab.test");
    // lab up published base CRL 1 and delta CRL 2; revoking publishes base 3 and its delta 4.
    ASSERT_EQ(pkilab("revoke " + b + " --reason superseded").exit_code, 0);
    const std::string root_base = crl_pem("lab-root-ca", false);
    const std::string base = crl_pem("lab-issuing-ca", false), delta = crl_pem("lab-issuing-ca", true);
    python(base, "issuing.pem", "--number 3 --listed " + b + "=superseded --absent " + a);
    python(delta, "issuing.pem", "--number 4 --delta-of 3 --absent " + b);
    certtool(base, "issuing.pem");
    certtool(delta, "issuing.pem");
    RunResult rb = verify("b.lab.test", {root_base, base}, false);
    EXPECT_NE(rb.out.find("certificate revoked"), std::string::npos) << rb.out;
    EXPECT_EQ(verify("a.lab.test", {root_base, base}, false).exit_code, 0);
    EXPECT_EQ(verify("a.lab.test", {root_base, base, delta}, true).exit_code, 0);
}

TEST_F(CrlFlow, IndependentToolsAgreeThroughRevokeHoldReleaseAndRepublication) {
    up("{publish_on_revoke: delta}");  // AD CS's way: the change goes into delta CRLs
    const std::string a = issue("a.lab.test"), b = issue("b.lab.test"), c = issue("c.lab.test");

    // lab up published each CA's base CRL 1 and delta CRL 2; revoking publishes delta 3.
    ASSERT_EQ(pkilab("revoke " + b + " --reason keyCompromise").exit_code, 0);
    const std::string root_base = crl_pem("lab-root-ca", false), root_delta = crl_pem("lab-root-ca", true);
    std::string base = crl_pem("lab-issuing-ca", false), delta = crl_pem("lab-issuing-ca", true);
    python(base, "issuing.pem", "--number 1 --absent " + b);
    python(delta, "issuing.pem", "--number 3 --delta-of 1 --listed " + b + "=key_compromise --absent " + a);
    python(root_base, "root.pem", "--number 1");
    python(root_delta, "root.pem", "--number 2 --delta-of 1");
    for (const auto& crl : {base, delta}) certtool(crl, "issuing.pem");
    for (const auto& crl : {root_base, root_delta}) certtool(crl, "root.pem");

    // Without the delta the base does not know yet; with it OpenSSL refuses b.
    EXPECT_EQ(verify("b.lab.test", {root_base, base}, false).exit_code, 0);
    RunResult rb = verify("b.lab.test", {root_base, base, delta}, true);
    EXPECT_NE(rb.exit_code, 0);
    EXPECT_NE(rb.out.find("certificate revoked"), std::string::npos) << rb.out;
    EXPECT_EQ(verify("a.lab.test", {root_base, base, delta}, true).exit_code, 0);

    // Hold then release: the delta lists the release as removeFromCRL.
    ASSERT_EQ(pkilab("hold " + c).exit_code, 0);
    python(crl_pem("lab-issuing-ca", true), "issuing.pem", "--number 4 --delta-of 1 --listed " + c + "=certificate_hold");
    RunResult rc = verify("c.lab.test", {root_base, base, crl_pem("lab-issuing-ca", true)}, true);
    EXPECT_NE(rc.out.find("certificate revoked"), std::string::npos) << rc.out;
    ASSERT_EQ(pkilab("release " + c).exit_code, 0);
    delta = crl_pem("lab-issuing-ca", true);
    python(delta, "issuing.pem", "--number 5 --delta-of 1 --listed " + c + "=remove_from_crl --listed " + b + "=key_compromise");
    EXPECT_EQ(verify("c.lab.test", {root_base, base, delta}, true).exit_code, 0);

    // A new base CRL carries everything; the number keeps counting.
    ASSERT_EQ(pkilab("crl publish --ca lab-issuing-ca").exit_code, 0);
    base = crl_pem("lab-issuing-ca", false);
    python(base, "issuing.pem", "--number 6 --listed " + b + "=key_compromise --absent " + c + " --absent " + a);
    certtool(base, "issuing.pem");
    RunResult rb2 = verify("b.lab.test", {root_base, base}, false);
    EXPECT_NE(rb2.out.find("certificate revoked"), std::string::npos) << rb2.out;
    EXPECT_EQ(verify("c.lab.test", {root_base, base}, false).exit_code, 0);

    const nlohmann::json status = pkilab_json("crl status --ca lab-issuing-ca");
    ASSERT_TRUE(status.is_array() && status.size() == 1) << status.dump();
    EXPECT_EQ(status[0]["base"]["number"], 6);
    EXPECT_EQ(status[0]["base"]["entries"], 1);
    EXPECT_EQ(status[0]["base"]["freshness"], "fresh");
    EXPECT_EQ(status[0]["delta"]["base_number"], 1) << "`crl publish` publishes the base only";
}

TEST_F(CrlFlow, TheLabClockAgesCrlsAndPublishingMakesThemFreshAgain) {
    up();
    ASSERT_EQ(pkilab("clock advance 8d").exit_code, 0);
    nlohmann::json status = pkilab_json("crl status --ca lab-issuing-ca");
    EXPECT_EQ(status[0]["base"]["freshness"], "stale") << status.dump(2);
    EXPECT_EQ(status[0]["delta"]["freshness"], "stale") << status.dump(2);
    // OpenSSL agrees: on the lab clock's date the CRL has expired.
    const std::string issued = issue("late.lab.test");
    const std::string base = crl_pem("lab-issuing-ca", false);
    spit(path("crls.pem"), slurp(crl_pem("lab-root-ca", false)) + slurp(base));
    const std::string at = " -attime " + std::to_string(std::time(nullptr) + 8 * 86400 + 60);
    RunResult old = run("openssl verify" + at + " -CAfile " + quote(path("root.pem")) + " -untrusted " +
                        quote(path("issuing.pem")) + " -crl_check -CRLfile " + quote(path("crls.pem")) + " " +
                        quote(path("late.lab.test.pem")));
    EXPECT_NE(old.out.find("CRL has expired"), std::string::npos) << old.out;

    ASSERT_EQ(pkilab("crl publish").exit_code, 0);
    ASSERT_EQ(pkilab("crl publish --delta").exit_code, 0);
    status = pkilab_json("crl status --ca lab-issuing-ca");
    EXPECT_EQ(status[0]["base"]["freshness"], "fresh") << status.dump(2);
    EXPECT_EQ(status[0]["delta"]["freshness"], "fresh") << status.dump(2);
    spit(path("crls.pem"), slurp(crl_pem("lab-root-ca", false)) + slurp(crl_pem("lab-issuing-ca", false)));
    RunResult fresh = run("openssl verify" + at + " -CAfile " + quote(path("root.pem")) + " -untrusted " +
                          quote(path("issuing.pem")) + " -crl_check -CRLfile " + quote(path("crls.pem")) + " " +
                          quote(path("late.lab.test.pem")));
    EXPECT_EQ(fresh.exit_code, 0) << fresh.out;
    (void)issued;
}

TEST_F(CrlFlow, BadRequestsNameTheProblem) {
    up();
    RunResult r = pkilab("crl publish --ca no-such-ca");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.out.find("no-such-ca"), std::string::npos) << r.out;
    r = pkilab("crl show --ca lab-root-ca --delta --out -");
    EXPECT_EQ(r.exit_code, 0) << r.out;  // lab up published it
    // A lab file asking for delta-only publication without deltas is refused where it says so.
    std::string lab = slurp(kDefaultLab);
    const std::string anchor = "    path_length: 0\n";
    lab.replace(lab.find(anchor), anchor.size(), anchor + "    crl: {delta_period: 0, publish_on_revoke: delta}\n");
    spit(path("bad.yaml"), lab);
    r = pkilab("lab validate " + quote(path("bad.yaml")));
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("cas[1].crl.publish_on_revoke"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("needs delta CRLs"), std::string::npos) << r.out;
    // Two CAs publishing at one path: refused by validate and by lab up, before anything is made.
    lab = slurp(kDefaultLab);
    const std::string mine = "<CaName><CRLNameSuffix><DeltaCRLAllowed>.crl";
    lab.replace(lab.find(mine), mine.size(), "lab-issuing-ca.crl");  // the root's cdp, the first in the file
    spit(path("shared.yaml"), lab);
    for (const std::string& cmd : std::vector<std::string>{"lab validate ", "--state " + path("other") + " lab up "}) {
        r = run(quote(kPkilab) + " " + cmd + quote(path("shared.yaml")));
        EXPECT_EQ(r.exit_code, 2) << cmd << r.out;
        EXPECT_NE(r.out.find("the base CRL of CA lab-issuing-ca and the base CRL of CA lab-root-ca"), std::string::npos)
            << r.out;
        EXPECT_NE(r.out.find("/CertEnroll/lab-issuing-ca.crl"), std::string::npos) << r.out;
    }
    EXPECT_FALSE(std::filesystem::exists(path("other")));
}

}  // namespace
}  // namespace pkilab::test
