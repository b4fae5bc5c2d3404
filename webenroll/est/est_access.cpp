#include "webenroll/est/est_service.hpp"

#include "webenroll/est/est_responses.hpp"

namespace pkilab::web::est {

std::optional<Enrollee> authorise(const EstService& est, const WebRequest& r, const CertificateTemplate& t,
                                  httplib::Response& res) {
    Enrollee who;
    std::string tls_problem;
    if (r.http.ssl != nullptr && SSL_get0_peer_certificate(r.http.ssl) != nullptr) {
        auto checked = est.certificates.check(r.http.ssl);
        who.tls = std::move(checked.client);
        tls_problem = std::move(checked.problem);
    }
    if (!r.caller.anonymous()) {
        // The front door checked the password; a wrong one never gets here.
        who.caller = r.caller;
    } else if (who.tls) {
        who.caller.name = who.tls->subject;
        who.caller.role = WebRole::Enrollee;
        who.caller.method = AuthMethod::ClientCertificate;
        who.caller.address = r.caller.address;
    } else {
        send_unauthorized(res, tls_problem.empty()
                                   ? "send HTTP Basic credentials of a lab user, or a TLS client certificate a lab CA issued"
                                   : tls_problem);
        return std::nullopt;
    }
    if (!may_enroll(who.caller, t)) {
        send_text(res, 403,
                  "Not allowed: " + who.caller.name + " (" + to_string(*who.caller.role) + ") may not enroll for template " +
                      t.name + " (its enroll list, or the role, does not allow it)");
        return std::nullopt;
    }
    who.requester = Requester{who.caller.name, to_string(*who.caller.role), "est"};
    return who;
}

}  // namespace pkilab::web::est
