// bench/crl: generating a base CRL with 100,000 and 1,000,000 revoked entries, next to
// `openssl ca -gencrl` on the same revocation set in the same run.
//   pkilab (memory):  the revoked list written from entries in memory, wrapped, signed and
//                     checked before publication (RevokedListWriter, build_crl, verify_crl_against_ca)
//   pkilab (publish): the whole `pkilab crl publish` path: reading the revocations from the
//                     store, building, checking, writing the files, recording the CRL
//   OpenSSL CRL API:  the same list through X509_CRL_add0_revoked / X509_CRL_sort / X509_CRL_sign,
//                     which is why crl/revoked_list_der.cpp exists
//   openssl ca:       `openssl ca -gencrl` from an index.txt holding the same serials and reasons
// Each case runs in a child process of its own, so its peak memory (ru_maxrss) is its own.
// usage: bench_crl [--sizes 100000,1000000] [--skip-api] [--skip-openssl]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "ca/authority/lab.hpp"
#include "ca/keys/key_file.hpp"
#include "ca/x509/pem.hpp"
#include "crl/crl_builder.hpp"
#include "crl/crl_check.hpp"
#include "crl/crl_publisher.hpp"

namespace {

using namespace pkilab;
namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

constexpr const char* kLab = R"(lab:
  name: bench
cas:
  - name: bench-ca
    subject: "CN=Bench CA, O=pkilab bench"
    key: ecdsa-p256
    validity: 10y
    cdp: ["http://127.0.0.1:8080/CertEnroll/<CaName><DeltaCRLAllowed>.crl"]
    crl: {delta_period: 0}
)";

const RevocationReason kReasons[] = {RevocationReason::KeyCompromise, RevocationReason::Superseded,
                                     RevocationReason::CessationOfOperation, RevocationReason::AffiliationChanged};

// Serial i: 16 random-looking bytes, positive, like the CA's own.
std::string serial_of(std::uint64_t i) {
    std::uint64_t a = (i + 1) * 0x9e3779b97f4a7c15ull, b = a ^ (a >> 29) ^ (i * 0xbf58476d1ce4e5b9ull);
    char hex[40];
    std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(a & 0x7fffffffffffffffull) | 0x1000000000000000ull,
                  static_cast<unsigned long long>(b));
    return hex;
}

struct Result {
    double seconds = 0;
    long peak_kib = 0;
    std::size_t bytes = 0;
    bool ok = false;
};

// Runs `work` in a child; it writes its seconds and size to a pipe. Peak memory from wait4.
Result in_child(const std::function<std::pair<double, std::size_t>()>& work) {
    int fds[2];
    if (pipe(fds) != 0) return {};
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        std::pair<double, std::size_t> r{0, 0};
        try {
            r = work();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "bench_crl: %s\n", e.what());
            _exit(1);
        }
        if (write(fds[1], &r, sizeof r) != static_cast<ssize_t>(sizeof r)) _exit(1);
        _exit(0);
    }
    close(fds[1]);
    std::pair<double, std::size_t> r{0, 0};
    const bool got = read(fds[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r);
    close(fds[0]);
    int status = 0;
    struct rusage ru {};
    wait4(pid, &status, 0, &ru);
    return {r.first, ru.ru_maxrss, r.second, got && WIFEXITED(status) && WEXITSTATUS(status) == 0};
}

double since(Steady::time_point t) { return std::chrono::duration<double>(Steady::now() - t).count(); }

std::pair<double, std::size_t> pkilab_memory(const Lab& lab, std::uint64_t n) {
    const auto& ca = lab.ca("bench-ca");
    ca.load_key();
    const Time now = lab.clock().now();
    const auto start = Steady::now();
    crl::RevokedListWriter w;
    for (std::uint64_t i = 0; i < n; ++i) w.add(serial_of(i), kReasons[i % 4], now - std::chrono::seconds{i % 86400});
    crl::CrlHeader h;
    h.number = 1;
    h.this_update = now;
    h.next_update = now + std::chrono::days{7};
    const Bytes der = crl::build_crl(ca, h, std::move(w));
    crl::verify_crl_against_ca(ca, der, h);
    return {since(start), der.size()};
}

std::pair<double, std::size_t> pkilab_publish(const Lab& lab) {
    const auto start = Steady::now();
    const auto p = crl::publish_crl(lab, lab.ca("bench-ca"), CrlKind::Base, "bench", "bench");
    return {since(start), p.record.size};
}

std::pair<double, std::size_t> openssl_api(const Lab& lab, const fs::path& key_file, std::uint64_t n) {
    const auto& ca = lab.ca("bench-ca");
    ossl::PkeyPtr key = load_private_key(key_file, std::nullopt);
    const Time now = lab.clock().now();
    const auto start = Steady::now();
    ossl::X509CrlPtr crl(X509_CRL_new());
    X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2);
    X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.certificate()));
    ossl::Asn1TimePtr t(ASN1_TIME_set(nullptr, now.time_since_epoch().count()));
    X509_CRL_set1_lastUpdate(crl.get(), t.get());
    ossl::Asn1TimePtr nt(ASN1_TIME_set(nullptr, (now + std::chrono::days{7}).time_since_epoch().count()));
    X509_CRL_set1_nextUpdate(crl.get(), nt.get());
    for (std::uint64_t i = 0; i < n; ++i) {
        X509_REVOKED* r = X509_REVOKED_new();
        BIGNUM* bn = nullptr;
        BN_hex2bn(&bn, serial_of(i).c_str());
        ASN1_INTEGER* s = BN_to_ASN1_INTEGER(bn, nullptr);
        X509_REVOKED_set_serialNumber(r, s);
        ASN1_INTEGER_free(s);
        BN_free(bn);
        ASN1_TIME* rt = ASN1_TIME_set(nullptr, (now - std::chrono::seconds{i % 86400}).time_since_epoch().count());
        X509_REVOKED_set_revocationDate(r, rt);
        ASN1_TIME_free(rt);
        ASN1_ENUMERATED* e = ASN1_ENUMERATED_new();
        ASN1_ENUMERATED_set(e, static_cast<long>(kReasons[i % 4]));
        X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, e, 0, 0);
        ASN1_ENUMERATED_free(e);
        X509_CRL_add0_revoked(crl.get(), r);
    }
    X509_CRL_sort(crl.get());
    X509_CRL_sign(crl.get(), key.get(), EVP_sha256());
    unsigned char* out = nullptr;
    const int len = i2d_X509_CRL(crl.get(), &out);
    OPENSSL_free(out);
    return {since(start), static_cast<std::size_t>(len)};
}

// openssl ca's text database: one line per certificate, "R" for revoked.
void write_openssl_ca_files(const fs::path& dir, const Lab& lab, std::uint64_t n) {
    const Time now = lab.clock().now();
    std::ofstream index(dir / "index.txt");
    const char* names[] = {"keyCompromise", "superseded", "cessationOfOperation", "affiliationChanged"};
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::time_t rt = (now - std::chrono::seconds{i % 86400}).time_since_epoch().count();
        char when[32];
        std::strftime(when, sizeof when, "%Y%m%d%H%M%SZ", std::gmtime(&rt));
        std::string serial = serial_of(i);
        for (auto& c : serial) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        // UTCTime (two-digit year) is what index.txt holds.
        index << "R\t361231000000Z\t" << (when + 2) << "," << names[i % 4] << "\t" << serial << "\tunknown\t/CN=host" << i
              << "\n";
    }
    std::ofstream(dir / "crlnumber") << "01\n";
    std::ofstream(dir / "openssl.cnf") << "[ca]\ndefault_ca = bench\n[bench]\ndatabase = " << (dir / "index.txt").string()
                                        << "\ncrlnumber = " << (dir / "crlnumber").string()
                                        << "\ndefault_md = sha256\ndefault_crl_days = 7\ncrl_extensions = crl_ext\n"
                                        << "[crl_ext]\nauthorityKeyIdentifier = keyid:always\n";
}

std::pair<double, std::size_t> openssl_ca(const fs::path& dir, const fs::path& ca_dir) {
    const auto start = Steady::now();
    const std::string out = (dir / "openssl-ca.crl").string();
    const std::string cmd = "openssl ca -gencrl -batch -config " + (dir / "openssl.cnf").string() + " -keyfile " +
                            (ca_dir / "ca.key").string() + " -cert " + (ca_dir / "ca.pem").string() +
                            " -out " + out + " 2>" + (dir / "openssl-ca.log").string();
    // One process: the child's own rusage is that of openssl (system() waits for it).
    if (std::system(cmd.c_str()) != 0) {
        std::ifstream log(dir / "openssl-ca.log");
        throw std::runtime_error("openssl ca -gencrl failed: " + std::string(std::istreambuf_iterator<char>(log), {}));
    }
    // PEM on disk (`openssl ca` writes no DER); the DER is three quarters of it.
    return {since(start), static_cast<std::size_t>(fs::file_size(out)) * 3 / 4};
}

// Bulk rows straight into SQLite (a fixture: issuing a million certificates first would take
// the bench hours). Only what a CRL reads is filled in.
void fill_store(const fs::path& db_file, const Lab& lab, std::uint64_t n) {
    SQLite::Database db(db_file.string(), SQLite::OPEN_READWRITE);
    db.exec("DELETE FROM certificates");
    SQLite::Transaction tx(db);
    SQLite::Statement q(db,
                        "INSERT INTO certificates (ca, serial, request_id, not_before, not_after, issued_at, der, status, "
                        "revocation_reason, revoked_at, status_seq) VALUES ('bench-ca', ?, 1, 0, ?, 0, x'3000', 'revoked', ?, ?, ?)");
    const std::int64_t now = lab.clock().now().time_since_epoch().count();
    for (std::uint64_t i = 0; i < n; ++i) {
        q.bind(1, serial_of(i));
        q.bind(2, now + 365 * 86400);
        q.bind(3, static_cast<int>(kReasons[i % 4]));
        q.bind(4, now - static_cast<std::int64_t>(i % 86400));
        q.bind(5, static_cast<std::int64_t>(i + 1));
        q.exec();
        q.reset();
    }
    tx.commit();
}

void row(const char* what, std::uint64_t n, const Result& r, const Result* base) {
    if (!r.ok) {
        std::printf("  %-18s %9llu  failed\n", what, static_cast<unsigned long long>(n));
        return;
    }
    std::printf("  %-18s %9llu  %8.2f s  %8.1f MiB  %8.1f MB", what, static_cast<unsigned long long>(n), r.seconds,
                static_cast<double>(r.peak_kib) / 1024.0, static_cast<double>(r.bytes) / 1e6);
    if (base != nullptr && base->ok && r.seconds > 0)
        std::printf("   openssl ca / this: %.1fx time, %.1fx memory", base->seconds / r.seconds,
                    static_cast<double>(base->peak_kib) / static_cast<double>(r.peak_kib));
    std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::uint64_t> sizes{100000, 1000000};
    bool api = true, openssl = true;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
            sizes.clear();
            for (char* tok = std::strtok(argv[++i], ","); tok != nullptr; tok = std::strtok(nullptr, ","))
                sizes.push_back(std::strtoull(tok, nullptr, 10));
        } else if (std::strcmp(argv[i], "--skip-api") == 0) {
            api = false;
        } else if (std::strcmp(argv[i], "--skip-openssl") == 0) {
            openssl = false;
        } else {
            std::fprintf(stderr, "usage: bench_crl [--sizes 100000,1000000] [--skip-api] [--skip-openssl]\n");
            return 2;
        }
    }
    char tmpl[] = "/tmp/pkilab-bench-crl-XXXXXX";
    const fs::path dir = mkdtemp(tmpl);
    std::ofstream(dir / "lab.yaml") << kLab;
    SystemClock clock;
    lab_up(dir / "state", dir / "lab.yaml", clock);
    const fs::path ca_dir = ca_folder(dir / "state", "bench-ca");

    std::printf("base CRL, P-256 CA, SHA-256, one reasonCode per entry; peak = the process's maximum RSS\n");
    std::printf("  %-18s %9s  %10s  %12s  %11s\n", "", "entries", "time", "peak", "size");
    for (const std::uint64_t n : sizes) {
        Result ossl_ca;
        if (openssl) {
            write_openssl_ca_files(dir, *Lab::open(dir / "state", clock), n);
            ossl_ca = in_child([&] { return openssl_ca(dir, ca_dir); });
        }
        fill_store(dir / "state" / "pkilab.db", *Lab::open(dir / "state", clock), n);
        const Result mem = in_child([&] { return pkilab_memory(*Lab::open(dir / "state", clock), n); });
        const Result pub = in_child([&] { return pkilab_publish(*Lab::open(dir / "state", clock)); });
        row("pkilab (memory)", n, mem, openssl ? &ossl_ca : nullptr);
        row("pkilab (publish)", n, pub, openssl ? &ossl_ca : nullptr);
        if (api) {
            const Result a = in_child([&] { return openssl_api(*Lab::open(dir / "state", clock), ca_dir / "ca.key", n); });
            row("OpenSSL CRL API", n, a, openssl ? &ossl_ca : nullptr);
        }
        if (openssl) row("openssl ca -gencrl", n, ossl_ca, nullptr);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return 0;
}
