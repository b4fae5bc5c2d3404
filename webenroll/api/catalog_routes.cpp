// What the lab is made of, for any user: the API index, who am I, the templates, the CAs with
// their certificates and chains; and for readers: the CRLs' status and the audit log.
#include <limits>

#include "ca/x509/certificate_info.hpp"
#include "ca/x509/pem.hpp"
#include "crl/crl_status.hpp"
#include "webenroll/api/api_response.hpp"
#include "webenroll/api/api_route.hpp"
#include "webenroll/api/query.hpp"
#include "webenroll/api/record_json.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::web {

namespace {

using httplib::Response;

nlohmann::json whoami_json(const Caller& c) {
    nlohmann::json access = nlohmann::json::array();
    for (Access a : {Access::Authenticated, Access::Enroll, Access::Read, Access::Officer, Access::Admin})
        if (role_allows(c.role, a)) access.push_back(to_string(a));
    return {{"name", c.name}, {"role", c.role ? to_string(*c.role) : ""}, {"method", to_string(c.method)}, {"access", access}};
}

void index(const WebServices& s, const ApiCall& call, Response& res) {
    send_json(res, 200,
              {{"api", "pkilab REST API"},
               {"version", "v1"},
               {"lab", s.lab.config().name},
               {"caller", whoami_json(call.web.caller)},
               {"links",
                {{"openapi", "/api/v1/openapi.json"},
                 {"whoami", "/api/v1/whoami"},
                 {"requests", "/api/v1/requests"},
                 {"check", "/api/v1/check"},
                 {"certificates", "/api/v1/certificates"},
                 {"templates", "/api/v1/templates"},
                 {"cas", "/api/v1/cas"},
                 {"crls", "/api/v1/crls"},
                 {"audit", "/api/v1/audit"}}}});
}

nlohmann::json template_json(const WebServices& s, const Caller& caller, const CertificateTemplate& t) {
    nlohmann::json cas = nlohmann::json::array();
    for (const auto& ca : s.lab.cas())
        if (ca.publishes(t.name)) cas.push_back(ca.name());
    nlohmann::json san = nlohmann::json::object();
    for (const auto& r : t.san_rules) san[to_string(r.type)] = {{"required", r.required}, {"patterns", r.patterns}, {"max", r.max}};
    return {{"name", t.name},
            {"display_name", t.display_name},
            {"description", t.description},
            {"version", t.version_string()},
            {"cas", cas},
            {"may_enroll", may_enroll(caller, t)},
            {"enroll", t.enroll},
            {"subject_source", t.subject_source == SubjectSource::Request ? "request" : "template"},
            {"subject", t.subject},
            {"required_subject_attributes", t.required_subject_attributes},
            {"san", san},
            {"max_sans", t.max_sans},
            {"keys", {{"rsa_min_bits", t.keys.rsa_min_bits}, {"allow_rsa_1024", t.keys.allow_rsa_1024},
                      {"ec_curves", t.keys.ec_curves}, {"ed25519", t.keys.allow_ed25519}}},
            {"validity", format_duration(t.validity)},
            {"key_usage", t.key_usage},
            {"extended_key_usage", t.extended_key_usage},
            {"ca", t.is_ca},
            {"pend_all_requests", t.pend_all_requests},
            {"allow_server_keygen", t.allow_server_keygen},
            {"links", {{"self", "/api/v1/templates/" + path_segment(t.name)}}}};
}

void list_templates(const WebServices& s, const ApiCall& call, Response& res) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& t : s.lab.config().templates) items.push_back(template_json(s, call.web.caller, t));
    const std::size_t count = items.size();
    send_json(res, 200, {{"templates", std::move(items)}, {"count", count}});
}

void show_template(const WebServices& s, const ApiCall& call, Response& res) {
    send_json(res, 200, template_json(s, call.web.caller, find_template(s.lab.context(), call.web.params.at(0))));
}

nlohmann::json ca_json(const CertificateAuthority& ca) {
    const CertificateInfo info = describe_certificate(ca.certificate());
    const std::string self = "/api/v1/cas/" + path_segment(ca.name());
    return {{"name", ca.name()},
            {"parent", ca.config().parent ? nlohmann::json(*ca.config().parent) : nlohmann::json(nullptr)},
            {"root", ca.is_root()},
            {"subject", info.subject},
            {"serial", info.serial},
            {"key", info.key.description},
            {"signature_algorithm", info.signature_algorithm},
            {"not_before", format_time(info.not_before)},
            {"not_after", format_time(info.not_after)},
            {"sha256_fingerprint", info.sha256_fingerprint},
            {"templates", ca.config().templates},
            {"urls", {{"cdp", ca.urls().cdp}, {"freshest_crl", ca.urls().freshest_crl}, {"aia", ca.urls().aia},
                      {"ocsp", ca.urls().ocsp}}},
            {"links", {{"certificate", self + "/certificate?format=pem"}, {"chain", self + "/chain?format=pem"}}}};
}

void list_cas(const WebServices& s, const ApiCall&, Response& res) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& ca : s.lab.cas()) items.push_back(ca_json(ca));
    const std::size_t count = items.size();
    send_json(res, 200, {{"cas", std::move(items)}, {"count", count}});
}

void send_download(Response& res, const std::string& content, const char* type, const std::string& filename) {
    res.status = 200;
    // A CA certificate changes at renewal only; an hour keeps clients from asking on every use.
    res.set_header("Cache-Control", "max-age=3600");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
    res.set_content(content, type);
}

void ca_certificate(const WebServices& s, const ApiCall& call, Response& res) {
    const CertificateAuthority& ca = s.lab.ca(call.web.params.at(0));
    const std::string format = call.has_query("format") ? call.query("format") : "pem";
    if (format == "pem") return send_download(res, certificate_pem(ca.certificate()), "application/x-pem-file", ca.name() + ".pem");
    if (format == "der")
        return send_download(res, std::string(as_chars(certificate_der(ca.certificate()))), "application/pkix-cert", ca.name() + ".cer");
    throw InputError("query", "format", "unknown format '" + format.substr(0, 32) + "'", "use pem or der");
}

void ca_chain(const WebServices& s, const ApiCall& call, Response& res) {
    const CertificateAuthority& ca = s.lab.ca(call.web.params.at(0));
    const std::string format = call.has_query("format") ? call.query("format") : "pem";
    if (format == "pem") {
        std::string content;
        for (const X509* c : s.lab.chain(ca)) content += certificate_pem(c);
        return send_download(res, content, "application/x-pem-file", ca.name() + "-chain.pem");
    }
    if (format == "p7b")
        return send_download(res, std::string(as_chars(pkcs7_certs_only(s.lab.chain(ca)))), "application/pkcs7-mime",
                             ca.name() + "-chain.p7b");
    throw InputError("query", "format", "unknown format '" + format.substr(0, 32) + "'", "use pem or p7b");
}

void list_crls(const WebServices& s, const ApiCall&, Response& res) {
    const Time now = s.lab.clock().now();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& ca : s.lab.cas()) items.push_back(crl::crl_status_json(s.lab, ca, now));
    send_json(res, 200, {{"lab_clock", format_time(now)}, {"cas", std::move(items)}});
}

void list_audit(const WebServices& s, const ApiCall& call, Response& res) {
    const std::int64_t after = query_integer(call, "after", 0, std::numeric_limits<std::int64_t>::max(), 0);
    const std::size_t limit = query_limit(call);
    nlohmann::json items = nlohmann::json::array();
    std::int64_t last = after;
    for (const auto& e : s.lab.store().list_audit(limit, after)) {
        last = e.id;
        items.push_back(to_json(e));
    }
    const std::size_t count = items.size();
    nlohmann::json j{{"events", std::move(items)}, {"count", count}, {"limit", limit}, {"next_after", last}};
    // The next page starts after the last event shown.
    if (count == limit) j["links"] = {{"next", "/api/v1/audit?after=" + std::to_string(last) + "&limit=" + std::to_string(limit)}};
    send_json(res, 200, j);
}

}  // namespace

void add_catalog_routes(ApiRoutes& api) {
    const WebServices& s = api.services();
    api.add("GET", "/api/v1", Access::Authenticated, "The API's index: links to every collection",
            ApiDoc{{}, {}, "", 200, "Index", {}, {}}, [&s](const ApiCall& call, Response& res) { index(s, call, res); });
    api.add("GET", "/api/v1/whoami", Access::Authenticated, "The caller: name, role, how it authenticated",
            ApiDoc{{}, {}, "", 200, "Caller", {}, {}},
            [](const ApiCall& call, Response& res) { send_json(res, 200, whoami_json(call.web.caller)); });
    api.add("GET", "/api/v1/templates", Access::Authenticated, "The templates, and whether the caller may enroll for each",
            ApiDoc{{}, {}, "", 200, "TemplateList", {}, {}},
            [&s](const ApiCall& call, Response& res) { list_templates(s, call, res); });
    api.add("GET", "/api/v1/templates/{name}", Access::Authenticated, "One template",
            ApiDoc{{}, {}, "", 200, "Template", {}, {404}},
            [&s](const ApiCall& call, Response& res) { show_template(s, call, res); });
    api.add("GET", "/api/v1/cas", Access::Authenticated, "The CAs: names, subjects, validity, URLs, templates",
            ApiDoc{{}, {}, "", 200, "CaList", {}, {}}, [&s](const ApiCall& call, Response& res) { list_cas(s, call, res); });
    api.add("GET", "/api/v1/cas/{ca}/certificate", Access::Public, "A CA certificate (PEM or DER)",
            ApiDoc{{{"format", "The encoding (default pem)", {"pem", "der"}}}, {}, "", 200, "",
                   {"application/x-pem-file", "application/pkix-cert"}, {400, 404}},
            [&s](const ApiCall& call, Response& res) { ca_certificate(s, call, res); });
    api.add("GET", "/api/v1/cas/{ca}/chain", Access::Public, "A CA certificate and its issuers up to the root",
            ApiDoc{{{"format", "PEM bundle or DER PKCS#7 (default pem)", {"pem", "p7b"}}}, {}, "", 200, "",
                   {"application/x-pem-file", "application/pkcs7-mime"}, {400, 404}},
            [&s](const ApiCall& call, Response& res) { ca_chain(s, call, res); });
    api.add("GET", "/api/v1/crls", Access::Read, "Each CA's latest base and delta CRL: number, times, freshness, URLs",
            ApiDoc{{}, {}, "", 200, "CrlStatus", {}, {}}, [&s](const ApiCall& call, Response& res) { list_crls(s, call, res); });
    api.add("GET", "/api/v1/audit", Access::Read, "The audit log, oldest first, a page at a time",
            ApiDoc{{{"after", "Events after this id (default 0: from the first)", {}, "integer"},
                    {"limit", "At most this many (1 to 1000, default 100)", {}, "integer"}},
                   {}, "", 200, "AuditPage", {}, {400}},
            [&s](const ApiCall& call, Response& res) { list_audit(s, call, res); });
}

}  // namespace pkilab::web
