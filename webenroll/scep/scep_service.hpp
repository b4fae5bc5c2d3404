#pragma once
// The SCEP endpoints of a lab (RFC 8894): each endpoint names a template and a CA, whose RA
// certificate (scep_ra.hpp) signs its answers. The operations, independent of HTTP: GetCACaps,
// GetCACert, GetCACertChain and PKIOperation (PKCSReq, RenewalReq, CertPoll, GetCert).
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ca/authority/lab.hpp"
#include "ca/config/scep_config.hpp"
#include "webenroll/scep/scep_message.hpp"
#include "webenroll/scep/scep_ra.hpp"
#include "webenroll/scep/scep_state.hpp"

namespace pkilab::scep {

struct Endpoint {
    ScepEndpointConfig config;
    std::string ca;                  // resolved (config.ca or the lab's web enrollment CA)
    std::string generated_challenge; // when the lab file gives no challenge_hash
    std::filesystem::path challenge_file;
};

struct Answer {
    int status = 200;
    std::string content_type;
    std::string body;
};

inline constexpr const char* kPkiMessageType = "application/x-pki-message";

class ScepService {
public:
    // Sets up every endpoint of lab.config().protocols.scep and its generated challenge
    // (STATE/scep/challenge-NAME, 0600). `default_ca` stands in for an endpoint's ca: when the
    // lab file gives none. The RA certificates are loaded or issued at the first request that
    // needs one, so that listing the routes (`pkilab serve --routes`) issues nothing.
    ScepService(const Lab& lab, const std::string& default_ca);

    const std::vector<std::unique_ptr<Endpoint>>& endpoints() const { return endpoints_; }
    const Endpoint* find(const std::string& name) const;  // null when unknown
    const Endpoint& first() const { return *endpoints_.front(); }

    Answer ca_caps() const;
    Answer ca_cert(const Endpoint& e) const;
    Answer ca_chain(const Endpoint& e) const;
    // Always a CertRep (a failure says why) once the message could be read; InputError before.
    Answer pki_operation(const Endpoint& e, ByteView message);

    // A one-time challenge for `e`, good until the returned time (lab clock).
    std::pair<std::string, Time> new_one_time_challenge(const Endpoint& e);
    const Lab& lab() const { return lab_; }

private:
    CertRep handle(const Endpoint& e, const PkiMessage& m);
    CertRep enroll(const Endpoint& e, const PkiMessage& m);
    CertRep poll(const Endpoint& e, const PkiMessage& m);
    CertRep get_cert(const Endpoint& e, const PkiMessage& m);
    CertRep answer_for_request(const std::string& ca, std::int64_t request_id, CertRep rep) const;
    std::string authorise(const Endpoint& e, const PkiMessage& m, const std::string& challenge, bool& renewal);
    void audit_refusal(const Endpoint& e, const PkiMessage& m, const std::string& why) const;
    // The RA of the endpoint's CA at the lab clock's now; ConflictError when the CA refuses one.
    std::shared_ptr<const RaIdentity> ra(const Endpoint& e) const;

    const Lab& lab_;
    mutable std::mutex ras_mutex_;
    mutable std::map<std::string, std::unique_ptr<RaCertificate>> ras_;  // by CA name, made on first use
    std::vector<std::unique_ptr<Endpoint>> endpoints_;
    OneTimeChallenges challenges_;
    Transactions transactions_;
};

}  // namespace pkilab::scep
