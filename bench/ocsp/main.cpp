// bench/ocsp: OCSP responses per second over HTTP on loopback, keep-alive, next to the
// `openssl ocsp` responder on the same certificates in the same run.
//   lab:      a P-256 root and issuing CA made in a temp folder; N certificates issued through
//             submit(), every K-th revoked; nonce-less single-CertID (SHA-1) requests for all
//             of them, good and revoked, as RFC 5019 clients send them
//   pkilab:   the real `pkilab serve` binary (pre-signed answers, delegated responder
//             certificate), its cache filled by one pass over the requests before measuring
//   openssl:  `openssl ocsp -index index.txt -rsigner -rkey -CA` from the same certificates,
//             signing with a delegated OCSP signing certificate the lab issued (P-256, like
//             pkilab's); once as one process (it serves one connection at a time) and once
//             with -multi 2 (one process per core)
// Clients: C threads, one keep-alive HTTP/1.1 connection each, requests back to back, POST
// and GET (RFC 6960 A.1). Counted: HTTP 200 answers whose body is a successful OCSPResponse;
// every 64th is parsed and verified in full (signature and chain, CertID, status).
// Columns: served = connections that got at least one answer; closed = answers after which the
// server closed the connection (the client then connects again, which the rate includes).
// Target (issue): >= 25,000 responses/s with 8 connections on 2 cores, ahead of cfssl's
// pre-signed responder (about 12,100/s, ../shared/peers.md).
//
// usage: bench_ocsp [--seconds S] [--certs N] [--revoke-every K] [--connections C] [--skip-openssl]
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/common/temp_dir.hpp"
#include "bench/ocsp/child.hpp"
#include "bench/ocsp/http_load.hpp"
#include "ca/authority/lab.hpp"
#include "ca/keys/key.hpp"
#include "ca/keys/key_file.hpp"
#include "ca/ossl/ptr.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/pipeline/revocation.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"

namespace {

using namespace pkilab;
using namespace pkilab::bench;
namespace fs = std::filesystem;

constexpr const char* kIssuingCa = "bench-issuing";

std::string lab_text(int port) {
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    return R"(lab:
  name: bench-ocsp
  server_dns_name: 127.0.0.1
cas:
  - name: bench-root
    subject: "CN=Bench OCSP Root, O=pkilab bench"
    key: ecdsa-p256
    validity: 10y
    templates: [SubCA]
  - name: bench-issuing
    subject: "CN=Bench OCSP Issuing, O=pkilab bench"
    key: ecdsa-p256
    parent: bench-root
    validity: 5y
    path_length: 0
    cdp: [")" + base + R"(/CertEnroll/<CaName><CRLNameSuffix><DeltaCRLAllowed>.crl"]
    aia: [")" + base + R"(/CertEnroll/<CaName><CertificateName>.crt"]
    ocsp: [")" + base + R"(/ocsp"]
    templates: [WebServer, OCSPResponseSigning]
)";
}


struct IssuedLeaf {
    ossl::X509Ptr cert;
    std::optional<Revocation> revocation;
};

// "YYMMDDHHMMSSZ", as index.txt holds times.
std::string index_time(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d%02d%02d%02d%02d%02dZ", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                  tm.tm_min, tm.tm_sec);
    return buf;
}

std::string index_time(const ASN1_TIME* t) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(t, &tm) != 1) throw std::runtime_error("unreadable notAfter");
    return index_time(timegm(&tm));
}

// openssl ocsp looks a serial up as BN_bn2hex of the INTEGER ("00" for zero).
std::string index_serial(const X509* cert) {
    ossl::BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
    if (!bn) throw std::runtime_error("unreadable serial");
    if (BN_is_zero(bn.get())) return "00";
    char* hex = BN_bn2hex(bn.get());
    std::string out(hex);
    OPENSSL_free(hex);
    return out;
}

std::string one_line_subject(const X509* cert) {
    char buf[512];
    X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
    return buf;
}

void write_index(const fs::path& file, const std::vector<IssuedLeaf>& leaves) {
    std::ofstream out(file);
    for (const auto& l : leaves) {
        const std::string expiry = index_time(X509_get0_notAfter(l.cert.get()));
        std::string revoked;
        if (l.revocation)
            revoked = index_time(std::chrono::system_clock::to_time_t(l.revocation->revoked_at)) + "," +
                      to_string(l.revocation->reason);
        out << (l.revocation ? "R" : "V") << '\t' << expiry << '\t' << revoked << '\t' << index_serial(l.cert.get())
            << "\tunknown\t" << one_line_subject(l.cert.get()) << '\n';
    }
    if (!out) throw std::runtime_error("cannot write " + file.string());
}

Bytes csr_for(const std::string& host) {
    ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    return csr_to_der(make_csr(key.get(), "CN=" + host, {GeneralName{NameType::Dns, host}}).get());
}

std::vector<IssuedLeaf> issue_leaves(const Lab& lab, int count, int revoke_every) {
    const Requester who{"bench", "enrollee", "cli"};
    std::vector<IssuedLeaf> leaves;
    std::deque<IssuanceTicket> in_flight;
    const auto collect = [&](IssuanceTicket& t) {
        IssuanceOutcome o = t.wait();
        if (o.state != RequestState::Issued || !o.certificate)
            throw std::runtime_error("issuance refused: " + o.disposition);
        leaves.push_back({parse_certificate(o.certificate->der, "issued certificate"), std::nullopt});
    };
    for (int i = 0; i < count; ++i) {
        const std::string host = "host" + std::to_string(i) + ".bench.test";
        in_flight.push_back(submit_pipelined(lab.context(), EnrollmentRequest{"WebServer", kIssuingCa, csr_for(host), who}));
        if (in_flight.size() >= 64) {
            collect(in_flight.front());
            in_flight.pop_front();
        }
    }
    for (auto& t : in_flight) collect(t);
    const RevocationReason reasons[] = {RevocationReason::KeyCompromise, RevocationReason::Superseded,
                                        RevocationReason::CessationOfOperation, RevocationReason::AffiliationChanged};
    for (std::size_t i = 0; revoke_every > 0 && i < leaves.size(); i += static_cast<std::size_t>(revoke_every)) {
        const std::string serial = serial_to_hex(X509_get0_serialNumber(leaves[i].cert.get()));
        const CertificateRecord r = revoke(lab.context(), serial, reasons[(i / static_cast<std::size_t>(revoke_every)) % 4],
                                           Requester{"bench", "officer", "cli"}, std::nullopt, kIssuingCa);
        leaves[i].revocation = r.revocation;
    }
    return leaves;
}

// A delegated OCSP signing certificate for openssl ocsp, with a key made here.
void issue_openssl_signer(const Lab& lab, const fs::path& cert_file, const fs::path& key_file) {
    ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    const Bytes csr = csr_to_der(make_csr(key.get(), "CN=openssl ocsp responder, O=pkilab bench", {}).get());
    const IssuanceOutcome o =
        submit(lab.context(), EnrollmentRequest{"OCSPResponseSigning", kIssuingCa, csr, Requester{"bench", "enrollee", "cli"}});
    if (o.state != RequestState::Issued || !o.certificate)
        throw std::runtime_error("the OCSP signing certificate was refused: " + o.disposition);
    write_file_atomically(cert_file, pem_encode("CERTIFICATE", o.certificate->der), fs::perms::owner_read | fs::perms::owner_write);
    write_file_atomically(key_file, private_key_to_pem(key.get()), fs::perms::owner_read | fs::perms::owner_write);
}

std::string der_of(const OCSP_CERTID* id) {
    unsigned char* der = nullptr;
    const int len = i2d_OCSP_CERTID(const_cast<OCSP_CERTID*>(id), &der);
    if (len <= 0) throw std::runtime_error("cannot encode a CertID");
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

struct OcspQuery {
    std::string der;  // the OCSPRequest
    std::string certid;
    int expected = V_OCSP_CERTSTATUS_GOOD;
};

std::vector<OcspQuery> make_queries(const std::vector<IssuedLeaf>& leaves, const X509* issuer) {
    std::vector<OcspQuery> out;
    for (const auto& l : leaves) {
        ossl::Ptr<OCSP_REQUEST, OCSP_REQUEST_free> req(OCSP_REQUEST_new());
        OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha1(), l.cert.get(), issuer);
        if (!req || id == nullptr) throw std::runtime_error("cannot build an OCSP request");
        OcspQuery q;
        q.certid = der_of(id);
        if (OCSP_request_add0_id(req.get(), id) == nullptr) {
            OCSP_CERTID_free(id);
            throw std::runtime_error("cannot build an OCSP request");
        }
        unsigned char* der = nullptr;
        const int len = i2d_OCSP_REQUEST(req.get(), &der);
        if (len <= 0) throw std::runtime_error("cannot encode an OCSP request");
        q.der.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
        OPENSSL_free(der);
        q.expected = l.revocation ? V_OCSP_CERTSTATUS_REVOKED : V_OCSP_CERTSTATUS_GOOD;
        out.push_back(std::move(q));
    }
    return out;
}

std::string url_encoded_base64(const std::string& der) {
    const std::string b64 = base64_encode(ByteView(reinterpret_cast<const unsigned char*>(der.data()), der.size()));
    std::string out;
    for (char c : b64) {
        if (c == '+') out += "%2B";
        else if (c == '/') out += "%2F";
        else if (c == '=') out += "%3D";
        else out += c;
    }
    return out;
}

enum class Method { Post, Get };

std::vector<PreparedRequest> prepare(const std::vector<OcspQuery>& queries, Method method, int port, const std::string& path) {
    const std::string host = "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
    std::vector<PreparedRequest> out;
    for (const auto& q : queries) {
        PreparedRequest r;
        if (method == Method::Post) {
            r.wire = "POST " + path + " HTTP/1.1\r\n" + host +
                     "Content-Type: application/ocsp-request\r\nConnection: keep-alive\r\nContent-Length: " +
                     std::to_string(q.der.size()) + "\r\n\r\n" + q.der;
        } else {
            r.wire = "GET " + path + (path.back() == '/' ? "" : "/") + url_encoded_base64(q.der) + " HTTP/1.1\r\n" + host +
                     "Connection: keep-alive\r\n\r\n";
        }
        r.expected = q.expected;
        r.certid_der = q.certid;
        out.push_back(std::move(r));
    }
    return out;
}

// The full check of a sampled response: it parses, is signed by a certificate that chains to
// the lab's root and may sign for the issuing CA, and answers the CertID asked with the status
// the certificate has.
class ResponseVerifier {
public:
    ResponseVerifier(const X509* root, const X509* issuing) : store_(X509_STORE_new()), untrusted_(sk_X509_new_null()) {
        if (!store_ || !untrusted_ || X509_STORE_add_cert(store_.get(), const_cast<X509*>(root)) != 1 ||
            sk_X509_push(untrusted_.get(), X509_dup(issuing)) <= 0)
            throw std::runtime_error("cannot set up the response check");
    }

    std::string operator()(const std::string& body, const PreparedRequest& req) const {
        const auto* p = reinterpret_cast<const unsigned char*>(body.data());
        ossl::Ptr<OCSP_RESPONSE, OCSP_RESPONSE_free> resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(body.size())));
        if (!resp) return "the response does not parse";
        if (OCSP_response_status(resp.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) return "not successful";
        ossl::Ptr<OCSP_BASICRESP, OCSP_BASICRESP_free> basic(OCSP_response_get1_basic(resp.get()));
        if (!basic) return "no BasicOCSPResponse";
        if (OCSP_basic_verify(basic.get(), untrusted_.get(), store_.get(), 0) != 1) {
            ERR_clear_error();
            return "the signature or the signer's chain does not verify";
        }
        if (OCSP_resp_count(basic.get()) != 1) return "not exactly one SingleResponse";
        OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), 0);
        if (der_of(OCSP_SINGLERESP_get0_id(single)) != req.certid_der) return "the answer names another CertID";
        int reason = 0;
        ASN1_GENERALIZEDTIME *revoked = nullptr, *this_update = nullptr, *next_update = nullptr;
        const int status = OCSP_single_get0_status(single, &reason, &revoked, &this_update, &next_update);
        if (status != req.expected)
            return std::string("status ") + OCSP_cert_status_str(status) + ", expected " + OCSP_cert_status_str(req.expected);
        return {};
    }

private:
    ossl::Ptr<X509_STORE, X509_STORE_free> store_;
    struct StackFree {
        void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
    };
    std::unique_ptr<STACK_OF(X509), StackFree> untrusted_;
};

struct Row {
    std::string server;
    int connections = 0;
    const char* method = "";
    LoadResult result;
};

const char* name_of(Method m) { return m == Method::Post ? "POST" : "GET"; }

// Polls until a real OCSP request is answered (openssl ocsp takes an idle connect badly).
bool wait_answering(Child& child, int port, const std::string& wire) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < end) {
        if (child.exited()) return false;
        if (!fetch_once(port, wire).empty()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

bool wait_listening(Child& child) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < end) {
        if (child.out().find("pkilab serve: listening on ") != std::string::npos) return true;
        if (child.exited()) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

void print_row(const Row& r) {
    std::printf("%-22s %5d %-6s %12.0f %8.2f %8.2f %6d/%-3d %9llu %8llu %6llu %6llu\n", r.server.c_str(), r.connections,
                r.method, r.result.rate(), r.result.p50_ms, r.result.p99_ms, r.result.connections_served, r.connections,
                static_cast<unsigned long long>(r.result.reconnects), static_cast<unsigned long long>(r.result.sampled),
                static_cast<unsigned long long>(r.result.bad), static_cast<unsigned long long>(r.result.io_errors));
    if (r.result.bad > 0 && !r.result.first_problem.empty())
        std::printf("%22s first problem: %s\n", "", r.result.first_problem.c_str());
    std::fflush(stdout);
}

int run(int argc, char** argv) {
    double seconds = 5.0;
    int certs = 1000, revoke_every = 10, connections = 8;
    bool skip_openssl = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--seconds" && has_value) seconds = std::atof(argv[++i]);
        else if (a == "--certs" && has_value) certs = std::atoi(argv[++i]);
        else if (a == "--revoke-every" && has_value) revoke_every = std::atoi(argv[++i]);
        else if (a == "--connections" && has_value) connections = std::atoi(argv[++i]);
        else if (a == "--skip-openssl") skip_openssl = true;
        else {
            std::fprintf(stderr,
                         "usage: bench_ocsp [--seconds S] [--certs N] [--revoke-every K] [--connections C] [--skip-openssl]\n");
            return 2;
        }
    }
    if (seconds <= 0 || certs < 1 || connections < 1) {
        std::fprintf(stderr, "bench_ocsp: --seconds, --certs and --connections must be positive\n");
        return 2;
    }
    stop_children_on_signals();

    const TempDir dir("pkilab-bench-ocsp");
    const int pkilab_port = free_port();
    const int openssl_port = free_port();
    if (pkilab_port <= 0 || openssl_port <= 0 || pkilab_port == openssl_port) throw std::runtime_error("no free port");
    const fs::path state = dir.path() / "state";
    std::ofstream(dir.path() / "lab.yaml") << lab_text(pkilab_port);

    std::vector<OcspQuery> queries;
    ossl::X509Ptr root, issuing;
    std::size_t revoked = 0;
    {
        SystemClock clock;
        lab_up(state, dir.path() / "lab.yaml", clock);
        std::unique_ptr<Lab> lab = Lab::open(state, clock);
        const auto t0 = std::chrono::steady_clock::now();
        const std::vector<IssuedLeaf> leaves = issue_leaves(*lab, certs, revoke_every);
        const double issue_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        for (const auto& l : leaves) revoked += l.revocation ? 1 : 0;
        issue_openssl_signer(*lab, dir.path() / "openssl-responder.pem", dir.path() / "openssl-responder.key");
        const CertificateAuthority& ca = lab->ca(kIssuingCa);
        issuing.reset(X509_dup(const_cast<X509*>(ca.certificate())));
        root.reset(X509_dup(const_cast<X509*>(lab->ca("bench-root").certificate())));
        std::ofstream(dir.path() / "issuing.pem") << certificate_pem(issuing.get());
        write_index(dir.path() / "index.txt", leaves);
        queries = make_queries(leaves, issuing.get());
        std::printf("bench/ocsp: %zu certificates from a P-256 issuing CA (issued in %.1f s), %zu revoked; nonce-less\n"
                    "  single-CertID SHA-1 requests (%zu bytes), round robin over all of them; %d keep-alive connection(s)\n"
                    "  for %.1f s per row; every 64th response verified in full (signature, chain, CertID, status)\n\n",
                    leaves.size(), issue_s, revoked, queries.front().der.size(), connections, seconds);
    }
    const ResponseVerifier verifier(root.get(), issuing.get());
    const ResponseCheck check = [&verifier](const std::string& body, const PreparedRequest& req) { return verifier(body, req); };

    std::printf("%-22s %5s %-6s %12s %8s %8s %10s %9s %8s %6s %6s\n", "server", "conns", "method", "responses/s", "p50 ms",
                "p99 ms", "served", "closed", "verified", "bad", "io err");
    std::vector<Row> rows;
    std::size_t pkilab_response_bytes = 0, openssl_response_bytes = 0;
    {
        Child server({PKILAB_BINARY, "--state", state.string(), "serve", "--http", "127.0.0.1:" + std::to_string(pkilab_port),
                      "--https", "off", "--no-access-log"},
                     dir.path() / "serve.out", dir.path() / "serve.err");
        if (!wait_listening(server)) throw std::runtime_error("pkilab serve did not start:\n" + server.err());
        for (Method m : {Method::Post, Method::Get}) {
            const std::vector<PreparedRequest> reqs = prepare(queries, m, pkilab_port, "/ocsp");
            if (m == Method::Post) pkilab_response_bytes = fetch_once(pkilab_port, reqs.front().wire).size();
            const std::size_t primed = send_each_once(pkilab_port, reqs);  // pre-signs every answer
            if (primed != reqs.size())
                throw std::runtime_error("pkilab serve answered " + std::to_string(primed) + " of " +
                                         std::to_string(reqs.size()) + " requests:\n" + server.err());
            rows.push_back({"pkilab serve", connections, name_of(m), run_load(pkilab_port, reqs, connections, seconds, check)});
            print_row(rows.back());
        }
        server.stop();
    }

    if (!skip_openssl) {
        for (int multi : {1, 2}) {
            std::vector<std::string> args{"openssl", "ocsp", "-index", (dir.path() / "index.txt").string(),
                                          "-port", std::to_string(openssl_port), "-rsigner",
                                          (dir.path() / "openssl-responder.pem").string(), "-rkey",
                                          (dir.path() / "openssl-responder.key").string(), "-CA",
                                          (dir.path() / "issuing.pem").string(), "-nmin", "60", "-ignore_err"};
            if (multi > 1) args.insert(args.end(), {"-multi", std::to_string(multi)});
            const std::string label = multi > 1 ? "openssl ocsp -multi " + std::to_string(multi) : "openssl ocsp";
            for (Method m : {Method::Post, Method::Get}) {
                // A fresh responder per row: it serves one connection until that one closes, and
                // peers.md saw it stop answering after a connection went away.
                Child server(args, dir.path() / "openssl.out", dir.path() / "openssl.err");
                const std::vector<PreparedRequest> reqs = prepare(queries, m, openssl_port, "/");
                if (!wait_answering(server, openssl_port, reqs.front().wire))
                    throw std::runtime_error(label + " did not answer:\n" + server.err());
                if (m == Method::Post) openssl_response_bytes = fetch_once(openssl_port, reqs.front().wire).size();
                rows.push_back({label, connections, name_of(m), run_load(openssl_port, reqs, connections, seconds, check)});
                print_row(rows.back());
                server.stop();
            }
        }
    }

    std::printf("\nresponse size: pkilab %zu bytes, openssl %zu bytes (both carry the responder certificate)\n",
                pkilab_response_bytes, openssl_response_bytes);
    const auto find = [&](const std::string& server, const char* method) -> const Row* {
        for (const auto& r : rows)
            if (r.server == server && std::string(r.method) == method) return &r;
        return nullptr;
    };
    for (const char* m : {"POST", "GET"}) {
        const Row* ours = find("pkilab serve", m);
        for (const char* peer : {"openssl ocsp", "openssl ocsp -multi 2"}) {
            const Row* theirs = find(peer, m);
            if (ours != nullptr && theirs != nullptr && theirs->result.rate() > 0)
                std::printf("ratio pkilab / %-22s %-4s %6.2fx\n", peer, m, ours->result.rate() / theirs->result.rate());
        }
    }
    for (const char* m : {"POST", "GET"})
        if (const Row* row = find("pkilab serve", m))
            std::printf("target: >= 25,000 responses/s with 8 connections (cfssl pre-signed: ~12,100/s): %s %s\n", m,
                        row->result.rate() >= 25000 ? "met" : "NOT met");
    for (const auto& r : rows)
        if (r.result.bad > 0) return 1;
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_ocsp: %s\n", e.what());
        return 1;
    }
}
