#include "webenroll/certsrv/certsrv_pages.hpp"

#include "ca/clock.hpp"
#include "webenroll/pages/html.hpp"

namespace pkilab::web::certsrv {

namespace {

std::string id_text(std::int64_t id) { return std::to_string(id); }

// A message on one line: the retrieval error's shape ends the message at the line break, and a
// stored disposition is text from the store, not markup.
std::string one_line(const std::string& text) {
    std::string out = text;
    for (char& c : out)
        if (c == '\r' || c == '\n' || c == '\t') c = ' ';
    return out;
}

std::string findings_list(const Findings& findings) {
    if (findings.empty()) return {};
    std::string html = "<ul class=\"findings\">";
    for (const auto& f : findings) {
        const char* tone = f.severity == Severity::Error ? " denied" : f.severity == Severity::Warning ? " pending" : "";
        html += "<li><span class=\"badge" + std::string(tone) + "\">" + to_string(f.severity) + "</span> ";
        if (!f.field.empty()) html += "<code>" + html_escape(f.field) + "</code>: ";
        html += html_escape(f.message);
        if (!f.hint.empty()) html += " <span class=\"muted\">(" + html_escape(f.hint) + ")</span>";
        html += " <span class=\"muted\">" + html_escape(f.source) + (f.code.empty() ? "" : " " + html_escape(f.code)) +
                "</span></li>";
    }
    return html + "</ul>";
}

std::string link(const std::string& href, const std::string& text) {
    return "<a href=\"" + href + "\">" + html_escape(text) + "</a>";
}

}  // namespace

std::string disposition_title(const Disposition& d) {
    if (d.unreadable) return "Error";
    switch (d.state) {
        case RequestState::Issued: return "Certificate Issued";
        case RequestState::Pending: return "Certificate Pending";
        case RequestState::Denied: return "Certificate Request Denied";
        case RequestState::Failed: return "Error";
    }
    return "Error";
}

std::string certificate_links(std::int64_t request_id) {
    // "&amp;" is what the HTML means; the raw text still has "ReqID=N&", which is what
    // magnuswatn/certsrv (re.search(r"certnew.cer\?ReqID=(\d+)&")) and certsrv.sh look for.
    const std::string id = id_text(request_id);
    return "<ul class=\"downloads\">"
           "<li>Certificate: " + link("/certsrv/certnew.cer?ReqID=" + id + "&amp;Enc=bin", "DER encoded") + " or " +
           link("/certsrv/certnew.cer?ReqID=" + id + "&amp;Enc=b64", "Base 64 encoded") + "</li>"
           "<li>Certificate chain (PKCS #7): " + link("/certsrv/certnew.p7b?ReqID=" + id + "&amp;Enc=bin", "DER encoded") +
           " or " + link("/certsrv/certnew.p7b?ReqID=" + id + "&amp;Enc=b64", "Base 64 encoded") + "</li></ul>";
}

std::string disposition_body(const Disposition& d, const std::vector<std::string>& notices) {
    std::string html;
    for (const auto& n : notices) html += "<p class=\"warning\" role=\"alert\">" + html_escape(n) + "</p>";
    const std::string id = id_text(d.request_id);
    if (d.unreadable || d.state == RequestState::Failed) {
        html += "<p>Your request failed. An error occurred while the server was processing your request.</p>";
        html += "<p>" + (d.request_id > 0 ? "Your Request Id is " + id + ". " : std::string()) +
                "The disposition message is \"" + html_escape(one_line(d.message)) + "\".</p>";
        html += findings_list(d.findings);
        return html + "<p>Correct the request and submit it again: " +
               link("/certsrv/certrqxt.asp", "advanced certificate request") + ".</p>";
    }
    switch (d.state) {
        case RequestState::Issued:
            if (d.revoked)
                html += "<p class=\"error\">Your certificate was issued, and then revoked (or put on hold).</p>";
            else
                html += "<p>The certificate you requested was issued to you.</p>";
            html += "<p>Your Request Id is " + id + ".</p>" + certificate_links(d.request_id);
            html += findings_list(d.findings);
            break;
        case RequestState::Pending:
            html += d.checked_later
                        ? "<p>Your certificate request is still pending. You must wait for an administrator to issue "
                          "the certificate you requested.</p>"
                        : "<p>Your certificate request has been received. However, you must wait for an administrator "
                          "to issue the certificate you requested.</p>";
            html += "<p>Your Request Id is " + id + ".</p>";
            html += "<p>The disposition message is \"" + html_escape(one_line(d.message)) + "\".</p>";
            html += findings_list(d.findings);
            html += "<p>Come back later: " + link("/certsrv/certckpn.asp?ReqID=" + id, "the status of request " + id) +
                    " shows the certificate once a CA officer has issued it.</p>";
            break;
        case RequestState::Denied:
        case RequestState::Failed:
            html += "<p>Your certificate request was denied.</p>";
            html += "<p>" + (d.request_id > 0 ? "Your Request Id is " + id + ". " : std::string()) +
                    "The disposition message is \"" + html_escape(one_line(d.message)) + "\".</p>";
            html += findings_list(d.findings);
            html += "<p>Contact your administrator for further information.</p>";
            break;
    }
    return html;
}

std::string home_body(const CaSummary& ca) {
    return "<p>Use this web site to request a certificate from the certification authority <strong>" +
           html_escape(ca.name) + "</strong> (" + html_escape(ca.subject) +
           "), to download its CA certificate, certificate chain and CRL, or to view the status of a pending "
           "request.</p>"
           "<h2>Select a task:</h2><ul>"
           "<li>" + link("/certsrv/certrqus.asp", "Request a certificate") + "</li>"
           "<li>" + link("/certsrv/certckpn.asp", "View the status of a pending certificate request") + "</li>"
           "<li>" + link("/certsrv/certcarc.asp", "Download a CA certificate, certificate chain, or CRL") + "</li></ul>";
}

std::string request_type_body(const std::vector<const CertificateTemplate*>& templates) {
    std::string html = "<p>Submit a certificate request made elsewhere (openssl req, certreq, a device): paste its "
                       "base64 PKCS #10 text and choose a template.</p><ul><li>" +
                       link("/certsrv/certrqxt.asp", "Advanced certificate request") + "</li></ul>";
    if (templates.empty())
        return html + "<p class=\"notice\">There is no template of this CA you may enroll for.</p>";
    html += "<h2>Templates you may enroll for</h2><ul>";
    for (const auto* t : templates)
        html += "<li>" + html_escape(t->display_name.empty() ? t->name : t->display_name) + " <code>" +
                html_escape(t->name) + "</code></li>";
    return html + "</ul>";
}

std::string advanced_form_body(const CaSummary& ca, const std::vector<const CertificateTemplate*>& templates,
                               const std::string& csrf_token, bool may_submit, bool san_from_attributes) {
    if (!may_submit || templates.empty())
        return std::string("<p class=\"notice\">") +
               (may_submit ? "There is no template of CA " + html_escape(ca.name) + " you may enroll for."
                           : std::string("Your role may read this site but not submit requests.")) +
               "</p>";
    std::string html =
        "<form method=\"post\" action=\"/certsrv/certfnsh.asp\" class=\"card\">"
        "<input type=\"hidden\" name=\"Mode\" value=\"newreq\">"
        "<input type=\"hidden\" name=\"csrf_token\" value=\"" + html_escape(csrf_token) + "\">"
        "<div class=\"field\"><label for=\"CertRequest\">Saved Request (Base-64-encoded PKCS #10 certificate "
        "request)</label><textarea id=\"CertRequest\" name=\"CertRequest\" required spellcheck=\"false\" "
        "placeholder=\"-----BEGIN CERTIFICATE REQUEST-----\"></textarea></div>"
        "<div class=\"field\"><label for=\"CertRequestFile\">Or load a request file</label>"
        "<input type=\"file\" id=\"CertRequestFile\" data-fills=\"CertRequest\" accept=\".csr,.req,.pem,.txt\"></div>"
        "<div class=\"field\"><label for=\"CertificateTemplate\">Certificate Template</label>"
        "<select id=\"CertificateTemplate\" name=\"CertificateTemplate\">";
    for (const auto* t : templates)
        html += "<option value=\"" + html_escape(t->name) + "\">" +
                html_escape(t->display_name.empty() ? t->name : t->display_name) + " (" + html_escape(t->name) +
                ")</option>";
    html += "</select></div>"
            "<div class=\"field\"><label for=\"CertAttrib\">Additional Attributes</label>"
            "<textarea id=\"CertAttrib\" name=\"CertAttrib\" spellcheck=\"false\" "
            "placeholder=\"name:value, one a line\"></textarea>"
            "<p class=\"muted\">One <code>name:value</code> a line. <code>CertificateTemplate:NAME</code> chooses "
            "the template as well. " +
            std::string(san_from_attributes
                            ? "</p><p class=\"warning\" role=\"alert\">WARNING: this lab takes subject alternative names "
                              "from a <code>SAN:dns=...&amp;upn=...</code> attribute (EDITF_ATTRIBUTESUBJECTALTNAME2, the ESC6 "
                              "weakness): whatever names you write there go into the certificate, outside your signed CSR."
                            : "A <code>SAN:dns=...</code> attribute does not reach the certificate: names come from the CSR "
                              "only (a CA that takes them from attributes has EDITF_ATTRIBUTESUBJECTALTNAME2 set, the ESC6 "
                              "weakness).") +
            "</p></div><p><button type=\"submit\">Submit</button></p></form>";
    return html;
}

std::string ca_downloads_body(const CaSummary& ca, unsigned renewals) {
    const std::string r = std::to_string(renewals);
    // certsrv clients read the renewal count from this text; a data block, never executed (the
    // CSP forbids inline scripts anyway).
    std::string html = "<script type=\"text/plain\" id=\"certsrv-renewals\">var nRenewals=" + r + ";</script>";
    html += "<p>To trust certificates issued from this certification authority, install this CA certificate "
            "chain.</p><h2>CA certificate: Current [" + html_escape(ca.name) + "]</h2><ul class=\"downloads\">";
    html += "<li>CA certificate: " + link("/certsrv/certnew.cer?ReqID=CACert&amp;Renewal=" + r + "&amp;Enc=bin", "DER") +
            " or " + link("/certsrv/certnew.cer?ReqID=CACert&amp;Renewal=" + r + "&amp;Enc=b64", "Base 64") + "</li>";
    html += "<li>CA certificate chain (PKCS #7): " +
            link("/certsrv/certnew.p7b?ReqID=CACert&amp;Renewal=" + r + "&amp;Enc=bin", "DER") + " or " +
            link("/certsrv/certnew.p7b?ReqID=CACert&amp;Renewal=" + r + "&amp;Enc=b64", "Base 64") + "</li>";
    html += "<li>Latest base CRL: " + link("/certsrv/certcrl.crl?Type=base&amp;Renewal=" + r + "&amp;Enc=bin", "DER") +
            " or " + link("/certsrv/certcrl.crl?Type=base&amp;Renewal=" + r + "&amp;Enc=b64", "Base 64") + "</li>";
    if (ca.deltas)
        html += "<li>Latest delta CRL: " +
                link("/certsrv/certcrl.crl?Type=delta&amp;Renewal=" + r + "&amp;Enc=bin", "DER") + " or " +
                link("/certsrv/certcrl.crl?Type=delta&amp;Renewal=" + r + "&amp;Enc=b64", "Base 64") + "</li>";
    return html + "</ul>";
}

std::string pending_list_body(const std::vector<RequestRecord>& pending, bool everyone, bool truncated) {
    std::string html;
    if (pending.empty()) {
        html += std::string("<p>") + (everyone ? "There are no pending certificate requests."
                                               : "You have no pending certificate requests.") + "</p>";
    } else {
        html += std::string("<p>") + (everyone ? "The pending certificate requests:" : "Your pending certificate requests:") +
                "</p><table><tr><th>Request Id</th><th>Template</th><th>Subject</th><th>Requester</th>"
                "<th>Submitted</th></tr>";
        for (const auto& r : pending)
            html += "<tr><td class=\"num\">" + link("/certsrv/certckpn.asp?ReqID=" + id_text(r.id), id_text(r.id)) +
                    "</td><td>" + html_escape(r.template_name) + "</td><td>" + html_escape(r.subject) + "</td><td>" +
                    html_escape(r.requester.identity) + "</td><td>" + html_escape(format_time(r.submitted_at)) + "</td></tr>";
        html += "</table>";
        if (truncated) html += "<p class=\"muted\">Only the oldest pending requests are listed.</p>";
    }
    html += "<form method=\"get\" action=\"/certsrv/certckpn.asp\" class=\"card\">"
            "<label for=\"ReqID\">View the status of a request by its Request Id</label>"
            "<input type=\"text\" id=\"ReqID\" name=\"ReqID\" inputmode=\"numeric\" pattern=\"[0-9]{1,15}\" required> "
            "<button type=\"submit\">View</button></form>";
    return html;
}

std::string retrieval_error_body(const std::string& what, const std::string& message) {
    // The "Disposition message:" ... tab tab ... CRLF shape is what certsrv clients parse out of
    // AD CS's error page (magnuswatn/certsrv: "Disposition message:[^\t]+\t\t([^\r\n]+)").
    return "<p>" + html_escape(what) + "</p><dl class=\"facts\"><dt>Disposition message:</dt><dd>\t\t" +
           html_escape(one_line(message)) + "\r\n</dd></dl><p>" + link("/certsrv/certckpn.asp", "View the status of a request") +
           "</p>";
}

void send_certsrv_page(httplib::Response& res, int status, const std::string& title, const std::string& body,
                       const Caller& caller) {
    send_page(res, status, {title, body, "certsrv", &caller});
}

}  // namespace pkilab::web::certsrv
