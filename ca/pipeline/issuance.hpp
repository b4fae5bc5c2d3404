#pragma once
// The issuance pipeline: one path from a request to a stored certificate, used by every
// front end (CLI now; certsrv, REST, EST, ACME, SCEP, CMP later).
#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "ca/authority/certificate_authority.hpp"
#include "ca/bytes.hpp"
#include "ca/clock.hpp"
#include "ca/config/lab_config.hpp"
#include "ca/finding.hpp"
#include "ca/store/store.hpp"
#include "ca/x509/general_name.hpp"

namespace pkilab {

class PolicyHost;

// Plugins run after the lab's own chains, for one command (`check request --profile`).
struct ExtraPolicy {
    const PolicyHost* host = nullptr;
    std::vector<std::string> chain;
};

// What issuance borrows from the lab.
struct IssuanceContext {
    const LabConfig& config;
    const std::vector<CertificateAuthority>& cas;
    Store& store;
    const Clock& clock;
    const PolicyHost* policies = nullptr;  // the lab's policy plugins; none when null
    const ExtraPolicy* extra = nullptr;    // more plugins to run, from the command line
};

struct EnrollmentRequest {
    std::string template_name;
    std::string ca;  // empty: the issuing CA that publishes the template
    Bytes csr;       // PEM or DER, exactly as received
    Requester requester;
};

struct IssuedCertificate {
    std::string serial;
    Bytes der;
};

struct IssuanceOutcome {
    RequestState state = RequestState::Failed;
    std::string ca;
    std::int64_t request_id = 0;
    std::string disposition;
    Findings findings;  // every reason and note, from every stage
    std::optional<IssuedCertificate> certificate;
};

// Everything but signing and recording: the preflight answer to "would this request pass?".
struct Evaluation {
    std::string ca;
    std::string template_name;
    Findings findings;
    bool would_pend = false;
    Bytes tbs_der;  // the certificate the CA would sign (empty when refused before it was built)
};

// A submission that has been decided (and, when issued, signed and handed to the store),
// waiting for the store to confirm that it is durable. wait() releases the outcome only
// then, so a certificate can never reach anyone before it is on disk. Holding several
// tickets lets one thread keep issuing while earlier certificates are being synced.
class IssuanceTicket {
public:
    // `on_durable` runs once the outcome is durable, in wait() (it tells plugins the news).
    IssuanceTicket(IssuanceOutcome outcome, std::future<void> durable, std::function<void()> on_durable = {})
        : outcome_(std::move(outcome)), durable_(std::move(durable)), on_durable_(std::move(on_durable)) {}
    // Once only. Rethrows the store's failure (the certificate is then not issued).
    IssuanceOutcome wait();

private:
    IssuanceOutcome outcome_;
    std::future<void> durable_;  // not valid() when the outcome was durable already
    std::function<void()> on_durable_;
};

// Submits a new request. Throws InputError for a request that cannot be read (bad CSR,
// unknown template, CA that does not issue it), after recording that in the audit trail.
// A policy refusal is not an exception: it comes back as state Denied with its findings.
IssuanceOutcome submit(const IssuanceContext& ctx, const EnrollmentRequest& request);
// The same, with names from a request attribute outside the CSR (certsrv's "SAN:dns=..."), which
// replace the CSR's own: for a lab that turns web.san_from_request_attributes on to teach AD CS's
// EDITF_ATTRIBUTESUBJECTALTNAME2 (the ESC6 weakness). The outcome warns about it; a request that
// would wait for approval is denied, since the store keeps only the CSR.
IssuanceOutcome submit_with_attribute_sans(const IssuanceContext& ctx, const EnrollmentRequest& request,
                                           const std::vector<GeneralName>& attribute_sans);
// The same, without waiting for durability (servers and benchmarks that pipeline requests).
IssuanceTicket submit_pipelined(const IssuanceContext& ctx, const EnrollmentRequest& request);
Evaluation evaluate(const IssuanceContext& ctx, const EnrollmentRequest& request);
// For the CA's own infrastructure (its delegated OCSP responder certificate): the template is
// issued by `request.ca` whether or not that CA publishes it (a root usually publishes only
// SubCA), through the same decision, record and signature as submit().
IssuanceOutcome submit_for_ca_infrastructure(const IssuanceContext& ctx, const EnrollmentRequest& request);

// Officer actions on a stored request (AD CS semantics). Approve and resubmit re-run the
// template rules and lint at the current time before signing.
IssuanceOutcome approve(const IssuanceContext& ctx, const std::string& ca, std::int64_t request_id,
                        const Requester& officer);
IssuanceOutcome resubmit(const IssuanceContext& ctx, const std::string& ca, std::int64_t request_id,
                         const Requester& officer);
IssuanceOutcome deny(const IssuanceContext& ctx, const std::string& ca, std::int64_t request_id,
                     const Requester& officer, const std::string& reason);

const CertificateAuthority& find_ca(const IssuanceContext& ctx, std::string_view name);
const CertificateTemplate& find_template(const IssuanceContext& ctx, std::string_view name);

}  // namespace pkilab
