// bench/http: certificates issued per second through the REST API of the real `pkilab serve`
// (POST /api/v1/requests over HTTPS), next to the same lab's issuance in process and to
// cfssl's HTTP signer, in the same run.
//   lab:        a P-256 root and issuing CA publishing WebServer (and an RSA-2048 pair), a web
//               user of role enrollee with a bearer token, no rate limit; the durable store
//               (every certificate fsynced before it is answered; group commit)
//   in-process: the lab opened in the bench (Lab::open, submit()), 1 and C threads, each
//               waiting for its own commit as an HTTP request does (a state folder of its own:
//               the server and the bench never share one)
//   REST:       1 and C clients, one thread and one keep-alive httplib::SSLClient each, the
//               lab's root as the only trust anchor and the server certificate verified, the
//               same pre-made P-256 CSRs round robin; every answer checked (201, JSON, state
//               issued, a serial and a certificate), every 50th in full (the certificate
//               parses, carries the CSR's key and the answer's serial)
//   cfssl:      `cfssl serve` with a P-256 CA (cfssl gencert -initca), POST /api/v1/cfssl/sign
//               over plain HTTP, C keep-alive clients; answers checked the same way (200,
//               "success": true). Without -db-config it stores nothing; with its SQLite certdb
//               it stores every certificate, which is the like-for-like figure
// CPU columns: microseconds of CPU per certificate, of the server process and of the bench
// (the clients; for in-process rows, the whole CA), measured over the same window; "cpu" is
// how many cores both kept busy. Clients and server share the machine's cores.
// Target: REST at 8 clients >= 60% of in-process at 8 threads.
//
// usage: bench_http [--seconds S] [--clients C] [--csrs N] [--ca ec-issuing|rsa-issuing] [--skip-cfssl]
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "bench/http/cfssl_server.hpp"
#include "bench/http/csr_pool.hpp"
#include "bench/http/proc_stats.hpp"
#include "bench/http/timed_clients.hpp"
#include "bench/common/temp_dir.hpp"
#include "bench/ocsp/child.hpp"
#include "bench/ocsp/http_load.hpp"
#include "ca/authority/lab.hpp"
#include "ca/pipeline/issuance.hpp"

namespace {

using namespace pkilab;
using namespace pkilab::bench;
namespace fs = std::filesystem;

constexpr int kSampleEvery = 50;
constexpr const char* kTemplate = "WebServer";
constexpr const char* kEcCa = "ec-issuing";
constexpr const char* kRsaCa = "rsa-issuing";

std::string lab_text(int http_port, const std::string& token_sha256) {
    const std::string base = "http://127.0.0.1:" + std::to_string(http_port);
    const std::string urls = "    cdp: [\"" + base + "/CertEnroll/<CaName><CRLNameSuffix><DeltaCRLAllowed>.crl\"]\n" +
                             "    aia: [\"" + base + "/CertEnroll/<CaName><CertificateName>.crt\"]\n" +
                             "    ocsp: [\"" + base + "/ocsp\"]\n";
    return R"(lab:
  name: bench-http
  server_dns_name: 127.0.0.1
cas:
  - name: ec-root
    subject: "CN=Bench HTTP EC Root, O=pkilab bench"
    key: ecdsa-p256
    validity: 10y
    templates: []
  - name: ec-issuing
    subject: "CN=Bench HTTP EC Issuing, O=pkilab bench"
    key: ecdsa-p256
    parent: ec-root
    validity: 5y
)" + urls + R"(    templates: [WebServer]
  - name: rsa-root
    subject: "CN=Bench HTTP RSA Root, O=pkilab bench"
    key: rsa2048
    validity: 10y
    templates: []
  - name: rsa-issuing
    subject: "CN=Bench HTTP RSA Issuing, O=pkilab bench"
    key: rsa2048
    parent: rsa-root
    validity: 5y
)" + urls + R"(    templates: [WebServer]
web:
  certsrv_ca: ec-issuing
  rate_limit_per_minute: 0
  users:
    - name: bench
      role: enrollee
      token_sha256: )" + token_sha256 + "\n";
}


std::string random_token() {
    unsigned char bytes[24];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    return "bench-" + to_hex(ByteView(bytes, sizeof bytes));
}

// What the lab file's token_sha256 holds: the hex SHA-256 of the token.
std::string sha256_hex(const std::string& text) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("EVP_Digest failed");
    return to_hex(ByteView(md, len));
}

// Where client `client` of `clients` starts in the pool, so that they do not all send the same CSR.
std::size_t first_csr(int client, int clients, std::size_t pool) {
    return static_cast<std::size_t>(client) * pool / static_cast<std::size_t>(clients);
}

std::string shortened(const std::string& s, std::size_t max = 200) {
    std::string out = s.size() > max ? s.substr(0, max) + "..." : s;
    for (char& c : out)
        if (c == '\n' || c == '\r') c = ' ';
    return out;
}

std::string transport_problem(const httplib::Result& r) {
    return "no answer: " + httplib::to_string(r.error());
}

// POST /api/v1/requests: 201 with {"state": "issued", "serial": ..., "certificate": PEM}.
Checked check_rest_answer(const httplib::Result& r, const EVP_PKEY* key, bool full) {
    if (!r) return {transport_problem(r)};
    if (r->status != 201) return {"HTTP " + std::to_string(r->status) + ": " + shortened(r->body)};
    const nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
    if (!j.is_object()) return {"the body is not a JSON object"};
    if (!j.contains("state") || j["state"] != "issued") return {"state is not \"issued\": " + shortened(r->body)};
    if (!j.contains("serial") || !j["serial"].is_string() || !j.contains("certificate") ||
        !j["certificate"].is_string())
        return {"no \"serial\" or \"certificate\" string"};
    if (!full) return {};
    return {check_certificate(j["certificate"].get<std::string>(), key, j["serial"].get<std::string>()), true};
}

// POST /api/v1/cfssl/sign: 200 with {"success": true, "result": {"certificate": PEM}}.
Checked check_cfssl_answer(const httplib::Result& r, const EVP_PKEY* key, bool full) {
    if (!r) return {transport_problem(r)};
    if (r->status != 200) return {"HTTP " + std::to_string(r->status) + ": " + shortened(r->body)};
    const nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
    if (!j.is_object()) return {"the body is not a JSON object"};
    if (!j.contains("success") || j["success"] != true) return {"\"success\" is not true: " + shortened(r->body)};
    if (!j.contains("result") || !j["result"].is_object() || !j["result"].contains("certificate") ||
        !j["result"]["certificate"].is_string())
        return {"no result.certificate string"};
    if (!full) return {};
    return {check_certificate(j["result"]["certificate"].get<std::string>(), key), true};
}

OperationFactory in_process(const Lab& lab, const std::string& ca, const CsrPool& pool, int threads) {
    auto csrs = std::make_shared<std::vector<Bytes>>();
    for (const auto& pem : pool.pem) csrs->emplace_back(pem.begin(), pem.end());  // PEM, as the REST API gets it
    return [&lab, ca, &pool, csrs, threads](int client) -> Operation {
        const std::size_t start = first_csr(client, threads, pool.size());
        return [&lab, ca, &pool, csrs, start](std::uint64_t i) -> Checked {
            const std::size_t k = (start + i) % pool.size();
            const IssuanceOutcome o = submit(
                lab.context(), EnrollmentRequest{kTemplate, ca, (*csrs)[k], Requester{"bench", "enrollee", "rest"}});
            if (o.state != RequestState::Issued || !o.certificate)
                return {std::string("state ") + to_string(o.state) + ": " + o.disposition};
            if (i % kSampleEvery != 0) return {};
            const std::string der(o.certificate->der.begin(), o.certificate->der.end());
            return {check_certificate(der, pool.keys[k].get(), o.certificate->serial), true};
        };
    };
}

OperationFactory rest_clients(int port, const fs::path& root, const std::string& token, const std::string& ca,
                              const CsrPool& pool, int clients) {
    auto bodies = std::make_shared<std::vector<std::string>>();
    for (const auto& pem : pool.pem) {
        nlohmann::json body{{"template", kTemplate}, {"csr", pem}};
        if (ca != kEcCa) body["ca"] = ca;  // the default is the first issuing CA that publishes WebServer
        bodies->push_back(body.dump());
    }
    const httplib::Headers headers{{"Authorization", "Bearer " + token}};
    return [port, root, headers, bodies, &pool, clients](int client) -> Operation {
        auto https = std::make_shared<httplib::SSLClient>("127.0.0.1", port);
        https->set_ca_cert_path(root.string());
        https->enable_server_certificate_verification(true);
        https->set_keep_alive(true);
        // httplib writes the headers and the body apart: with Nagle, the body waits for the
        // server's delayed ACK of the headers (40 ms on Linux).
        https->set_tcp_nodelay(true);
        https->set_read_timeout(30, 0);
        const std::size_t start = first_csr(client, clients, pool.size());
        return [https, headers, bodies, &pool, start](std::uint64_t i) -> Checked {
            const std::size_t k = (start + i) % pool.size();
            const httplib::Result r = https->Post("/api/v1/requests", headers, (*bodies)[k], "application/json");
            return check_rest_answer(r, pool.keys[k].get(), i % kSampleEvery == 0);
        };
    };
}

std::string cfssl_body(const std::string& pem) { return nlohmann::json{{"certificate_request", pem}}.dump(); }

OperationFactory cfssl_clients(int port, const CsrPool& pool, int clients) {
    auto bodies = std::make_shared<std::vector<std::string>>();
    for (const auto& pem : pool.pem) bodies->push_back(cfssl_body(pem));
    return [port, bodies, &pool, clients](int client) -> Operation {
        auto http = std::make_shared<httplib::Client>("127.0.0.1", port);
        http->set_keep_alive(true);
        http->set_tcp_nodelay(true);
        http->set_read_timeout(30, 0);
        const std::size_t start = first_csr(client, clients, pool.size());
        return [http, bodies, &pool, start](std::uint64_t i) -> Checked {
            const std::size_t k = (start + i) % pool.size();
            const httplib::Result r = http->Post("/api/v1/cfssl/sign", (*bodies)[k], "application/json");
            return check_cfssl_answer(r, pool.keys[k].get(), i % kSampleEvery == 0);
        };
    };
}

bool wait_listening(Child& child, const std::string& what) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < end) {
        if (child.out().find("pkilab serve: listening on " + what) != std::string::npos) return true;
        if (child.exited()) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

enum class Kind { InProcess, Rest, Cfssl, CfsslDb };

struct Row {
    Kind kind;
    std::string ca;
    int clients = 0;
    Figures figures;
    std::string label() const {
        switch (kind) {
            case Kind::InProcess:
                return clients == 1 ? "in-process, 1 thread" : "in-process, " + std::to_string(clients) + " threads";
            case Kind::Rest: return "REST, " + std::to_string(clients) + (clients == 1 ? " client" : " clients");
            case Kind::Cfssl: return "cfssl, " + std::to_string(clients) + " clients, no database";
            case Kind::CfsslDb: return "cfssl, " + std::to_string(clients) + " clients, SQLite certdb";
        }
        return {};
    }
};

const Row* find(const std::vector<Row>& rows, Kind kind, const std::string& ca, int clients) {
    for (const auto& r : rows)
        if (r.kind == kind && r.ca == ca && r.clients == clients) return &r;
    return nullptr;
}

void print_row(const Row& r, const Row* reference) {
    const Figures& f = r.figures;
    const double n = f.ok > 0 ? static_cast<double>(f.ok) : 1;
    const bool has_server = r.kind != Kind::InProcess;
    char server_cpu[16], client_cpu[16], share[32] = "";
    // In process, the bench is the CA: its CPU is the server's column.
    std::snprintf(server_cpu, sizeof server_cpu, "%.0f", 1e6 * (has_server ? f.server_cpu_s : f.client_cpu_s) / n);
    if (has_server) std::snprintf(client_cpu, sizeof client_cpu, "%.0f", 1e6 * f.client_cpu_s / n);
    else std::snprintf(client_cpu, sizeof client_cpu, "-");
    if (reference != nullptr && reference != &r && reference->figures.rate() > 0)
        std::snprintf(share, sizeof share, "%.0f%%", 100.0 * f.rate() / reference->figures.rate());
    std::printf("%-36s %-11s %9.0f %7.2f %7.2f %8s %8s %5.2f %8llu %7llu %9s\n", r.label().c_str(), r.ca.c_str(),
                f.rate(), f.p50_ms, f.p99_ms, server_cpu, client_cpu, (f.server_cpu_s + f.client_cpu_s) / f.seconds,
                static_cast<unsigned long long>(f.sampled), static_cast<unsigned long long>(f.failed), share);
}

void progress(const std::string& what) {
    std::fprintf(stderr, "bench_http: %s\n", what.c_str());
}

int run(int argc, char** argv) {
    double seconds = 5.0;
    int clients = 8, csr_count = 256;
    std::vector<std::string> cas{kEcCa, kRsaCa};
    bool skip_cfssl = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--seconds" && has_value) seconds = std::atof(argv[++i]);
        else if (a == "--clients" && has_value) clients = std::atoi(argv[++i]);
        else if (a == "--csrs" && has_value) csr_count = std::atoi(argv[++i]);
        else if (a == "--ca" && has_value) cas = {argv[++i]};
        else if (a == "--skip-cfssl") skip_cfssl = true;
        else {
            std::fprintf(stderr,
                         "usage: bench_http [--seconds S] [--clients C] [--csrs N] [--ca ec-issuing|rsa-issuing] "
                         "[--skip-cfssl]\n");
            return 2;
        }
    }
    if (seconds <= 0 || clients < 1 || csr_count < 1) {
        std::fprintf(stderr, "bench_http: --seconds, --clients and --csrs must be positive\n");
        return 2;
    }
    for (const auto& ca : cas)
        if (ca != kEcCa && ca != kRsaCa) {
            std::fprintf(stderr, "bench_http: --ca is ec-issuing or rsa-issuing\n");
            return 2;
        }
    stop_children_on_signals();

    const TempDir dir("pkilab-bench-http");
    const int http_port = free_port(), https_port = free_port(), cfssl_port = free_port();
    if (http_port <= 0 || https_port <= 0 || cfssl_port <= 0 || http_port == https_port || cfssl_port == http_port ||
        cfssl_port == https_port)
        throw std::runtime_error("no free ports");
    const std::string token = random_token();
    const fs::path lab_file = dir.path() / "lab.yaml";
    std::ofstream(lab_file) << lab_text(http_port, sha256_hex(token));
    const CsrPool pool = make_csr_pool(csr_count);

    std::printf("bench/http: certificates issued per second; pkilab's store is durable (each certificate fsynced\n"
                "  before it is answered, group commit), %d P-256 CSRs round robin, %.1f s per row\n"
                "  in-process: Lab::open + submit() in the bench, each thread waiting for its own commit\n"
                "  REST:       pkilab serve, POST /api/v1/requests over HTTPS (server certificate verified\n"
                "              against the lab root), bearer token, one keep-alive httplib::SSLClient per client\n"
                "  cfssl:      cfssl serve, POST /api/v1/cfssl/sign over plain HTTP, P-256 CA, keep-alive\n"
                "              httplib::Client; \"no database\" stores nothing (no -db-config), \"SQLite certdb\"\n"
                "              stores every certificate\n"
                "  every answer checked, every %dth in full; cpu: us per certificate (server, bench), cores busy\n\n",
                csr_count, seconds, kSampleEvery);

    std::vector<Row> rows;
    int exit_code = 0;

    // 1. In process, before any server runs, on a state folder of its own.
    {
        SystemClock clock;
        const fs::path state = dir.path() / "in-process";
        lab_up(state, lab_file, clock);
        const std::unique_ptr<Lab> lab = Lab::open(state, clock);
        for (const auto& ca : cas)
            for (int t : {1, clients}) {
                if (t == 1 && clients == 1 && find(rows, Kind::InProcess, ca, 1)) continue;
                progress("in-process " + ca + ", " + std::to_string(t) + " thread(s)");
                rows.push_back({Kind::InProcess, ca, t, run_timed(t, seconds, in_process(*lab, ca, pool, t))});
            }
    }

    // 2. REST through pkilab serve, on a fresh state folder.
    double server_peak_mib = -1;
    {
        SystemClock clock;
        const fs::path state = dir.path() / "serve";
        lab_up(state, lab_file, clock);
        Child server({PKILAB_BINARY, "--state", state.string(), "serve", "--http",
                      "127.0.0.1:" + std::to_string(http_port), "--https", "127.0.0.1:" + std::to_string(https_port),
                      "--no-access-log"},
                     dir.path() / "serve.out", dir.path() / "serve.err");
        if (!wait_listening(server, "https://"))
            throw std::runtime_error("pkilab serve did not start:\n" + server.out() + server.err());
        const fs::path root = state / "cas" / "ec-root" / "ca.pem";  // the HTTPS certificate is ec-issuing's
        for (const auto& ca : cas)
            for (int c : {1, clients}) {
                if (c == 1 && clients == 1 && find(rows, Kind::Rest, ca, 1)) continue;
                progress("REST " + ca + ", " + std::to_string(c) + " client(s)");
                const OperationFactory rest = rest_clients(https_port, root, token, ca, pool, c);
                rows.push_back({Kind::Rest, ca, c, run_timed(c, seconds, rest, server.pid())});
            }
        server_peak_mib = peak_memory_mib(server.pid());
        if (server.exited()) {
            std::fprintf(stderr, "bench_http: pkilab serve exited during the run:\n%s\n", server.err().c_str());
            exit_code = 1;
        }
        server.stop();
    }

    // 3. cfssl, when installed: P-256 only.
    std::string cfssl_note;
    double cfssl_peak_mib = -1, cfssl_db_peak_mib = -1;
    long long certdb_stored = -1;
    const std::optional<fs::path> cfssl = skip_cfssl ? std::nullopt : find_on_path("cfssl");
    if (skip_cfssl) {
        cfssl_note = "cfssl: skipped (--skip-cfssl)";
    } else if (!cfssl) {
        cfssl_note = "cfssl: not installed (Debian package golang-cfssl)";
    } else {
        try {
            const CfsslSetup setup = prepare_cfssl(*cfssl, dir.path() / "cfssl");
            for (bool with_db : {false, true}) {
                if (with_db) create_certdb(setup.db);
                progress(std::string("cfssl serve") + (with_db ? " with its SQLite certdb" : "") + ", " +
                         std::to_string(clients) + " clients");
                std::unique_ptr<Child> server =
                    start_cfssl(setup, cfssl_port, with_db, cfssl_body(pool.pem[0]), dir.path());
                rows.push_back({with_db ? Kind::CfsslDb : Kind::Cfssl, kEcCa, clients,
                                run_timed(clients, seconds, cfssl_clients(cfssl_port, pool, clients), server->pid())});
                (with_db ? cfssl_db_peak_mib : cfssl_peak_mib) = peak_memory_mib(server->pid());
                server->stop();
                if (with_db) certdb_stored = certdb_rows(setup.db);
            }
        } catch (const std::exception& e) {
            cfssl_note = std::string("cfssl: could not be measured: ") + e.what();
        }
    }

    std::printf("%-36s %-11s %9s %7s %7s %8s %8s %5s %8s %7s %9s\n", "", "CA", "certs/s", "p50 ms", "p99 ms", "cpu srv",
                "cpu cli", "cores", "checked", "failed", "of in-pr.");
    for (const auto& ca : cas)
        for (const auto& r : rows)
            if (r.ca == ca && (r.kind == Kind::InProcess || r.kind == Kind::Rest))
                print_row(r, r.kind == Kind::Rest ? find(rows, Kind::InProcess, ca, r.clients) : nullptr);
    for (const auto& r : rows)
        if (r.kind == Kind::Cfssl || r.kind == Kind::CfsslDb)
            print_row(r, find(rows, Kind::InProcess, r.ca, r.clients));
    std::printf("\n");
    if (!cfssl_note.empty()) std::printf("%s\n", cfssl_note.c_str());

    for (const auto& r : rows) {
        if (r.figures.failed == 0) continue;
        exit_code = 1;
        std::printf("FAILED: %s %s: %llu answer(s) wrong\n", r.label().c_str(), r.ca.c_str(),
                    static_cast<unsigned long long>(r.figures.failed));
        int shown = 0;
        for (const auto& [problem, n] : r.figures.problems) {
            if (++shown > 5) break;
            std::printf("    %llu x %s\n", static_cast<unsigned long long>(n), problem.c_str());
        }
    }
    if (const Row* db = find(rows, Kind::CfsslDb, kEcCa, clients); db != nullptr && certdb_stored >= 0) {
        // The probe and the warm-ups are stored too.
        const auto answered = static_cast<long long>(db->figures.ok);
        std::printf("cfssl certdb: %lld certificates stored for %lld answered in the timed window%s\n", certdb_stored,
                    answered, certdb_stored >= answered ? "" : "  (FEWER: cfssl answered without storing)");
        if (certdb_stored < answered) exit_code = 1;
    }

    for (const auto& ca : cas) {
        const Row* rest = find(rows, Kind::Rest, ca, clients);
        const Row* local = find(rows, Kind::InProcess, ca, clients);
        if (rest == nullptr || local == nullptr || local->figures.rate() <= 0) continue;
        const double share = rest->figures.rate() / local->figures.rate();
        std::printf("target: REST at %d clients >= 60%% of in-process at %d threads (%s): %.0f%% %s\n", clients,
                    clients, ca.c_str(), 100.0 * share, share >= 0.60 ? "PASS" : "MISS");
    }
    if (const Row* rest = find(rows, Kind::Rest, kEcCa, clients)) {
        for (Kind k : {Kind::Cfssl, Kind::CfsslDb})
            if (const Row* peer = find(rows, k, kEcCa, clients); peer != nullptr && peer->figures.rate() > 0)
                std::printf("REST at %d clients vs cfssl (%s): %.2fx\n", clients,
                            k == Kind::Cfssl ? "no database" : "SQLite certdb",
                            rest->figures.rate() / peer->figures.rate());
    }
    std::printf("peak memory (VmHWM): pkilab serve %.1f MiB", server_peak_mib);
    if (cfssl_peak_mib >= 0) std::printf(", cfssl serve %.1f MiB (no database)", cfssl_peak_mib);
    if (cfssl_db_peak_mib >= 0) std::printf(", %.1f MiB (certdb)", cfssl_db_peak_mib);
    std::printf("\n");
    return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_http: %s\n", e.what());
        return 1;
    }
}
