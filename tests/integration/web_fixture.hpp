#pragma once
// A lab served over HTTP and HTTPS for the web tests: the default lab on free ports, with one
// web user per role (passwords hashed by `pkilab web hash-password`, tokens by `hash-token`),
// and curl helpers that trust the lab's root and nothing else.
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "process.hpp"
#include "server_process.hpp"

namespace pkilab::test {

struct WebUserFixture {
    std::string name, role, password, token;
};

// One user per role; the password and token are the name with a suffix, so a test can build
// them, and the admin is the lab file's own (no generated one).
inline const std::vector<WebUserFixture>& web_users() {
    static const std::vector<WebUserFixture> users{
        {"alice", "enrollee", "alice-password-1", "alice-token-0123456789abcdef"},
        {"audrey", "auditor", "audrey-password-1", "audrey-token-0123456789abcdef"},
        {"olivia", "officer", "olivia-password-1", "olivia-token-0123456789abcdef"},
        {"adam", "admin", "adam-password-1", "adam-token-0123456789abcdef"},
    };
    return users;
}

class WebLab : public ::testing::Test {
protected:
    TempDir dir;
    int http_port = free_port();
    int https_port = free_port();
    std::string http_base = "http://127.0.0.1:" + std::to_string(http_port);
    std::string https_base = "https://127.0.0.1:" + std::to_string(https_port);
    std::unique_ptr<Server> server;

    std::string state() const { return (dir / "state").string(); }
    std::string root_pem() const { return (dir / "root.pem").string(); }
    RunResult pkilab(const std::string& args) const { return run(quote(kPkilab) + " --state " + quote(state()) + " " + args); }

    // `pkilab web hash-password|hash-token` of `secret`, at the lowest iteration count (tests log
    // in often; the format is the same).
    std::string hash(const std::string& command, const std::string& secret) const {
        const std::string extra = command == "hash-password" ? " --iterations 10000" : "";
        RunResult r = run("printf '%s\\n' " + quote(secret) + " | " + quote(kPkilab) + " web " + command + extra);
        EXPECT_EQ(r.exit_code, 0) << r.out;
        while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
        return r.out;
    }

    // The default lab on our ports, with the web users and `extra_web` lines under `web:`
    // (indented two spaces, e.g. "  rate_limit_per_minute: 0\n"), and `edit` applied last.
    std::string lab_text(const std::string& extra_web = "  rate_limit_per_minute: 0\n") const {
        std::string lab = default_lab_on_port(http_port);
        lab += "\nweb:\n" + extra_web + "  users:\n";
        for (const auto& u : web_users())
            lab += "    - name: " + u.name + "\n      role: " + u.role + "\n      password_hash: \"" +
                   hash("hash-password", u.password) + "\"\n      token_sha256: " + hash("hash-token", u.token) + "\n";
        return lab;
    }

    void lab_up(const std::string& text) const {
        const std::string file = (dir / "lab.yaml").string();
        spit(file, text);
        RunResult r = pkilab("lab up " + quote(file));
        ASSERT_EQ(r.exit_code, 0) << r.out;
        ASSERT_EQ(pkilab("ca export lab-root-ca --out " + quote(root_pem())).exit_code, 0);
        ASSERT_EQ(pkilab("ca export lab-issuing-ca --out " + quote((dir / "issuing.pem").string())).exit_code, 0);
    }

    void start() {
        ASSERT_GT(http_port, 0);
        ASSERT_GT(https_port, 0);
        server = std::make_unique<Server>(
            std::vector<std::string>{"--state", state(), "serve", "--http", "127.0.0.1:" + std::to_string(http_port),
                                     "--https", "127.0.0.1:" + std::to_string(https_port)},
            dir / "serve.out", dir / "serve.err");
        ASSERT_GT(server->pid(), 0);
        const std::string url = server->wait_listening("https://");
        ASSERT_EQ(url, https_base) << "stdout:\n" << server->out() << "\nstderr:\n" << server->err();
    }

    // Brings the default lab with the web users up and serves it.
    void serve_default(const std::string& extra_web = "  rate_limit_per_minute: 0\n") {
        lab_up(lab_text(extra_web));
        start();
    }

    const WebUserFixture& user(const std::string& role) const {
        for (const auto& u : web_users())
            if (u.role == role) return u;
        throw std::runtime_error("no fixture user of role " + role);
    }
    // curl options that log in as the user of `role` with HTTP Basic ("" for anonymous).
    std::string basic(const std::string& role) const {
        if (role.empty() || role == "anonymous") return "";
        const auto& u = user(role);
        return "-u " + quote(u.name + ":" + u.password);
    }
    std::string bearer(const std::string& role) const {
        return "-H " + quote("Authorization: Bearer " + user(role).token);
    }

    // "STATUS CONTENT_TYPE SIZE" of a curl request to the HTTPS listener; the body goes to `body_file`.
    std::string curl(const std::string& options, const std::string& path, const std::string& body_file = "/dev/null") const {
        RunResult r = run("curl -sS --max-time 20 --cacert " + quote(root_pem()) + " " + options + " -o " + quote(body_file) +
                          " -w '%{http_code} %{content_type} %{size_download}' " + quote(https_base + path));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return r.out;
    }
    // The HTTP status alone.
    int status(const std::string& options, const std::string& path) const {
        const std::string s = curl(options, path);
        return s.size() >= 3 ? std::atoi(s.substr(0, 3).c_str()) : -1;
    }
    // The response headers and body together (curl -i).
    std::string fetch(const std::string& options, const std::string& path) const {
        return run("curl -sS -i --max-time 20 --cacert " + quote(root_pem()) + " " + options + " " + quote(https_base + path)).out;
    }
    std::string body(const std::string& options, const std::string& path) const {
        return run("curl -sS --max-time 20 --cacert " + quote(root_pem()) + " " + options + " " + quote(https_base + path)).out;
    }

    // A fresh P-256 key and CSR for `cn` (with a DNS SAN), PEM; returns the CSR's path.
    std::string make_csr(const std::string& cn) const {
        const std::string csr = (dir / (cn + ".csr")).string();
        RunResult r = run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                          quote((dir / (cn + ".key")).string()) + " -subj " + quote("/CN=" + cn) + " -addext " +
                          quote("subjectAltName=DNS:" + cn) + " -out " + quote(csr));
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return csr;
    }
};

}  // namespace pkilab::test
