#pragma once
// What the EST handlers share, and who may enroll: an HTTP Basic (or bearer) user of the lab
// file whose role and the template's enroll list allow it, or a client presenting, over TLS, a
// certificate a lab CA issued (RFC 7030 §3.3): it enrolls as an enrollee named by its subject.
#include <optional>
#include <string>

#include <httplib.h>

#include "ca/store/store.hpp"
#include "webenroll/est/est_client_certificate.hpp"
#include "webenroll/est/est_labels.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::web::est {

struct EstService {
    WebServices& services;
    Endpoints endpoints;
    ClientCertificateCheck certificates;
};

struct Enrollee {
    Caller caller;                  // the user, or the certificate as an enrollee
    Requester requester;            // for submit(): channel "est"
    std::optional<TlsClient> tls;   // the connection's client certificate, when it checks out
};

// The enrollee of request `r` for template `t`, or nullopt after answering 401 (no or wrong
// credentials, with the Basic challenge) or 403 (not allowed to enroll for `t`).
std::optional<Enrollee> authorise(const EstService& est, const WebRequest& r, const CertificateTemplate& t,
                                  httplib::Response& res);

// The three operations that issue, for the CSR `der` (request_csr_der). Each answers itself;
// InputError for a CSR that cannot be read.
void simple_enroll(const EstService& est, const Endpoint& e, const Enrollee& who, const Bytes& der, httplib::Response& res);
void simple_reenroll(const EstService& est, const Endpoint& e, const Enrollee& who, const Bytes& der,
                     httplib::Response& res);
void server_keygen(const EstService& est, const Endpoint& e, const Enrollee& who, const Bytes& der, httplib::Response& res);

// The CSR DER a request carries (est_body.hpp with its headers).
Bytes request_csr_der(const httplib::Request& req);

}  // namespace pkilab::web::est
