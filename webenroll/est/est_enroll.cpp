// simpleenroll and simplereenroll (RFC 7030 §4.2): a CSR through the pipeline's submit(), the
// certificate back as certs-only PKCS#7; a request that waits for approval answers 202, and the
// same CSR sent again later is answered from that request (the client polls by re-sending).
#include <algorithm>

#include <openssl/evp.h>

#include "ca/errors.hpp"
#include "ca/finding_json.hpp"
#include "ca/x509/csr.hpp"
#include "webenroll/est/est_body.hpp"
#include "webenroll/est/est_responses.hpp"
#include "webenroll/est/est_service.hpp"

namespace pkilab::web::est {

namespace {

std::string sha256_hex(ByteView data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) throw InternalError("SHA-256 failed");
    return to_hex(ByteView(md, len));
}

// The store setting that maps a pending EST request's CSR to the request: one per request that
// waited (emptied once its decision was delivered), so as bounded as the requests themselves.
std::string pending_key(const std::string& ca, ByteView csr_der) { return "est.pending." + ca + "." + sha256_hex(csr_der); }

// Answers from the request an earlier identical CSR of the same requester made, if any.
bool answer_from_earlier(const EstService& est, const Endpoint& e, const Enrollee& who, const Bytes& der,
                         httplib::Response& res) {
    Store& store = est.services.lab.store();
    const std::string key = pending_key(e.ca, der);
    const auto id_text = store.get_setting(key);
    if (!id_text || id_text->empty()) return false;
    std::int64_t id = 0;
    try {
        id = std::stoll(*id_text);
    } catch (const std::exception&) {
        return false;
    }
    const auto rec = store.find_request(e.ca, id);
    if (!rec || rec->csr_der != der || rec->requester.identity != who.requester.identity ||
        rec->template_name != e.template_name)
        return false;
    if (rec->state == RequestState::Pending) {
        send_pending(res, e.ca, id, est.services.lab.config().protocols.est.retry_after_seconds);
        return true;
    }
    // The decision is delivered once: the same CSR sent after that is a new request (an RSA key
    // signs the same CSR to the same bytes, and a renewal with the same key is allowed).
    store.set_setting(key, "");
    switch (rec->state) {
        case RequestState::Pending:
            return false;
        case RequestState::Issued: {
            const auto cert = store.find_certificate(e.ca, rec->serial);
            if (!cert) throw InternalError("request " + std::to_string(id) + " is issued but certificate " + rec->serial + " is missing");
            send_certs_only_der(res, cert->der);
            return true;
        }
        case RequestState::Denied:
        case RequestState::Failed:
            send_refusal(res, e.ca, id, rec->state, rec->disposition, findings_from_json(rec->findings_json));
            return true;
    }
    return false;
}

void submit_and_answer(const EstService& est, const Endpoint& e, const Enrollee& who, const Bytes& der,
                       httplib::Response& res) {
    if (answer_from_earlier(est, e, who, der, res)) return;
    const IssuanceOutcome out = submit(est.services.lab.context(), EnrollmentRequest{e.template_name, e.ca, der, who.requester});
    switch (out.state) {
        case RequestState::Issued:
            send_certs_only_der(res, out.certificate->der);
            return;
        case RequestState::Pending:
            est.services.lab.store().set_setting(pending_key(out.ca, der), std::to_string(out.request_id));
            send_pending(res, out.ca, out.request_id, est.services.lab.config().protocols.est.retry_after_seconds);
            return;
        case RequestState::Denied:
        case RequestState::Failed:
            send_refusal(res, out.ca, out.request_id, out.state, out.disposition, out.findings);
            return;
    }
}

std::vector<std::string> name_strings(const std::vector<GeneralName>& names) {
    std::vector<std::string> out;
    for (const auto& n : names) out.push_back(to_string(n));
    std::sort(out.begin(), out.end());
    return out;
}

// RFC 7030 §4.2.2: the renewal's subject and subjectAltName are the current certificate's.
std::string renewal_mismatch(const ParsedCsr& csr, const std::string& subject, const std::vector<std::string>& sans) {
    if (csr.subject != subject)
        return "the CSR's subject '" + csr.subject + "' is not the current certificate's '" + subject + "'";
    if (name_strings(csr.sans) != sans) {
        auto join = [](const std::vector<std::string>& v) {
            std::string s;
            for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
            return s.empty() ? std::string("none") : s;
        };
        return "the CSR's subjectAltName (" + join(name_strings(csr.sans)) + ") is not the current certificate's (" +
               join(sans) + ")";
    }
    return {};
}

}  // namespace

Bytes request_csr_der(const httplib::Request& req) {
    return decode_csr_body(req.get_header_value("Content-Type"), req.get_header_value("Content-Transfer-Encoding"), req.body);
}

void simple_enroll(const EstService& est, const Endpoint& e, const Enrollee& who, const Bytes& der, httplib::Response& res) {
    submit_and_answer(est, e, who, der, res);
}

void simple_reenroll(const EstService& est, const Endpoint& e, const Enrollee& who, const Bytes& der,
                     httplib::Response& res) {
    const ParsedCsr csr = parse_csr(der);
    if (who.tls) {
        const std::string problem = renewal_mismatch(csr, who.tls->subject, name_strings(who.tls->sans));
        if (!problem.empty()) {
            send_text(res, 400, "Bad re-enrollment request: " + problem + " (RFC 7030 4.2.2: they must be identical)");
            return;
        }
    } else {
        // Basic only: the certificate being renewed is a valid one of this user with that subject and those names.
        CertificateQuery q;
        q.subject_contains = csr.subject;
        q.status = CertStatus::Valid;
        q.limit = 200;
        const std::vector<std::string> sans = name_strings(csr.sans);
        const bool reads_all = role_allows(who.caller.role, Access::Officer);
        const Time now = est.services.lab.clock().now();
        bool found = false;
        for (const auto& c : est.services.lab.store().search_certificates(q)) {
            std::vector<std::string> cs = c.sans;
            std::sort(cs.begin(), cs.end());
            if (c.subject != csr.subject || cs != sans || c.not_after <= now) continue;
            const auto rec = est.services.lab.store().find_request(c.ca, c.request_id);
            if (reads_all || (rec && rec->requester.identity == who.requester.identity)) found = true;
        }
        if (!found) {
            send_text(res, 403,
                      "Not a renewal: " + who.caller.name + " has no valid certificate with subject '" + csr.subject +
                          "' and these subjectAltNames; present the certificate being renewed as the TLS client "
                          "certificate, or use simpleenroll");
            return;
        }
    }
    submit_and_answer(est, e, who, der, res);
}

}  // namespace pkilab::web::est
