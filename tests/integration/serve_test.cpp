// `pkilab serve` end to end: the real binary on a free loopback port, asked by real clients
// (curl, `openssl verify -crl_download`, `openssl ocsp`), stopped by SIGTERM, and told to
// reload its plugins by `pkilab plugins reload` (SIGHUP).
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <netinet/in.h>
#include <optional>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "process.hpp"
#include "server_process.hpp"

extern char** environ;

namespace pkilab::test {
namespace {

using namespace std::chrono_literals;

class Serve : public ::testing::Test {
protected:
    TempDir dir;
    int port = free_port();
    std::string base = "http://127.0.0.1:" + std::to_string(port);
    std::unique_ptr<Server> server;

    std::string state() const { return (dir / "state").string(); }
    RunResult pkilab(const std::string& args) const { return run(quote(kPkilab) + " --state " + quote(state()) + " " + args); }

    // The default lab with its URLs on our port; `edit` may change the text further.
    std::string lab_text() const {
        return default_lab_on_port(port);
    }

    void lab_up(const std::string& text) const {
        const std::string file = (dir / "lab.yaml").string();
        spit(file, text);
        RunResult r = pkilab("lab up " + quote(file));
        ASSERT_EQ(r.exit_code, 0) << r.out;
        ASSERT_EQ(pkilab("ca export lab-root-ca --out " + quote((dir / "root.pem").string())).exit_code, 0);
        ASSERT_EQ(pkilab("ca export lab-issuing-ca --out " + quote((dir / "issuing.pem").string())).exit_code, 0);
    }

    void start() {
        ASSERT_GT(port, 0);
        server = std::make_unique<Server>(
            std::vector<std::string>{"--state", state(), "serve", "--http", "127.0.0.1:" + std::to_string(port),
                                     "--https", "127.0.0.1:0"},
            dir / "serve.out", dir / "serve.err");
        ASSERT_GT(server->pid(), 0);
        const std::string url = server->wait_listening();
        ASSERT_EQ(url, base) << "stdout:\n" << server->out() << "\nstderr:\n" << server->err();
    }

    void stop() {
        ASSERT_TRUE(server);
        ASSERT_EQ(::kill(server->pid(), SIGTERM), 0);
        EXPECT_EQ(server->wait_exit(), 0) << server->err();
        EXPECT_NE(server->err().find("stopped"), std::string::npos) << server->err();
    }

    // status, then content type, then size, of a curl request (`options` as curl takes them).
    std::string curl(const std::string& options, const std::string& path, const std::string& body_file = "/dev/null") const {
        RunResult r = run("curl -sS --max-time 10 " + options + " -o " + quote(body_file) +
                          " -w '%{http_code} %{content_type} %{size_download}' " + quote(base + path));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return r.out;
    }
    std::string headers(const std::string& options, const std::string& path) const {
        return run("curl -sS --max-time 10 -o /dev/null -D - " + options + " " + quote(base + path)).out;
    }

    std::string issue(const std::string& name) const {
        const std::string csr = (dir / (name + ".csr")).string(), cert = (dir / (name + ".pem")).string();
        RunResult req = run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                            quote((dir / (name + ".key")).string()) + " -subj " + quote("/CN=" + name + ".lab.test") +
                            " -addext " + quote("subjectAltName=DNS:" + name + ".lab.test") + " -out " + quote(csr));
        EXPECT_EQ(req.exit_code, 0) << req.out;
        RunResult sub = pkilab("request submit --template WebServer --csr " + quote(csr) + " --out " + quote(cert));
        EXPECT_EQ(sub.exit_code, 0) << sub.out;
        return cert;
    }

    RunResult verify_with_crl(const std::string& cert) const {
        return run("openssl verify -crl_check -crl_download -CAfile " + quote((dir / "root.pem").string()) + " -untrusted " +
                   quote((dir / "issuing.pem").string()) + " " + quote(cert));
    }

    RunResult ocsp(const std::string& cert) const {
        return run("openssl ocsp -timeout 10 -url " + quote(base + "/ocsp") + " -issuer " + quote((dir / "issuing.pem").string()) +
                   " -cert " + quote(cert) + " -CAfile " + quote((dir / "root.pem").string()));
    }
};

TEST_F(Serve, ALabClockMovedByAnotherCommandAgesTheCrlsAndTheServerRepublishesThem) {
    lab_up(lab_text());
    start();
    auto number = [&](const std::string& path) {
        const std::string file = (dir / "served.crl").string();
        if (curl("", path, file).substr(0, 3) != "200") return -1L;
        const RunResult r = run("openssl crl -inform DER -noout -crlnumber -in " + quote(file));
        const size_t eq = r.out.find('=');
        return eq == std::string::npos ? -1L : std::stol(r.out.substr(eq + 1), nullptr, 16);
    };
    const long base_before = number("/CertEnroll/lab-issuing-ca.crl");
    const long delta_before = number("/CertEnroll/lab-issuing-ca+.crl");
    ASSERT_GT(base_before, 0);
    ASSERT_GT(delta_before, base_before);

    // A day: the delta CRL falls due, the base does not.
    ASSERT_EQ(pkilab("clock advance 1d").exit_code, 0);
    EXPECT_TRUE(eventually([&] { return number("/CertEnroll/lab-issuing-ca+.crl") > delta_before; })) << server->err();
    EXPECT_EQ(number("/CertEnroll/lab-issuing-ca.crl"), base_before);
    // A week: the base too, and every new CRL verifies on the lab clock's date.
    ASSERT_EQ(pkilab("clock advance 6d").exit_code, 0);
    EXPECT_TRUE(eventually([&] { return number("/CertEnroll/lab-issuing-ca.crl") > base_before; })) << server->err();
    EXPECT_NE(server->err().find("published"), std::string::npos) << server->err();
    RunResult status = run(quote(kPkilab) + " --state " + quote(state()) + " --json crl status --ca lab-issuing-ca");
    EXPECT_NE(status.out.find("\"freshness\": \"fresh\""), std::string::npos) << status.out;
    EXPECT_EQ(status.out.find("\"freshness\": \"stale\""), std::string::npos) << status.out;
    stop();
}

TEST_F(Serve, PublishesCrlsAndCaCertificatesAtTheirUrlPaths) {
    lab_up(lab_text());
    start();
    const std::string published = (dir / "state" / "publish" / "CertEnroll").string();

    const std::string crl = (dir / "issuing.crl").string();
    EXPECT_EQ(curl("", "/CertEnroll/lab-issuing-ca.crl", crl),
              "200 application/pkix-crl " + std::to_string(std::filesystem::file_size(published + "/lab-issuing-ca.crl")));
    EXPECT_EQ(slurp(crl), slurp(published + "/lab-issuing-ca.crl"));
    RunResult parsed = run("openssl crl -inform DER -noout -issuer -in " + quote(crl));
    EXPECT_EQ(parsed.exit_code, 0) << parsed.out;
    EXPECT_NE(parsed.out.find("pkilab Lab Issuing CA"), std::string::npos) << parsed.out;
    // The delta CRL's '+' is a literal in a path, not a space.
    EXPECT_EQ(curl("", "/CertEnroll/lab-issuing-ca+.crl").substr(0, 25), "200 application/pkix-crl ");

    // HEAD: the headers of a GET and no body; a CA certificate is cached for a day.
    const std::string head = headers("-I", "/CertEnroll/127.0.0.1_lab-issuing-ca.crt");
    EXPECT_NE(head.find("HTTP/1.1 200"), std::string::npos) << head;
    EXPECT_NE(head.find("Content-Type: application/pkix-cert"), std::string::npos) << head;
    EXPECT_NE(head.find("Content-Length: " + std::to_string(std::filesystem::file_size(published + "/127.0.0.1_lab-issuing-ca.crt"))),
              std::string::npos)
        << head;
    EXPECT_NE(head.find("Cache-Control: max-age=86400"), std::string::npos) << head;
    EXPECT_NE(head.find("Last-Modified: "), std::string::npos) << head;
    EXPECT_NE(head.find("\r\nDate: "), std::string::npos) << head;  // RFC 7231 7.1.1.2

    // A CRL's max-age runs to its nextUpdate (7 days and a half by default), by the lab clock.
    const std::string crl_head = headers("", "/CertEnroll/lab-issuing-ca.crl");
    const size_t ma = crl_head.find("Cache-Control: max-age=");
    ASSERT_NE(ma, std::string::npos) << crl_head;
    const long max_age = std::stol(crl_head.substr(ma + 23));
    EXPECT_GT(max_age, 6 * 86400) << crl_head;
    EXPECT_LE(max_age, 8 * 86400) << crl_head;

    // Conditional requests: the same ETag or a later date is 304 without a body.
    const size_t at = crl_head.find("ETag: ");
    ASSERT_NE(at, std::string::npos) << crl_head;
    const std::string etag = crl_head.substr(at + 6, crl_head.find('\r', at) - at - 6);
    EXPECT_EQ(curl("-H " + quote("If-None-Match: " + etag), "/CertEnroll/lab-issuing-ca.crl"), "304  0");
    EXPECT_EQ(curl("-H " + quote("If-None-Match: \"other\""), "/CertEnroll/lab-issuing-ca.crl").substr(0, 3), "200");
    EXPECT_EQ(curl("-H 'If-Modified-Since: Fri, 31 Dec 9999 23:59:59 GMT'", "/CertEnroll/lab-issuing-ca.crl"), "304  0");
    EXPECT_EQ(curl("-H 'If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT'", "/CertEnroll/lab-issuing-ca.crl").substr(0, 3), "200");

    // A Range request (a client resuming a large CRL) gets the part it asked for, as 206.
    EXPECT_EQ(curl("-r 0-9", "/CertEnroll/lab-issuing-ca.crl"), "206 application/pkix-crl 10");

    // Only the published paths: nothing else of the state folder, however it is asked for.
    EXPECT_EQ(curl("", "/nothing-here").substr(0, 3), "404");
    EXPECT_EQ(curl("", "/CertEnroll/").substr(0, 3), "404");
    // A path with ".." segments is refused as such (400), never resolved.
    EXPECT_EQ(curl("--path-as-is", "/CertEnroll/../pkilab.db").substr(0, 3), "400");
    EXPECT_EQ(curl("--path-as-is", "/../lab.yaml").substr(0, 3), "400");
    EXPECT_EQ(curl("--path-as-is", "/CertEnroll/%2e%2e/pkilab.db").substr(0, 3), "400");
    EXPECT_EQ(curl("-X POST -d x", "/CertEnroll/lab-issuing-ca.crl").substr(0, 3), "404");

    // A republished CRL (another process, an atomic rename) is served at once.
    RunResult pub = pkilab("crl publish --ca lab-issuing-ca");
    ASSERT_EQ(pub.exit_code, 0) << pub.out;
    EXPECT_EQ(curl("-H " + quote("If-None-Match: " + etag), "/CertEnroll/lab-issuing-ca.crl", crl).substr(0, 3), "200");
    EXPECT_EQ(slurp(crl), slurp(published + "/lab-issuing-ca.crl"));
    stop();
}

TEST_F(Serve, OpensslChecksRevocationThroughTheDownloadedCrlAndOcsp) {
    lab_up(lab_text());
    start();
    const std::string cert = issue("www");

    RunResult good = verify_with_crl(cert);
    EXPECT_EQ(good.exit_code, 0) << good.out;
    EXPECT_NE(good.out.find(": OK"), std::string::npos) << good.out;
    RunResult status = ocsp(cert);
    EXPECT_EQ(status.exit_code, 0) << status.out;
    EXPECT_NE(status.out.find("Response verify OK"), std::string::npos) << status.out;
    EXPECT_NE(status.out.find(": good"), std::string::npos) << status.out;

    // GET with the request in the path (RFC 6960 A.1), base64 URL-encoded.
    const std::string req = (dir / "req.der").string(), resp = (dir / "resp.der").string();
    ASSERT_EQ(run("openssl ocsp -no_nonce -issuer " + quote((dir / "issuing.pem").string()) + " -cert " + quote(cert) +
                  " -reqout " + quote(req))
                  .exit_code,
              0);
    const std::string b64 = run("openssl base64 -A -in " + quote(req)).out;
    std::string encoded;
    for (char c : b64) encoded += c == '+' ? std::string("%2B") : c == '/' ? std::string("%2F") : c == '=' ? std::string("%3D") : std::string(1, c);
    EXPECT_EQ(curl("", "/ocsp/" + encoded, resp).substr(0, 30), "200 application/ocsp-response ");
    RunResult text = run("openssl ocsp -respin " + quote(resp) + " -resp_text -noverify");
    EXPECT_NE(text.out.find("Cert Status: good"), std::string::npos) << text.out;
    const std::string get_headers = headers("", "/ocsp/" + encoded);
    EXPECT_NE(get_headers.find("Cache-Control: max-age="), std::string::npos) << get_headers;
    // Not base64 at all: HTTP 400, and still an OCSP answer in the body, malformedRequest.
    EXPECT_EQ(curl("", "/ocsp/%21%21not-base64", resp).substr(0, 30), "400 application/ocsp-response ");
    text = run("openssl ocsp -respin " + quote(resp) + " -resp_text -noverify");
    EXPECT_NE(text.out.find("malformedrequest"), std::string::npos) << text.out;

    const std::string serial = run("openssl x509 -noout -serial -in " + quote(cert)).out.substr(7);
    RunResult revoke = pkilab("revoke " + serial.substr(0, serial.find('\n')) + " --reason keyCompromise");
    ASSERT_EQ(revoke.exit_code, 0) << revoke.out;
    // The responder catches up with the other process's revocation within a refresh or two.
    EXPECT_TRUE(eventually([&] { return ocsp(cert).out.find(": revoked") != std::string::npos; })) << ocsp(cert).out;
    // openssl reads the base CRL only (not the delta the revocation published): a new base.
    ASSERT_EQ(pkilab("crl publish --ca lab-issuing-ca").exit_code, 0);
    RunResult revoked = verify_with_crl(cert);
    EXPECT_NE(revoked.exit_code, 0) << revoked.out;
    EXPECT_NE(revoked.out.find("certificate revoked"), std::string::npos) << revoked.out;
    stop();
}

TEST_F(Serve, RunsOncePerStateAndSigtermStopsItWithExitZero) {
    lab_up(lab_text());
    RunResult none = pkilab("plugins reload");
    EXPECT_EQ(none.exit_code, 2) << none.out;
    EXPECT_NE(none.out.find("no pkilab serve runs on"), std::string::npos) << none.out;

    start();
    EXPECT_TRUE(std::filesystem::exists(dir / "state" / "serve.pid"));
    RunResult second = pkilab("serve --http 127.0.0.1:0");
    EXPECT_EQ(second.exit_code, 2) << second.out;
    EXPECT_NE(second.out.find("already runs on the state folder"), std::string::npos) << second.out;
    EXPECT_NE(second.out.find("pid " + std::to_string(server->pid())), std::string::npos) << second.out;

    RunResult bad = run(quote(kPkilab) + " --state " + quote((dir / "other").string()) + " serve --http 127.0.0.1");
    EXPECT_EQ(bad.exit_code, 2) << bad.out;
    EXPECT_NE(bad.out.find("--http"), std::string::npos) << bad.out;

    stop();
    EXPECT_FALSE(std::filesystem::exists(dir / "state" / "serve.pid"));
    // A server killed without a chance to clean up leaves a stale file, which is no obstacle.
    spit(dir / "state" / "serve.pid", std::to_string(server->pid()) + "\n");
    RunResult stale = pkilab("plugins reload");
    EXPECT_EQ(stale.exit_code, 2) << stale.out;
    start();
    stop();
}

TEST_F(Serve, SighupReloadsThePluginsWithoutARestart) {
    const std::string chain = "    templates: [WebServer, Computer, User, LyncServer, OCSPResponseSigning]\n";
    std::string lab = lab_text();
    ASSERT_NE(lab.find(chain), std::string::npos);
    lab.replace(lab.find(chain), chain.size(), chain + "    policy: [gate]\n");
    const std::string plugins = std::string("plugins:\n  directories: [builtin, \"") + PKILAB_TEST_PLUGIN_DIR +
                                "\"]\n  load:\n    - {name: gate, file: libtest_plugin_good.so}\n";
    lab_up(plugins + lab);
    start();
    const pid_t pid = server->pid();

    // A second plugin in the lab file in force: loaded by the running server.
    lab_up(plugins + "    - {name: keys, file: libpkilab_key_policy.so, config: {rsa_min_bits: 3072}}\n" + lab);
    RunResult reloaded = pkilab("plugins reload");
    EXPECT_EQ(reloaded.exit_code, 0) << reloaded.out << server->err();
    EXPECT_NE(reloaded.out.find("policy plugins reloaded"), std::string::npos) << reloaded.out;
    EXPECT_NE(reloaded.out.find("gate (test-plugin 0.1, in-process)"), std::string::npos) << reloaded.out;
    EXPECT_NE(reloaded.out.find("keys (key-policy"), std::string::npos) << reloaded.out;
    EXPECT_NE(server->err().find("keys (key-policy"), std::string::npos) << server->err();

    // A plugins section without the instance the running CA's chain names: refused, the old
    // plugins stay.
    lab_up(lab_text());
    RunResult refused = pkilab("plugins reload");
    EXPECT_EQ(refused.exit_code, 2) << refused.out;
    EXPECT_NE(refused.out.find("CA lab-issuing-ca's policy chain names plugin 'gate'"), std::string::npos) << refused.out;
    EXPECT_NE(refused.out.find("the old plugins stay"), std::string::npos) << refused.out;

    // A plugin file that cannot be loaded (`lab up` would refuse it: here the lab file in force
    // is edited by hand): refused too, with the reason.
    spit(dir / "state" / "lab.yaml", plugins + "    - {name: broken, file: libnothere.so}\n" + lab);
    RunResult broken = pkilab("plugins reload");
    EXPECT_EQ(broken.exit_code, 2) << broken.out;
    EXPECT_NE(broken.out.find("not reloaded"), std::string::npos) << broken.out;
    EXPECT_NE(broken.out.find("libnothere.so"), std::string::npos) << broken.out;

    // SIGHUP itself, as an init system would send it; the same server answers.
    lab_up(plugins + lab);
    const size_t logged = server->err().size();
    ASSERT_EQ(::kill(pid, SIGHUP), 0);
    EXPECT_TRUE(eventually([&] {
        const std::string e = server->err().substr(logged);
        return e.find("policy plugins reloaded") != std::string::npos && e.find("gate (test-plugin") != std::string::npos &&
               e.find("keys (") == std::string::npos;
    })) << server->err();
    EXPECT_FALSE(server->exited());
    EXPECT_EQ(server->pid(), pid);
    stop();
}

}  // namespace
}  // namespace pkilab::test
