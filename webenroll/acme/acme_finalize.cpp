// Finalize through the endpoint's template (RFC 8555 §7.4), following a request that waits for
// an officer, the certificate chain download (§7.4.2) and revocation (§7.6).
#include <openssl/x509.h>

#include <algorithm>
#include <set>

#include "ca/errors.hpp"
#include "ca/keys/key.hpp"
#include "ca/pipeline/revocation.hpp"
#include "ca/text.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"
#include "crl/crl_publisher.hpp"
#include "webenroll/acme/acme_base64url.hpp"
#include "webenroll/acme/acme_identifier.hpp"
#include "webenroll/acme/acme_jwk.hpp"
#include "webenroll/acme/acme_reply.hpp"
#include "webenroll/acme/acme_service.hpp"

namespace pkilab::acme {

namespace {

// The CSR's names as identifiers: its DNS and IP SANs, and a CN that is a name.
std::set<std::pair<std::string, std::string>> csr_names(const ParsedCsr& csr) {
    std::set<std::pair<std::string, std::string>> out;
    for (const auto& n : csr.sans) {
        if (n.type == NameType::Dns) out.emplace("dns", ascii_lower(n.value));
        else if (n.type == NameType::Ip) out.emplace("ip", canonical_ip(n.value));
        else throw AcmeError(400, "badCSR", "the CSR asks for a " + std::string(to_string(n.type)) + " name, which no ACME identifier covers");
    }
    const X509_NAME* subject = X509_REQ_get_subject_name(csr.req.get());
    for (int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) {
        const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
        const std::string cn(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)), static_cast<std::size_t>(ASN1_STRING_length(value)));
        if (const std::string ip = canonical_ip(cn); !ip.empty()) out.emplace("ip", ip);
        else out.emplace("dns", ascii_lower(cn));
    }
    return out;
}

// "; SOURCE: MESSAGE", once (a name in both the CN and a SAN has the same finding twice).
void add_reason(std::string& detail, const Finding& f) {
    const std::string reason = "; " + (f.source.empty() ? "" : f.source + ": ") + f.message;
    if (detail.find(reason) == std::string::npos) detail += reason;
}

std::string refusal_detail(const IssuanceOutcome& outcome) {
    std::string detail = "the CA " + outcome.ca + " refused the request";
    if (outcome.request_id) detail += " (request " + std::to_string(outcome.request_id) + ")";
    detail += ": " + outcome.disposition;
    for (const auto& f : outcome.findings)
        if (f.severity == Severity::Error) add_reason(detail, f);
    return detail;
}

bool about_names(const Findings& findings) {
    return std::any_of(findings.begin(), findings.end(), [](const Finding& f) {
        return f.severity == Severity::Error && (f.field.starts_with("san") || f.field.starts_with("subject") ||
                                                 f.code.find("name") != std::string::npos || f.code.find("san") != std::string::npos);
    });
}

}  // namespace

// The template's rules and the plugins on a CSR for this one name (a throwaway key): a name they
// refuse is refused at its challenge, where every client shows the CA's reason (certbot 2.1 on
// Python 3.11 shows none for an error answer). The CSR's own checks at finalize still decide.
nlohmann::json AcmeService::preflight(const Endpoint& e, const Identifier& id) {
    if (!probe_key_) probe_key_ = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    const GeneralName name{id.type == "ip" ? NameType::Ip : NameType::Dns, id.value};
    const ossl::X509ReqPtr req = make_csr(probe_key_.get(), "CN=" + id.value, {name});
    Evaluation ev;
    try {
        ev = evaluate(lab_.context(), EnrollmentRequest{e.template_name, e.ca, csr_to_der(req.get()), Requester{"acme:preflight", "", "acme"}});
    } catch (const InputError&) {
        return nullptr;  // not about the name; finalize will say what it is
    }
    Findings refusals;
    for (const auto& f : ev.findings)
        if (f.severity == Severity::Error && about_names({f})) refusals.push_back(f);
    if (refusals.empty()) return nullptr;
    std::string detail = "the CA " + ev.ca + " will not issue for " + id.value + " (template " + e.template_name + ")";
    for (const auto& f : refusals) add_reason(detail, f);
    return problem_json("rejectedIdentifier", detail, 403);
}

void AcmeService::issued(Order& o, const std::string& ca, const std::string& serial) {
    o.status = "valid";
    o.ca = ca;
    o.serial = serial;
    store_->record_issued(ca, serial, o.account);
    store_->put_order(o);
}

void AcmeService::follow_request(Order& o) {
    const auto request = lab_.store().find_request(o.ca, o.request_id);
    if (!request || request->state == RequestState::Pending) return;
    if (request->state == RequestState::Issued) {
        issued(o, o.ca, request->serial);
        return;
    }
    o.status = "invalid";
    o.error = problem_json("badCSR", "request " + std::to_string(o.request_id) + " at " + o.ca + " was " + to_string(request->state) +
                                         ": " + request->disposition, 403);
    store_->put_order(o);
}

void AcmeService::finalize(const WebRequest& r, const std::string& ep, const std::string& id, httplib::Response& res) {
    const Signed s = authenticate(r, ep, KeyUse::Kid);
    const nlohmann::json payload = s.jws.payload_json();
    if (!payload.contains("csr") || !payload["csr"].is_string()) malformed("finalize needs a \"csr\" (base64url DER)");
    const auto der = b64url_decode(payload["csr"].get<std::string>());
    if (!der) throw AcmeError(400, "badCSR", "the \"csr\" is not base64url without padding");
    const Endpoint& e = endpoint(ep);
    std::lock_guard lock(mu_);
    Order o = load_order(id, *s.account);
    if (o.status != "ready")
        throw AcmeError(403, "orderNotReady", "the order is " + o.status + ", not ready: " +
                                                  (o.status == "pending" ? "answer its challenges first" : "it cannot be finalized again"));
    ParsedCsr csr;
    try {
        csr = parse_csr(*der);
    } catch (const InputError& err) {
        throw AcmeError(400, "badCSR", err.what());
    }
    std::set<std::pair<std::string, std::string>> wanted;
    for (const auto& i : o.identifiers) wanted.emplace(i.type, i.value);
    if (csr_names(csr) != wanted) throw AcmeError(400, "badCSR", "the CSR's names (SANs and CN) are not exactly the order's identifiers");

    IssuanceOutcome outcome;
    try {
        outcome = submit(lab_.context(), EnrollmentRequest{e.template_name, e.ca, *der, Requester{"acme:account:" + s.account->id, "", "acme"}});
    } catch (const InputError& err) {
        throw AcmeError(400, "badCSR", err.what());
    }
    o.ca = outcome.ca;
    o.request_id = outcome.request_id;
    switch (outcome.state) {
        case RequestState::Issued:
            issued(o, outcome.ca, outcome.certificate->serial);
            break;
        case RequestState::Pending:
            o.status = "processing";
            store_->put_order(o);
            res.set_header("Retry-After", std::to_string(2));
            break;
        case RequestState::Denied:
        case RequestState::Failed: {
            const bool names = about_names(outcome.findings);
            AcmeError refusal(403, names ? "rejectedIdentifier" : "badCSR", refusal_detail(outcome));
            o.status = "invalid";
            o.error = refusal.problem();
            store_->put_order(o);
            throw refusal;
        }
    }
    res.set_header("Location", base(r, ep) + "/order/" + o.id);
    send_json(res, 200, order_json(r, o));
}

void AcmeService::certificate(const WebRequest& r, const std::string& ep, const std::string& id, httplib::Response& res) {
    const Signed s = authenticate(r, ep, KeyUse::Kid);
    if (!s.jws.post_as_get()) malformed("download the certificate with POST-as-GET (an empty payload)");
    std::lock_guard lock(mu_);
    const Order o = load_order(id, *s.account);
    if (o.status != "valid") throw AcmeError(404, "malformed", "the order has no certificate (it is " + o.status + ")");
    const auto record = lab_.store().find_certificate(o.ca, o.serial);
    if (!record) throw AcmeError(500, "serverInternal", "the certificate " + o.serial + " is missing from the CA's store");
    std::string pem = pem_encode("CERTIFICATE", record->der);
    const auto chain = lab_.chain(lab_.ca(o.ca));
    // The issuing CAs up to, not including, the root: clients trust the root themselves.
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) pem += certificate_pem(chain[i]);
    if (chain.size() == 1 && X509_check_issued(const_cast<X509*>(chain[0]), const_cast<X509*>(chain[0])) != X509_V_OK)
        pem += certificate_pem(chain[0]);
    res.status = 200;
    res.set_content(pem, "application/pem-certificate-chain");
}

void AcmeService::revoke_certificate(const WebRequest& r, const std::string& ep, httplib::Response& res) {
    const Signed s = authenticate(r, ep, KeyUse::Either);
    const nlohmann::json payload = s.jws.payload_json();
    if (!payload.contains("certificate") || !payload["certificate"].is_string()) malformed("revokeCert needs a \"certificate\" (base64url DER)");
    const auto der = b64url_decode(payload["certificate"].get<std::string>());
    if (!der) malformed("the \"certificate\" is not base64url without padding");
    ossl::X509Ptr cert;
    try {
        cert = parse_certificate(*der, "revokeCert");
    } catch (const InputError& err) {
        malformed(err.what());
    }
    int code = 0;
    if (payload.contains("reason")) {
        if (!payload["reason"].is_number_integer()) throw AcmeError(400, "badRevocationReason", "\"reason\" is not an integer");
        code = payload["reason"].get<int>();
        if (code < 0 || code > 10 || code == 6 || code == 7 || code == 8)
            throw AcmeError(400, "badRevocationReason", "reason " + std::to_string(code) + " is not one ACME revokes with (RFC 5280 codes but 6, 7, 8)");
    }
    const std::string serial = serial_to_hex(X509_get0_serialNumber(cert.get()));
    std::optional<CertificateRecord> record;
    for (auto& c : lab_.store().find_certificates_by_serial(serial))
        if (c.der == *der) record = std::move(c);
    if (!record) throw AcmeError(404, "malformed", "this CA did not issue the certificate " + serial);
    std::string actor;
    if (s.account) {
        const auto owner = store_->issued_to(record->ca, record->serial);
        if (!owner || *owner != s.account->id)
            throw AcmeError(403, "unauthorized", "the account did not obtain certificate " + serial + " (sign with the certificate's key instead)");
        actor = "acme:account:" + s.account->id;
    } else {
        const ossl::PkeyPtr key = jwk_to_key(s.jws.jwk);
        if (EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.get()) != 1)
            throw AcmeError(403, "unauthorized", "the jwk is not the certificate's key");
        actor = "acme:certificate-key";
    }
    if (record->status == CertStatus::Revoked) throw AcmeError(400, "alreadyRevoked", "certificate " + serial + " is revoked already");
    revoke(lab_.context(), record->serial, parse_revocation_reason(std::to_string(code), "revokeCert"), Requester{actor, "", "acme"},
           std::nullopt, record->ca);
    crl::publish_after_status_change(lab_, record->ca, actor);
    res.status = 200;
}

}  // namespace pkilab::acme
