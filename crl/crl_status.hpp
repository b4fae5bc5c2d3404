#pragma once
// The JSON form of CRL records, of a publication attempt and of one CA's CRL status (`pkilab crl
// status --json` and the REST API's /api/v1/crls give the same document).
#include <nlohmann/json.hpp>

#include "ca/authority/lab.hpp"
#include "ca/store/store.hpp"
#include "crl/crl_publisher.hpp"

namespace pkilab::crl {

// "base", "delta" or "nothing": what crl.publish_on_revoke makes after a status change.
const char* to_string(CrlConfig::OnRevoke o);

// One published CRL, with its freshness at `now`.
nlohmann::json crl_record_json(const CrlRecord& r, Time now);
// What one publication did: the CRL and its files, or the error.
nlohmann::json attempt_json(const Attempt& a, Time now);
// One CA's CRL settings and its latest base (and delta) CRL, with the URLs clients fetch them at
// and the lab's own file.
nlohmann::json crl_status_json(const Lab& lab, const CertificateAuthority& ca, Time now);

}  // namespace pkilab::crl
