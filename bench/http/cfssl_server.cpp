#include "bench/http/cfssl_server.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

namespace pkilab::bench {

namespace fs = std::filesystem;

namespace {

// cfssl 1.2's schema (Debian's golang-cfssl is a 2016 snapshot of it): the certificates table
// its certdb writes on every signature, and the OCSP table its foreign key names.
constexpr const char* kCertdbSchema = R"(
CREATE TABLE certificates (
  serial_number            blob NOT NULL,
  authority_key_identifier blob NOT NULL,
  ca_label                 blob,
  status                   blob NOT NULL,
  reason                   int,
  created_at               timestamp,
  expiry                   timestamp,
  revoked_at               timestamp,
  pem                      blob NOT NULL,
  PRIMARY KEY(serial_number, authority_key_identifier)
);
CREATE INDEX certificates_created_at ON certificates (created_at);
CREATE INDEX certificates_revoked_at ON certificates (revoked_at);
CREATE TABLE ocsp_responses (
  serial_number            blob NOT NULL,
  authority_key_identifier blob NOT NULL,
  body                     blob NOT NULL,
  expiry                   timestamp,
  PRIMARY KEY(serial_number, authority_key_identifier),
  FOREIGN KEY(serial_number, authority_key_identifier) REFERENCES certificates(serial_number, authority_key_identifier)
);
)";

// A server certificate profile, as cfssl's examples write it.
constexpr const char* kSigningConfig = R"({"signing": {"default": {"expiry": "8760h",
  "usages": ["digital signature", "key encipherment", "server auth"]}}})";

void write_text(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + file.string());
}

struct Finished {
    std::string out, err;
};

// Runs a short command to its end (at most 60 s).
Finished run_to_end(std::vector<std::string> argv, const fs::path& dir, const std::string& what) {
    Child child(std::move(argv), dir / (what + ".out"), dir / (what + ".err"));
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!child.exited() && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const bool finished = child.exited();
    child.stop();
    if (!finished) throw std::runtime_error(what + " did not finish within 60 s");
    return {child.out(), child.err()};
}

}  // namespace

std::optional<fs::path> find_on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path != nullptr ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        if (dir.empty()) continue;
        const fs::path candidate = fs::path(dir) / name;
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return std::nullopt;
}

CfsslSetup prepare_cfssl(const fs::path& binary, const fs::path& dir) {
    fs::create_directories(dir);
    CfsslSetup s;
    s.binary = binary;
    s.ca = dir / "ca.pem";
    s.ca_key = dir / "ca-key.pem";
    s.config = dir / "config.json";
    s.db = dir / "certdb.sqlite";
    s.db_config = dir / "db-config.json";
    write_text(dir / "ca-csr.json", R"({"CN": "Bench cfssl CA", "names": [{"O": "pkilab bench"}],
  "key": {"algo": "ecdsa", "size": 256}, "ca": {"expiry": "87600h"}})");
    const Finished initca =
        run_to_end({binary.string(), "gencert", "-initca", (dir / "ca-csr.json").string()}, dir, "initca");
    const nlohmann::json made = nlohmann::json::parse(initca.out, nullptr, false);
    if (!made.is_object() || !made.contains("cert") || !made.contains("key") || !made["cert"].is_string() ||
        !made["key"].is_string())
        throw std::runtime_error("cfssl gencert -initca did not make a CA:\n" + initca.err);
    write_text(s.ca, made["cert"].get<std::string>());
    write_text(s.ca_key, made["key"].get<std::string>());
    fs::permissions(s.ca_key, fs::perms::owner_read | fs::perms::owner_write);
    write_text(s.config, kSigningConfig);
    write_text(s.db_config, nlohmann::json{{"driver", "sqlite3"}, {"data_source", s.db.string()}}.dump());
    return s;
}

void create_certdb(const fs::path& db) {
    SQLite::Database d(db.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    d.exec(kCertdbSchema);
}

long long certdb_rows(const fs::path& db) {
    SQLite::Database d(db.string(), SQLite::OPEN_READONLY);
    return d.execAndGet("SELECT count(*) FROM certificates").getInt64();
}

std::unique_ptr<Child> start_cfssl(const CfsslSetup& s, int port, bool with_db, const std::string& probe_body,
                                   const fs::path& log_dir) {
    // Log level 2 (warnings): cfssl's default writes four INFO lines per request, pkilab serve
    // writes none without --access-log.
    std::vector<std::string> argv{s.binary.string(), "serve", "-address", "127.0.0.1", "-port", std::to_string(port),
                                  "-ca", s.ca.string(), "-ca-key", s.ca_key.string(), "-config", s.config.string(),
                                  "-loglevel", "2"};
    if (with_db) argv.insert(argv.end(), {"-db-config", s.db_config.string()});
    const std::string name = with_db ? "cfssl-db" : "cfssl";
    auto child = std::make_unique<Child>(argv, log_dir / (name + ".out"), log_dir / (name + ".err"));
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::string last;
    while (std::chrono::steady_clock::now() < end) {
        if (child->exited()) break;
        httplib::Client client("127.0.0.1", port);
        client.set_connection_timeout(1);
        if (auto r = client.Post("/api/v1/cfssl/sign", probe_body, "application/json")) {
            if (r->status == 200) return child;
            last = "HTTP " + std::to_string(r->status) + ": " + r->body;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    child->stop();
    throw std::runtime_error("cfssl serve" + std::string(with_db ? " -db-config" : "") + " did not sign a request" +
                             (last.empty() ? std::string() : " (last answer: " + last + ")") + ":\n" + child->err());
}

}  // namespace pkilab::bench
