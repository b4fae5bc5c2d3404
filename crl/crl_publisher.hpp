#pragma once
// Publishing CRLs: reserve the number, read the revocations, build, verify against the CA, and
// only then replace the published files (atomically, each location) and record it. A CRL that
// fails verification is never published: the previous one stays in place and the failure is
// reported and audited.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ca/authority/lab.hpp"
#include "ca/store/store.hpp"

namespace pkilab::crl {

struct Published {
    CrlRecord record;
    std::vector<std::filesystem::path> files;  // every place it was written to
};

// STATE/crl/NAME/base.crl or delta.crl: the lab's own copy of the latest CRL of each kind.
std::filesystem::path canonical_crl_file(const std::filesystem::path& state_dir, const std::string& ca, CrlKind kind);

// Publishes one CRL of `ca` now (lab clock). `why` goes into the audit event ("on demand",
// "scheduled", "after revoke"). A delta CRL needs a base CRL: if none was published yet, the base
// is published first. Throws InputError for a CA without delta CRLs asked for one, and
// InternalError when the built CRL fails verification (nothing is published then).
Published publish_crl(const Lab& lab, const CertificateAuthority& ca, CrlKind kind, const std::string& actor,
                      const std::string& why);

struct Attempt {
    std::string ca;
    CrlKind kind = CrlKind::Base;
    std::optional<Published> published;
    std::string error;  // set when it failed
};

// Publishes every CRL that is due at the lab clock's now: never published, or past its
// next_publish time. Each CA on its own: one failure does not stop the others.
std::vector<Attempt> publish_due(const Lab& lab, const std::string& actor);
// After a revoke, hold or release on `ca`, what crl.publish_on_revoke says: a base CRL and,
// with deltas, a delta CRL extending it; or a delta CRL only; or nothing (empty).
std::vector<Attempt> publish_after_status_change(const Lab& lab, const std::string& ca, const std::string& actor);

}  // namespace pkilab::crl
