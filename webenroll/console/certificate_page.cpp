// GET /console/certificates/{ca}/{serial}: one certificate decoded from its stored DER (not from
// the store's summary columns), with its status, revocation, PEM, downloads and the request
// it came from.
#include <utility>

#include <openssl/objects.h>

#include "ca/errors.hpp"
#include "ca/pipeline/revocation.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/pem.hpp"
#include "webenroll/console/console_page.hpp"
#include "webenroll/console/console_pages.hpp"
#include "webenroll/console/officer_forms.hpp"
#include "webenroll/pages/html.hpp"

namespace pkilab::web::console {

namespace {

using httplib::Response;

// The REST API's encodings (/api/v1/certificates/{serial}/download), as links.
constexpr std::pair<const char*, const char*> kDownloads[] = {
    {"pem", "PEM"}, {"der", "DER"}, {"chain-pem", "PEM with chain"}, {"p7b", "PKCS#7 with chain"}, {"p7b-pem", "PKCS#7 PEM"}};

// "serverAuth (1.3.6.1.5.5.7.3.1)" for a dotted OID OpenSSL knows, else the OID.
std::string oid_text(const std::string& dotted) {
    ossl::Asn1ObjectPtr obj(OBJ_txt2obj(dotted.c_str(), 1));
    const int nid = obj ? OBJ_obj2nid(obj.get()) : NID_undef;
    if (nid == NID_undef) return html_escape(dotted);
    return html_escape(OBJ_nid2sn(nid)) + " <span class=\"muted\">" + html_escape(dotted) + "</span>";
}

std::string list_of(const std::vector<std::string>& items, bool code = false) {
    if (items.empty()) return "<span class=\"muted\">none</span>";
    std::string html;
    for (const auto& i : items) html += (code ? "<code>" + html_escape(i) + "</code>" : html_escape(i)) + "<br>";
    return html;
}

std::string fact(const char* term, const std::string& value_html) {
    return "<dt>" + std::string(term) + "</dt><dd>" + value_html + "</dd>";
}

std::string decoded(const CertificateInfo& info, Time now) {
    std::string html = "<dl class=\"facts\">";
    html += fact("Serial", "<code>" + html_escape(info.serial) + "</code>");
    html += fact("Subject", "<span class=\"wrap\">" + html_escape(info.subject) + "</span>");
    html += fact("Issuer", html_escape(info.issuer));
    const std::int64_t days = days_until(info.not_after, now);
    html += fact("Validity", time_html(info.not_before) + " to " + time_html(info.not_after) + " <span class=\"muted\">(" +
                                 (days < 0 ? "expired " + std::to_string(-days) + " days ago" : std::to_string(days) + " days left") +
                                 ")</span>");
    html += fact("Public key", html_escape(info.key.description));
    html += fact("Signature", html_escape(info.signature_algorithm));
    std::vector<std::string> sans;
    for (const auto& n : info.sans) sans.push_back(to_string(n));
    html += fact("Subject alternative names", list_of(sans, true));
    html += fact("Key usage", list_of(info.key_usage));
    std::string eku;
    for (const auto& oid : info.extended_key_usage) eku += oid_text(oid) + "<br>";
    html += fact("Extended key usage", eku.empty() ? "<span class=\"muted\">none</span>" : eku);
    html += fact("Basic constraints", !info.is_ca ? "<span class=\"muted\">absent</span>"
                                      : *info.is_ca ? "CA" + (info.path_length ? ", pathLen " + std::to_string(*info.path_length)
                                                                               : std::string())
                                                    : std::string("end entity"));
    html += fact("CRL distribution points", list_of(info.crl_urls, true));
    if (!info.freshest_crl_urls.empty()) html += fact("Freshest CRL (delta)", list_of(info.freshest_crl_urls, true));
    html += fact("CA issuers (AIA)", list_of(info.ca_issuer_urls, true));
    html += fact("OCSP", list_of(info.ocsp_urls, true));
    std::string policies;
    for (const auto& oid : info.policies) policies += oid_text(oid) + "<br>";
    if (!policies.empty()) html += fact("Certificate policies", policies);
    if (!info.ms_template.empty()) html += fact("Microsoft template", html_escape(info.ms_template));
    html += fact("Subject key identifier", "<code>" + html_escape(info.subject_key_id) + "</code>");
    html += fact("Authority key identifier", "<code>" + html_escape(info.authority_key_id) + "</code>");
    html += fact("SHA-256 fingerprint", "<code class=\"wrap\">" + html_escape(info.sha256_fingerprint) + "</code>");
    std::string exts;
    for (const auto& e : info.extensions)
        exts += html_escape(e.name) + (e.name == e.oid ? "" : " <span class=\"muted\">" + html_escape(e.oid) + "</span>") + (e.critical ? " " + badge("", "critical") : "") +
                "<br>";
    html += fact("Extensions", exts.empty() ? "<span class=\"muted\">none</span>" : exts);
    return html + "</dl>";
}

std::string status_facts(const CertificateRecord& c, Time now) {
    std::string html = "<dl class=\"facts\">";
    html += fact("Status", badge(effective_status(c, now)));
    if (c.revocation) {
        html += fact(c.status == CertStatus::OnHold ? "On hold since" : "Revoked", time_html(c.revocation->revoked_at) +
                                                                                 " <span class=\"muted\">reason</span> " +
                                                                                 html_escape(to_string(c.revocation->reason)));
        if (c.revocation->invalidity_date) html += fact("Invalidity date", time_html(*c.revocation->invalidity_date));
    }
    html += fact("CA", html_escape(c.ca));
    html += fact("Template", "<a href=\"/console/templates#t-" + html_escape(c.template_name) + "\">" + html_escape(c.template_name) + "</a>");
    html += fact("Request", "<a href=\"" + html_escape(request_url(c.ca, c.request_id)) + "\">#" + std::to_string(c.request_id) +
                                "</a> <span class=\"muted\">its whole story</span>");
    html += fact("Issued", time_html(c.issued_at));
    return html + "</dl>";
}

void page(const WebServices& s, const WebRequest& r, Response& res) {
    const Lab& lab = s.lab;
    const CertificateAuthority& ca = path_ca(lab, r.params.at(0));
    const std::string serial = normalize_serial(r.params.at(1));
    const auto found = lab.store().find_certificate(ca.name(), serial);
    if (!found) throw NotFoundError("CA " + ca.name() + " has no certificate with serial " + serial);
    const CertificateRecord& c = *found;
    const Time now = lab.clock().now();
    ossl::X509Ptr cert = parse_certificate(c.der, "stored certificate");
    const CertificateInfo info = describe_certificate(cert.get());

    std::string body = status_facts(c, now) + certificate_action_forms(r.caller, c, false);
    body += "<p class=\"downloads\">Download";
    for (const auto& [format, label] : kDownloads)
        body += std::string(format == kDownloads[0].first ? ": " : " &middot; ") + "<a href=\"" +
                html_escape("/api/v1/certificates/" + query_value(c.serial) + "/download?format=" + std::string(format) +
                            "&ca=" + query_value(c.ca)) +
                "\">" + label + "</a>";
    body += "</p>";
    body += "<h2>Certificate</h2>" + decoded(info, now);
    body += "<h2>PEM</h2><pre>" + html_escape(certificate_pem(cert.get())) + "</pre>";
    send_console_page(res, r, Tab::Certificates, "Certificate " + c.serial, body);
}

}  // namespace

void add_certificate_page(Router& router, WebServices& s) {
    router.add({"GET", "/console/certificates/{ca}/{serial}", Access::Read, RouteStyle::Console,
                "One certificate: decoded, status and revocation, PEM, downloads, its request",
                [&s](const WebRequest& r, Response& res) { page(s, r, res); }});
}

}  // namespace pkilab::web::console
