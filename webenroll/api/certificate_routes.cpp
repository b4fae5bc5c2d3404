// /api/v1/certificates: search, one certificate, downloads, and revoke, hold, release (each
// followed by the CRL publication the CA's publish_on_revoke asks for).
#include "ca/pipeline/revocation.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/pem.hpp"
#include "crl/crl_publisher.hpp"
#include "crl/crl_status.hpp"
#include "webenroll/api/api_response.hpp"
#include "webenroll/api/api_route.hpp"
#include "webenroll/api/query.hpp"
#include "webenroll/api/record_json.hpp"
#include "webenroll/api/rfc3339.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::web {

namespace {

using httplib::Response;

// An enrollee's list is its own among this many certificates, oldest first (as for requests:
// the store has no requester index); also the page a "valid" search is filtered from.
constexpr std::size_t kOwnScan = 100'000;

bool owns_certificate(const WebServices& s, const Caller& caller, const CertificateRecord& c) {
    if (sees_everything(caller)) return true;
    const auto r = s.lab.store().find_request(c.ca, c.request_id);
    return r && owns(caller, *r);
}

nlohmann::json certificate_json(const CertificateRecord& c, Time now) {
    nlohmann::json j = to_json(c, now);
    const std::string self = certificate_path(c.serial);
    j["links"] = {{"self", self}, {"download", self + "/download?format=pem"}, {"request", request_path(c.ca, c.request_id)}};
    return j;
}

// The CA a query or body names, checked; "" for any.
std::string named_ca(const WebServices& s, const std::string& ca, const char* where) {
    if (!ca.empty() && !s.lab.config().find_ca(ca)) throw InputError(where, "ca", "names no CA of this lab: " + ca);
    return ca;
}

// The certificate the path names, on `ca` when one is named; one an enrollee did not ask for
// does not exist for it.
CertificateRecord path_certificate(const WebServices& s, const WebRequest& r, const std::string& ca) {
    CertificateRecord c;
    try {
        c = find_certificate(s.lab.context(), r.params.at(0), ca);
    } catch (const InputError& e) {
        if (e.where() != "serial") throw;
        throw InputError("path", "serial", e.problem(), e.hint());
    }
    if (!owns_certificate(s, r.caller, c)) throw NotFoundError("no certificate with serial " + c.serial + " in this lab");
    return c;
}

CertificateRecord certificate_in_query(const WebServices& s, const ApiCall& call) {
    return path_certificate(s, call.web, named_ca(s, call.query("ca"), "query"));
}

CertificateRecord certificate_in_body(const WebServices& s, const ApiCall& call) {
    return path_certificate(s, call.web, named_ca(s, call.field("ca"), "body"));
}

void list_certificates(const WebServices& s, const ApiCall& call, Response& res) {
    const Time now = s.lab.clock().now();
    CertificateQuery q;
    q.ca = named_ca(s, call.query("ca"), "query");
    q.subject_contains = call.query("subject");
    q.san_contains = call.query("san");
    if (call.has_query("serial")) {
        try {
            q.serial = normalize_serial(call.query("serial"));
        } catch (const InputError& e) {
            throw InputError("query", "serial", e.problem(), e.hint());
        }
    }
    q.template_name = call.query("template");
    if (call.has_query("expiring_before")) q.expiring_before = parse_rfc3339(call.query("expiring_before"), "query", "expiring_before");
    // "expired" is a valid certificate past its notAfter on the lab clock, as records show it.
    const std::string status = call.query("status");
    if (!status.empty()) {
        if (status == "valid" || status == "expired") q.status = CertStatus::Valid;
        else if (status == "revoked") q.status = CertStatus::Revoked;
        else if (status == "on-hold") q.status = CertStatus::OnHold;
        else throw InputError("query", "status", "unknown status '" + status.substr(0, 32) + "'", "use valid, expired, revoked or on-hold");
        if (status == "expired" && (!q.expiring_before || *q.expiring_before > now)) q.expiring_before = now;
    }
    const std::size_t limit = query_limit(call);
    const bool all = sees_everything(call.web.caller);
    // "valid" leaves out the expired ones after the search: ask for enough to fill the page.
    q.limit = all && status != "valid" ? limit : kOwnScan;
    nlohmann::json items = nlohmann::json::array();
    for (const auto& c : s.lab.store().search_certificates(q)) {
        if (items.size() >= limit) break;
        if (status == "valid" && effective_status(c, now) != "valid") continue;
        if (!owns_certificate(s, call.web.caller, c)) continue;
        items.push_back(certificate_json(c, now));
    }
    const std::size_t count = items.size();
    send_json(res, 200, {{"certificates", std::move(items)}, {"count", count}, {"limit", limit}});
}

void show_certificate(const WebServices& s, const ApiCall& call, Response& res) {
    const CertificateRecord c = certificate_in_query(s, call);
    ossl::X509Ptr cert = parse_certificate(c.der, "stored certificate");
    nlohmann::json j = certificate_json(c, s.lab.clock().now());
    j["certificate"] = to_json(describe_certificate(cert.get()));
    j["pem"] = certificate_pem(cert.get());
    send_json(res, 200, j);
}

struct Download {
    std::string content, type, extension;
};

void download_certificate(const WebServices& s, const ApiCall& call, Response& res) {
    const CertificateRecord c = certificate_in_query(s, call);
    const std::string format = call.has_query("format") ? call.query("format") : "pem";
    ossl::X509Ptr cert = parse_certificate(c.der, "stored certificate");
    std::vector<const X509*> chain{cert.get()};
    for (const X509* up : s.lab.chain(s.lab.ca(c.ca))) chain.push_back(up);
    Download d;
    if (format == "pem") {
        d = {certificate_pem(cert.get()), "application/x-pem-file", "pem"};
    } else if (format == "der") {
        d = {std::string(as_chars(c.der)), "application/pkix-cert", "cer"};
    } else if (format == "p7b") {
        d = {std::string(as_chars(pkcs7_certs_only(chain))), "application/pkcs7-mime", "p7b"};
    } else if (format == "p7b-pem") {
        d = {pkcs7_pem(pkcs7_certs_only(chain)), "application/x-pem-file", "p7b.pem"};
    } else if (format == "chain-pem") {
        for (const X509* x : chain) d.content += certificate_pem(x);
        d.type = "application/x-pem-file";
        d.extension = "chain.pem";
    } else {
        throw InputError("query", "format", "unknown format '" + format.substr(0, 32) + "'",
                         "use pem, der, p7b, p7b-pem or chain-pem");
    }
    res.status = 200;
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Content-Disposition", "attachment; filename=\"" + c.serial + "." + d.extension + "\"");
    res.set_content(d.content, d.type.c_str());
}

// The changed record, and what publishing the CRLs did (a failure there leaves the change in
// force: it is reported, not thrown).
void send_status_change(const WebServices& s, const Caller& caller, const CertificateRecord& c, Response& res) {
    const auto attempts = crl::publish_after_status_change(s.lab, c.ca, caller.name);
    const Time now = s.lab.clock().now();
    nlohmann::json j = certificate_json(c, now);
    nlohmann::json published = nlohmann::json::array();
    for (const auto& a : attempts) published.push_back(crl::attempt_json(a, now));
    j["crl_publication"] = std::move(published);
    send_json(res, 200, j);
}

void revoke_certificate(const WebServices& s, const ApiCall& call, Response& res) {
    const CertificateRecord c = certificate_in_body(s, call);
    const RevocationReason reason = parse_revocation_reason(call.field("reason").empty() ? "unspecified" : call.field("reason"), "body");
    std::optional<Time> invalidity;
    if (!call.field("invalidity_date").empty())
        invalidity = parse_rfc3339(call.field("invalidity_date"), "body", "invalidity_date");
    const CertificateRecord changed = revoke(s.lab.context(), c.serial, reason, api_requester(call.web.caller), invalidity, c.ca);
    send_status_change(s, call.web.caller, changed, res);
}

void hold_certificate(const WebServices& s, const ApiCall& call, Response& res) {
    const CertificateRecord c = certificate_in_body(s, call);
    send_status_change(s, call.web.caller, hold(s.lab.context(), c.serial, api_requester(call.web.caller), c.ca), res);
}

void release_certificate(const WebServices& s, const ApiCall& call, Response& res) {
    const CertificateRecord c = certificate_in_body(s, call);
    send_status_change(s, call.web.caller, release(s.lab.context(), c.serial, api_requester(call.web.caller), c.ca), res);
}

const BodyField kCaField{"ca", false, 128, "The CA, when the serial is on several", false};

}  // namespace

void add_certificate_routes(ApiRoutes& api) {
    const WebServices& s = api.services();
    const QueryParam ca_query{"ca", "The CA, when the serial is on several", {}};
    api.add("GET", "/api/v1/certificates", Access::Authenticated, "Search certificates (an enrollee sees its own)",
            ApiDoc{{{"subject", "The subject contains this (case-insensitive)", {}},
                    {"san", "A SAN contains this, e.g. www.lab.test", {}},
                    {"serial", "The serial (hex, colons allowed)", {}},
                    {"template", "Issued from this template", {}},
                    {"status", "In this status on the lab clock", {"valid", "expired", "revoked", "on-hold"}},
                    {"ca", "Issued by this CA", {}},
                    {"expiring_before", "notAfter before this RFC 3339 time", {}},
                    {"limit", "At most this many (1 to 1000, default 100)", {}, "integer"}},
                   {}, "", 200, "CertificateList", {}, {400}},
            [&s](const ApiCall& call, Response& res) { list_certificates(s, call, res); });
    api.add("GET", "/api/v1/certificates/{serial}", Access::Authenticated, "One certificate, decoded, with its PEM",
            ApiDoc{{ca_query}, {}, "", 200, "CertificateDetail", {}, {400, 404}},
            [&s](const ApiCall& call, Response& res) { show_certificate(s, call, res); });
    api.add("GET", "/api/v1/certificates/{serial}/download", Access::Authenticated,
            "Download a certificate: PEM, DER, PKCS#7 with its chain (DER or PEM), or the chain in PEM",
            ApiDoc{{{"format", "The encoding (default pem)", {"pem", "der", "p7b", "p7b-pem", "chain-pem"}}, ca_query},
                   {}, "", 200, "", {"application/x-pem-file", "application/pkix-cert", "application/pkcs7-mime"}, {400, 404}},
            [&s](const ApiCall& call, Response& res) { download_certificate(s, call, res); });
    api.add("POST", "/api/v1/certificates/{serial}/revoke", Access::Officer,
            "Revoke a certificate (certificateHold puts it on hold), then publish the CRLs",
            ApiDoc{{},
                   {{"reason", false, 64, "An RFC 5280 reason: keyCompromise, superseded, ... (default unspecified)", false},
                    {"invalidity_date", false, 64, "When the key was known compromised (RFC 3339)", false},
                    kCaField},
                   "RevokeRequest", 200, "StatusChange", {}, {400, 404, 409, 413, 415}},
            [&s](const ApiCall& call, Response& res) { revoke_certificate(s, call, res); });
    api.add("POST", "/api/v1/certificates/{serial}/hold", Access::Officer, "Put a certificate on hold, then publish the CRLs",
            ApiDoc{{}, {kCaField}, "CaChoice", 200, "StatusChange", {}, {400, 404, 409, 413, 415}},
            [&s](const ApiCall& call, Response& res) { hold_certificate(s, call, res); });
    api.add("POST", "/api/v1/certificates/{serial}/release", Access::Officer,
            "Release a certificate from hold, then publish the CRLs",
            ApiDoc{{}, {kCaField}, "CaChoice", 200, "StatusChange", {}, {400, 404, 409, 413, 415}},
            [&s](const ApiCall& call, Response& res) { release_certificate(s, call, res); });
}

}  // namespace pkilab::web
