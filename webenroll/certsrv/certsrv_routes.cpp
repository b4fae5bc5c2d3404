// AD CS web enrollment ("certsrv") of one CA, services.certsrv_ca, at the paths and in the shapes
// AD CS has, so that its clients and admins' scripts work unchanged (docs/CERTSRV.md). Paths
// are matched without case, as IIS does; errors are pages, and 401 challenges for Basic.
#include "ca/errors.hpp"
#include "webenroll/certsrv/certsrv_access.hpp"
#include "webenroll/certsrv/certsrv_downloads.hpp"
#include "webenroll/certsrv/certsrv_enroll.hpp"
#include "webenroll/certsrv/certsrv_forms.hpp"
#include "webenroll/certsrv/certsrv_http.hpp"
#include "webenroll/certsrv/certsrv_pages.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::web {

namespace {

using httplib::Response;

constexpr std::size_t kMaxListedPending = 500;

certsrv::CaSummary summary(const WebServices& s) {
    const CertificateAuthority& ca = s.lab.ca(s.certsrv_ca);
    return {ca.name(), ca.config().subject, ca.config().crl.deltas()};
}

void home(const WebServices& s, const WebRequest& r, Response& res) {
    certsrv::send_certsrv_page(res, 200, "Welcome",
                               certsrv::home_body(summary(s)), r.caller);
}

void request_type(const WebServices& s, const WebRequest& r, Response& res) {
    certsrv::send_certsrv_page(res, 200, "Request a Certificate",
                               certsrv::request_type_body(certsrv::enrollable_templates(s.lab, s.certsrv_ca, r.caller)),
                               r.caller);
}

void advanced_request(const WebServices& s, const WebRequest& r, Response& res) {
    certsrv::send_certsrv_page(res, 200, "Submit a Certificate Request or Renewal Request",
                               certsrv::advanced_form_body(summary(s), certsrv::enrollable_templates(s.lab, s.certsrv_ca, r.caller),
                                                           r.caller.csrf_token, role_allows(r.caller.role, Access::Enroll),
                                                           s.lab.config().web.san_from_request_attributes),
                               r.caller);
}

void ca_downloads(const WebServices& s, const WebRequest& r, Response& res) {
    certsrv::send_certsrv_page(res, 200, "Download a CA Certificate, Certificate Chain, or CRL",
                               certsrv::ca_downloads_body(summary(s), 0), r.caller);
}

void request_status(const WebServices& s, const WebRequest& r, Response& res, std::int64_t id) {
    const certsrv::Disposition d = certsrv::stored_disposition(s, r.caller, id);
    certsrv::send_certsrv_page(res, 200, certsrv::disposition_title(d), certsrv::disposition_body(d, {}), r.caller);
}

// certckpn.asp: AD CS keeps the pending requests of a browser in a cookie; here the store says
// which are the caller's (an enrollee's own, everyone's for the roles that read everything).
void check_pending(const WebServices& s, const WebRequest& r, Response& res) {
    if (const std::string id = certsrv::field(r.http, "ReqID"); !id.empty()) {
        request_status(s, r, res, certsrv::parse_request_id(id));
        return;
    }
    const bool everyone = role_allows(r.caller.role, Access::Read);
    RequestQuery q;
    q.ca = s.certsrv_ca;
    q.state = RequestState::Pending;
    q.limit = 10 * kMaxListedPending;
    std::vector<RequestRecord> mine;
    const auto pending = s.lab.store().list_requests(q);
    for (const auto& p : pending)
        if (mine.size() < kMaxListedPending && certsrv::may_see(r.caller, p)) mine.push_back(p);
    const bool truncated = pending.size() >= q.limit || mine.size() >= kMaxListedPending;
    certsrv::send_certsrv_page(res, 200, "View the Status of a Pending Certificate Request",
                               certsrv::pending_list_body(mine, everyone, truncated), r.caller);
}

// GET certfnsh.asp: the status of ReqID, else AD CS's answer to a bookmarked result page.
void finish_page(const WebServices& s, const WebRequest& r, Response& res) {
    const std::string id = certsrv::field(r.http, "ReqID");
    if (id.empty())
        throw InputError(certsrv::kFormWhere, "ReqID",
                         "is missing: you did not come to this page as a result of a form submission",
                         "submit a request from /certsrv/certrqxt.asp, or see /certsrv/certckpn.asp");
    request_status(s, r, res, certsrv::parse_request_id(id));
}

}  // namespace

void add_certsrv_routes(Router& router, WebServices& s) {
    using Handler = void (*)(const WebServices&, const WebRequest&, Response&);
    auto add = [&router, &s](const char* method, const char* pattern, Access access, const char* summary, Handler h) {
        Route route;
        route.method = method;
        route.pattern = pattern;
        route.access = access;
        route.style = RouteStyle::Page;
        route.summary = summary;
        route.handler = [&s, h](const WebRequest& r, Response& res) { h(s, r, res); };
        route.case_insensitive = true;
        router.add(std::move(route));
    };
    add("GET", "/certsrv", Access::Authenticated, "certsrv: the web enrollment's home page", home);
    add("GET", "/certsrv/default.asp", Access::Authenticated, "certsrv: the home page (AD CS's name)", home);
    add("GET", "/certsrv/certrqus.asp", Access::Authenticated, "certsrv: choose the request type", request_type);
    add("GET", "/certsrv/certrqxt.asp", Access::Authenticated, "certsrv: the advanced request form (paste a CSR)",
        advanced_request);
    add("POST", "/certsrv/certfnsh.asp", Access::Enroll,
        "certsrv: submit a request (Mode=newreq, CertRequest, CertAttrib) or check one (Mode=chkpnd, ReqID)",
        certsrv::finish_request);
    add("GET", "/certsrv/certfnsh.asp", Access::Authenticated, "certsrv: the status of request ReqID", finish_page);
    add("GET", "/certsrv/certnew.cer", Access::Authenticated,
        "certsrv: an issued certificate (ReqID=N) or the CA certificate (ReqID=CACert), Enc=bin|b64",
        certsrv::send_certificate);
    add("GET", "/certsrv/certnew.p7b", Access::Authenticated,
        "certsrv: a certificate and its chain, or the CA chain (ReqID=CACert), PKCS #7, Enc=bin|b64", certsrv::send_chain);
    add("GET", "/certsrv/certcrl.crl", Access::Authenticated, "certsrv: the CA's latest CRL (Type=base|delta)",
        certsrv::send_crl);
    add("GET", "/certsrv/certcarc.asp", Access::Authenticated,
        "certsrv: download the CA certificate, chain or CRL (and nRenewals)", ca_downloads);
    add("GET", "/certsrv/certckpn.asp", Access::Authenticated,
        "certsrv: pending requests, and the status of one (ReqID=N)", check_pending);
}

}  // namespace pkilab::web
