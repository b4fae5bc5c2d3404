#pragma once
// cfssl's HTTP signer (`cfssl serve`, POST /api/v1/cfssl/sign), the peer the REST figures are
// put next to: a P-256 CA made by `cfssl gencert -initca`, one signing profile, and optionally
// cfssl's SQLite certificate database (certdb) so that it stores what it signs, as pkilab does.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "bench/ocsp/child.hpp"

namespace pkilab::bench {

// The executable `name` found on $PATH, if any.
std::optional<std::filesystem::path> find_on_path(const std::string& name);

struct CfsslSetup {
    std::filesystem::path binary;
    std::filesystem::path ca, ca_key, config;
    std::filesystem::path db;         // the certdb file (made by create_certdb)
    std::filesystem::path db_config;  // {"driver": "sqlite3", "data_source": db}
};

// Makes the CA (cfssl gencert -initca, ECDSA P-256), the signing config and the database
// config in `dir`. Throws std::runtime_error with cfssl's stderr when it fails.
CfsslSetup prepare_cfssl(const std::filesystem::path& binary, const std::filesystem::path& dir);

// An empty certdb with the schema of cfssl 1.2 (certdb/sqlite/migrations/001_CreateCertificates.sql),
// which `cfssl serve -db-config` expects to exist.
void create_certdb(const std::filesystem::path& db);
// How many certificates cfssl stored there.
long long certdb_rows(const std::filesystem::path& db);

// `cfssl serve` on 127.0.0.1:`port` (with the certdb when `with_db`), once it signs a request:
// `probe_body` is sent until it is answered 200. Throws with cfssl's stderr when it does not start.
std::unique_ptr<Child> start_cfssl(const CfsslSetup& setup, int port, bool with_db, const std::string& probe_body,
                                   const std::filesystem::path& log_dir);

}  // namespace pkilab::bench
