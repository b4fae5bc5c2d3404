// bench/issue: in-process issuance throughput with durable storage, for an ECDSA P-256 CA and
// an RSA-2048 CA, on one thread and on every core, printed next to the raw OpenSSL rate of
// the work no CA can skip (verify the CSR's signature, sign the certificate), measured in
// the same run. Targets (issue 2): >= 50% of raw for RSA-2048, >= 25% for P-256.
//
// usage: bench_issue [--seconds S] [--threads N] [--ca ec-issuing|rsa-issuing]
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <openssl/rand.h>

#include "ca/authority/lab.hpp"
#include "ca/keys/key.hpp"
#include "ca/ossl/error.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/x509/csr.hpp"

namespace {

using namespace pkilab;
using Clock_ = std::chrono::steady_clock;

constexpr const char* kLab = R"(lab:
  name: bench
cas:
  - name: ec-root
    subject: "CN=Bench EC Root"
    key: ecdsa-p256
    validity: 10y
    templates: []
  - name: ec-issuing
    subject: "CN=Bench EC Issuing"
    key: ecdsa-p256
    parent: ec-root
    validity: 5y
    cdp: ["http://<ServerDNSName>:8080/CertEnroll/<CaName><CRLNameSuffix><DeltaCRLAllowed>.crl"]
    aia: ["http://<ServerDNSName>:8080/CertEnroll/<CaName><CertificateName>.crt"]
    ocsp: ["http://<ServerDNSName>:8080/ocsp"]
    templates: [WebServer]
  - name: rsa-root
    subject: "CN=Bench RSA Root"
    key: rsa2048
    validity: 10y
    templates: []
  - name: rsa-issuing
    subject: "CN=Bench RSA Issuing"
    key: rsa2048
    parent: rsa-root
    validity: 5y
    cdp: ["http://<ServerDNSName>:8080/CertEnroll/<CaName><CRLNameSuffix><DeltaCRLAllowed>.crl"]
    aia: ["http://<ServerDNSName>:8080/CertEnroll/<CaName><CertificateName>.crt"]
    ocsp: ["http://<ServerDNSName>:8080/ocsp"]
    templates: [WebServer]
)";

constexpr int kWindow = 64;

double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// Runs `work(thread_index, i)` on `threads` threads for about `seconds`; `work` returns how
// many operations it completed. Returns completed operations per second.
template <class F>
double rate(int threads, double seconds, F work) {
    std::atomic<bool> stop{false};
    std::atomic<long> done{0};
    std::vector<std::thread> pool;
    auto start = Clock_::now();
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            long n = 0;
            for (long i = 0; !stop.load(std::memory_order_relaxed); ++i) n += work(t, i);
            done += n;
        });
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& th : pool) th.join();
    double elapsed = std::chrono::duration<double>(Clock_::now() - start).count();
    return static_cast<double>(done.load()) / elapsed;
}

struct CsrPool {
    std::vector<Bytes> csrs;
    std::vector<ossl::X509ReqPtr> parsed;
};

CsrPool make_csrs(int count) {
    CsrPool pool;
    for (int i = 0; i < count; ++i) {
        ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
        const std::string name = "host" + std::to_string(i) + ".bench.test";
        ossl::X509ReqPtr req = make_csr(key.get(), "CN=" + name, {GeneralName{NameType::Dns, name}});
        pool.csrs.push_back(csr_to_der(req.get()));
        pool.parsed.push_back(std::move(req));
    }
    return pool;
}

// The floor: verify one P-256 CSR signature and make one signature with the CA's key.
double raw_rate(const CsrPool& pool, int threads, double seconds, EVP_PKEY* ca_key) {
    const unsigned char tbs[600] = {1};
    return rate(threads, seconds, [&](int, long i) {
        X509_REQ* req = pool.parsed[static_cast<size_t>(i) % pool.parsed.size()].get();
        if (X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) != 1) std::abort();
        ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
        unsigned char sig[1024];
        size_t siglen = sizeof sig;
        if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, ca_key) != 1 ||
            EVP_DigestSign(ctx.get(), sig, &siglen, tbs, sizeof tbs) != 1)
            std::abort();
        return 1;
    });
}

// What OpenSSL alone costs for a real issuance, with nothing of ours: decode and verify the
// CSR, build a certificate with its subject and key, sign and encode it (the "minimal C
// program" of shared/peers.md). No policy, lint, extensions or storage: the library's floor.
double openssl_floor_rate(const CsrPool& pool, int threads, double seconds, EVP_PKEY* ca_key) {
    ossl::X509NamePtr issuer(X509_NAME_new());
    X509_NAME_add_entry_by_txt(issuer.get(), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("Bench Floor CA"), -1, -1, 0);
    return rate(threads, seconds, [&](int, long i) {
        const Bytes& der = pool.csrs[static_cast<size_t>(i) % pool.csrs.size()];
        const unsigned char* p = der.data();
        ossl::X509ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
        EVP_PKEY* key = req ? X509_REQ_get0_pubkey(req.get()) : nullptr;
        if (key == nullptr || X509_REQ_verify(req.get(), key) != 1) std::abort();
        ossl::X509Ptr cert(X509_new());
        unsigned char serial_bytes[16];
        RAND_bytes(serial_bytes, sizeof serial_bytes);
        serial_bytes[0] &= 0x7f;
        ossl::BignumPtr bn(BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
        if (!cert || !bn || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
            BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) == nullptr ||
            X509_set_issuer_name(cert.get(), issuer.get()) != 1 ||
            X509_set_subject_name(cert.get(), X509_REQ_get_subject_name(req.get())) != 1 ||
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) == nullptr ||
            X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 86400) == nullptr ||
            X509_set_pubkey(cert.get(), key) != 1 || X509_sign(cert.get(), ca_key, EVP_sha256()) <= 0)
            std::abort();
        unsigned char* out = nullptr;
        const int len = i2d_X509(cert.get(), &out);
        if (len <= 0) std::abort();
        OPENSSL_free(out);
        return 1;
    });
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 3.0;
    int threads = static_cast<int>(std::thread::hardware_concurrency());
    std::string only_ca;  // for profiling one CA's path
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--seconds") seconds = std::atof(argv[i + 1]);
        else if (a == "--threads") threads = std::atoi(argv[i + 1]);
        else if (a == "--ca") only_ca = argv[i + 1];
    }
    if (threads < 1) threads = 1;

    namespace fs = std::filesystem;
    std::string tmpl = (fs::temp_directory_path() / "pkilab-bench-XXXXXX").string();
    const fs::path dir = mkdtemp(tmpl.data());
    std::ofstream(dir / "lab.yaml") << kLab;
    SystemClock clock;
    lab_up(dir / "state", dir / "lab.yaml", clock);
    auto lab = Lab::open(dir / "state", clock);
    const CsrPool pool = make_csrs(256);

    std::printf("bench/issue: durable SQLite store (WAL; every certificate fsynced before it is returned)\n");
    std::printf("  sequential: each request waits for its own fsync before the next starts\n");
    std::printf("  pipelined:  each thread keeps up to %d requests in flight (as a server with many clients)\n", kWindow);
    std::printf("  raw:        OpenSSL verify of the CSR signature + one signature with a key of the CA's type\n");
    std::printf("  floor:      OpenSSL alone: decode+verify the CSR, build, sign and encode a bare certificate\n");
    std::printf("              (no policy, lint, extensions or storage), as a share of raw: what the library costs\n\n");
    std::printf("%-12s %-8s %-11s %12s %12s %8s\n", "CA", "threads", "mode", "pkilab/s", "raw/s", "ratio");
    for (const char* ca_name : {"ec-issuing", "rsa-issuing"}) {
        if (!only_ca.empty() && only_ca != ca_name) continue;
        const CertificateAuthority& ca = lab->ca(ca_name);
        // The raw figure signs with a key of the CA's kind, generated here (the CA's own key is
        // deliberately not reachable from outside the CA object).
        ossl::PkeyPtr raw_key = generate_key(ca.config().key);
        auto request = [&](long i) {
            return EnrollmentRequest{"WebServer", ca_name, pool.csrs[static_cast<size_t>(i) % pool.csrs.size()],
                                     Requester{"bench", "enrollee", "cli"}};
        };
        std::atomic<long> refused{0};
        auto count = [&](IssuanceOutcome o) {
            if (o.state != RequestState::Issued) ++refused;
            return 1;
        };
        for (int t : {1, threads}) {
            const double raw = raw_rate(pool, t, seconds, raw_key.get());
            const double floor = openssl_floor_rate(pool, t, seconds, raw_key.get());
            const double sequential = rate(t, seconds, [&](int, long i) { return count(submit(lab->context(), request(i))); });
            std::vector<std::deque<IssuanceTicket>> in_flight(static_cast<size_t>(t));
            const double pipelined = rate(t, seconds, [&](int th, long i) {
                auto& q = in_flight[static_cast<size_t>(th)];
                q.push_back(submit_pipelined(lab->context(), request(i)));
                if (q.size() < static_cast<size_t>(kWindow)) return 0;
                int n = count(q.front().wait());
                q.pop_front();
                return n;
            });
            for (auto& q : in_flight)
                for (auto& ticket : q) count(ticket.wait());
            std::printf("%-12s %-8d %-11s %12.0f %12.0f %7.0f%%\n", ca_name, t, "floor", floor, raw, 100.0 * floor / raw);
            for (auto [mode, ours] : {std::pair{"sequential", sequential}, std::pair{"pipelined", pipelined}})
                std::printf("%-12s %-8d %-11s %12.0f %12.0f %7.0f%%%s\n", ca_name, t, mode, ours, raw, 100.0 * ours / raw,
                            refused ? "  (requests refused!)" : "");
        }
    }
    std::printf("peak memory: %.1f MiB\n", peak_rss_mib());
    lab.reset();
    fs::remove_all(dir);
    return 0;
}
