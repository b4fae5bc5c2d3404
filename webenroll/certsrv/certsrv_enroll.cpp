#include "webenroll/certsrv/certsrv_enroll.hpp"

#include "ca/errors.hpp"
#include "ca/finding_json.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/x509/general_name.hpp"
#include "webenroll/certsrv/certsrv_access.hpp"
#include "webenroll/certsrv/certsrv_forms.hpp"
#include "webenroll/certsrv/certsrv_http.hpp"

namespace pkilab::web::certsrv {

namespace {

// AD CS's SAN attribute names as pkilab's general names. guid and dn have no place in the
// templates' SAN rules, so they are refused rather than dropped.
std::vector<GeneralName> attribute_names(const std::vector<SanEntry>& entries) {
    std::vector<GeneralName> out;
    for (const auto& e : entries) {
        const std::string type = e.type == "ipaddress" ? "ip" : e.type == "url" ? "uri" : e.type;
        if (type != "dns" && type != "email" && type != "upn" && type != "ip" && type != "uri")
            throw InputError("CertAttrib", "SAN", "the name type " + e.type + " cannot go into a certificate here",
                             "use dns, email, upn, ipaddress or url");
        out.push_back(parse_general_name(type + ":" + e.value, "CertAttrib SAN"));
    }
    return out;
}

using httplib::Response;

constexpr const char* kChannel = "certsrv";

// The form once read: the CSR as DER and the request attributes, the template folded in.
struct Form {
    Bytes csr;
    CertAttributes attributes;
};

Form read_form(const httplib::Request& req) {
    // FriendlyType, TargetStoreFlags, SaveCert, ThumbPrint and UserAgent come with every AD CS
    // submission and steer the browser's key store: nothing for the CA, so they are not read.
    Form f;
    f.attributes = parse_cert_attrib(field(req, "CertAttrib"));
    if (const std::string selected = field(req, "CertificateTemplate"); !selected.empty()) {
        const std::string name = parse_template_field(selected);
        if (!f.attributes.template_name.empty() && f.attributes.template_name != name)
            throw InputError(kFormWhere, "CertificateTemplate",
                             "names template '" + name + "' but CertAttrib names '" + f.attributes.template_name + "'",
                             "choose the template once");
        f.attributes.template_name = name;
    }
    f.csr = normalize_csr_text(field(req, "CertRequest"));
    return f;
}

// Refusals before the pipeline leave no request behind, so they are audited here.
void audit(const WebServices& s, const Caller& caller, const char* action, const char* outcome, const std::string& detail) {
    AuditEvent e;
    e.at = s.lab.clock().now();
    e.actor = caller.name;
    e.action = action;
    e.ca = s.certsrv_ca;
    e.outcome = outcome;
    e.detail = std::string(kChannel) + ": " + detail;
    s.lab.store().append_audit(e);
}

Disposition unreadable(const InputError& e) {
    Disposition d;
    d.unreadable = true;
    d.message = std::string("Error Parsing Request: ") + e.what();
    return d;
}

Disposition refused(const WebServices& s, const Caller& caller, std::string message, Finding why) {
    audit(s, caller, "submit", "denied", message);
    Disposition d;
    d.message = std::move(message);
    why.source = kChannel;
    d.findings.push_back(std::move(why));
    return d;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

// Everything between the form and the pipeline, in AD CS's order: the template must be one
// this CA publishes, then one the caller may enroll for.
Disposition submit_form(const WebServices& s, const Caller& caller, const httplib::Request& req,
                        std::vector<std::string>& notices) {
    Form form;
    try {
        form = read_form(req);
    } catch (const InputError& e) {
        audit(s, caller, "submit", "rejected", e.what());
        return unreadable(e);
    }
    const CertAttributes& a = form.attributes;
    if (a.template_name.empty())
        return refused(s, caller, "Denied by Policy Module  0x80094801, The request contains no certificate template information.",
                       {"", "certsrv.template.missing", Severity::Error, "CertAttrib", "no certificate template was named",
                        "add the line CertificateTemplate:NAME to CertAttrib, or choose one on the advanced request page"});
    const CertificateTemplate* t = published_template(s.lab, s.certsrv_ca, a.template_name);
    if (t == nullptr)
        return refused(s, caller,
                       "Denied by Policy Module  0x80094800, The requested certificate template is not supported by "
                       "this CA: " + a.template_name + ".",
                       {"", "certsrv.template.unsupported", Severity::Error, "CertificateTemplate",
                        "CA " + s.certsrv_ca + " publishes no template '" + a.template_name + "'",
                        "choose one the advanced request page lists"});
    if (!may_enroll(caller, *t))
        return refused(s, caller,
                       "Denied by Policy Module  0x80094012, The permissions on the certificate template do not allow "
                       "the current user to enroll for this type of certificate: user " + caller.name + " (" +
                           to_string(*caller.role) + ") is not permitted to enroll for template " + t->name + ".",
                       {"", "certsrv.template.not_permitted", Severity::Error, "CertificateTemplate",
                        "the template's enroll list names neither this user nor its role",
                        "ask an administrator to add you to the template's enroll: list"});
    std::vector<GeneralName> attribute_sans;
    if (!a.san.empty()) {
        if (s.lab.config().web.san_from_request_attributes) {
            // The lab teaches ESC6 on purpose: the names go into the certificate, loudly.
            try {
                attribute_sans = attribute_names(a.san);
            } catch (const InputError& e) {
                return unreadable(e);
            }
            notices.push_back("WARNING: the subject alternative names SAN:" + a.san_text +
                              " come from a request attribute, not from your signed CSR. This lab sets "
                              "web.san_from_request_attributes: true (AD CS's EDITF_ATTRIBUTESUBJECTALTNAME2): anyone "
                              "who may enroll can put any host or user into a certificate, the ESC6 attack. Turn it off "
                              "outside that lesson.");
            audit(s, caller, "san-attribute", "used",
                  "request attribute SAN:" + a.san_text + " used (web.san_from_request_attributes is on: ESC6)");
        } else {
            notices.push_back("The request attribute SAN:" + a.san_text +
                              " was ignored: this CA does not take subject alternative names from request attributes "
                              "(web.san_from_request_attributes is off, as AD CS's EDITF_ATTRIBUTESUBJECTALTNAME2 flag "
                              "should be: with it on, anyone who may enroll can name any host or user, the ESC6 attack). "
                              "The certificate carries only the names in the CSR.");
            audit(s, caller, "san-attribute", "ignored",
                  "request attribute SAN:" + a.san_text + " ignored (web.san_from_request_attributes is off)");
        }
    }
    if (!a.other_names.empty())
        notices.push_back("These request attributes were ignored, as nothing in this CA reads them: " +
                          joined(a.other_names) + ".");

    try {
        const IssuanceOutcome o = submit_with_attribute_sans(
            s.lab.context(),
            EnrollmentRequest{t->name, s.certsrv_ca, form.csr, Requester{caller.name, to_string(*caller.role), kChannel}},
            attribute_sans);
        Disposition d;
        d.state = o.state;
        d.request_id = o.request_id;
        d.message = o.disposition;
        d.findings = o.findings;
        return d;
    } catch (const InputError& e) {
        return unreadable(e);  // the pipeline audited it
    }
}

}  // namespace

Disposition stored_disposition(const WebServices& s, const Caller& caller, std::int64_t id) {
    const auto r = visible_request(s.lab, s.certsrv_ca, caller, id);
    if (!r) throw NotFoundError("the request ID " + std::to_string(id) + " is not valid: CA " + s.certsrv_ca +
                                " has no such request that you may see");
    Disposition d;
    d.state = r->state;
    d.request_id = r->id;
    d.message = r->disposition;
    d.findings = findings_from_json(r->findings_json);
    d.checked_later = true;
    if (r->state == RequestState::Issued) {
        const auto cert = s.lab.store().find_certificate(s.certsrv_ca, r->serial);
        d.revoked = cert && cert->status != CertStatus::Valid;
    }
    return d;
}

void finish_request(const WebServices& s, const WebRequest& r, Response& res) {
    const std::string mode = field(r.http, "Mode");
    if (mode == "newreq") {
        std::vector<std::string> notices;
        const Disposition d = submit_form(s, r.caller, r.http, notices);
        send_certsrv_page(res, 200, disposition_title(d), disposition_body(d, notices), r.caller);
        return;
    }
    if (mode == "chkpnd") {
        const Disposition d = stored_disposition(s, r.caller, parse_request_id(field(r.http, "ReqID")));
        send_certsrv_page(res, 200, disposition_title(d), disposition_body(d, {}), r.caller);
        return;
    }
    throw InputError(kFormWhere, "Mode", mode.empty() ? "is missing" : "must be newreq or chkpnd",
                     "submit the form of /certsrv/certrqxt.asp");
}

}  // namespace pkilab::web::certsrv
