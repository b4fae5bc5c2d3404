#pragma once
// Where a lab publishes revocation data: the lab's publication folder holds each CRL and CA
// certificate under the path of the http:// URL that certificates name for it, the way AD CS's
// CertEnroll folder backs its IIS virtual directory. `pkilab serve` answers exactly those paths.
//
//   STATE/publish/CertEnroll/lab-issuing-ca.crl              base CRL  (cdp)
//   STATE/publish/CertEnroll/lab-issuing-ca+.crl             delta CRL (cdp with <DeltaCRLAllowed>)
//   STATE/publish/CertEnroll/127.0.0.1_lab-issuing-ca.crt    CA certificate (aia), DER
#include <filesystem>
#include <string>
#include <vector>

#include "ca/authority/lab.hpp"
#include "ca/bytes.hpp"

namespace pkilab::crl {

enum class Artifact { BaseCrl, DeltaCrl, CaCertificate };
const char* to_string(Artifact a);     // "base CRL", "delta CRL", "CA certificate"
const char* content_type(Artifact a);  // application/pkix-crl, application/pkix-cert (RFC 2585)

struct PublishedLocation {
    std::string url;   // as written into certificates
    std::string path;  // the URL's path, percent-decoded: "/CertEnroll/lab-issuing-ca+.crl"
    std::string ca;
    Artifact what = Artifact::BaseCrl;
    std::filesystem::path file;  // under the publication folder
};

std::filesystem::path publication_folder(const std::filesystem::path& state_dir);

// Every http:// location in the CAs' cdp (base and, with delta CRLs, delta) and aia URLs.
// Locations with another scheme are left out (nothing here can serve them). Two CAs, or a
// base and a delta CRL, naming the same path is an InputError naming both: one would be served
// at the other's location.
std::vector<PublishedLocation> published_locations(const Lab& lab);
// The same check on a lab file, before any CA exists (`lab validate`, `lab up`).
void check_publication_paths(const LabConfig& config);
// The same for one CA and artifact.
std::vector<PublishedLocation> locations_of(const Lab& lab, const std::string& ca, Artifact what);

// Replaces `file` with `content` atomically and durably (mode 0644), creating its folders:
// a client fetching it sees the old file or the new one, never a part.
void publish_file(const std::filesystem::path& file, ByteView content);

// The same content at every one of `files`, all or nothing: each is staged under a hidden name
// first (hard links to one written copy where possible) and renamed into place only when all
// are staged. A failure before the renames leaves every location as it was.
void publish_everywhere(const std::vector<std::filesystem::path>& files, ByteView content);

// Writes each CA certificate (DER) to its aia locations in the publication folder, where it is
// missing or different. Idempotent; `lab up` and `pkilab serve` call it.
void write_ca_certificates(const Lab& lab);

// The URL paths of the CAs' OCSP responders ("/ocsp"), each once.
std::vector<std::string> ocsp_paths(const Lab& lab);

}  // namespace pkilab::crl
