// EST (RFC 7030, with RFC 8951's clarifications) at /.well-known/est/OP and
// /.well-known/est/LABEL/OP (docs/EST.md). Every route is Public at the front door, which still
// refuses wrong Basic credentials; cacerts and csrattrs need none, and the operations that
// issue are HTTPS only and authorise the caller themselves (est_access.cpp), since a TLS client
// certificate is as good as a password here. Errors are text/plain, as RFC 7030 wants.
#include <memory>

#include "ca/errors.hpp"
#include "ca/text.hpp"
#include "webenroll/est/est_csrattrs.hpp"
#include "webenroll/est/est_body.hpp"
#include "webenroll/est/est_responses.hpp"
#include "webenroll/est/est_service.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::web {

namespace {

using est::EstService;
using httplib::Response;

const est::Endpoint& endpoint_of(const EstService& s, const WebRequest& r) {
    if (r.params.size() < 1) return s.endpoints.default_endpoint();
    if (const est::Endpoint* e = s.endpoints.find(r.params[0])) return *e;
    std::string known;
    for (const auto& e : s.endpoints.labels()) known += (known.empty() ? "" : ", ") + e.label;
    throw NotFoundError("EST label '" + printable(r.params[0]) + "' is not one of this server's (" +
                        (known.empty() ? std::string("none") : known) + "); /.well-known/est/OP is the default");
}

const CertificateTemplate& template_of(const EstService& s, const est::Endpoint& e) {
    const CertificateTemplate* t = s.services.lab.config().find_template(e.template_name);
    if (!t) throw InternalError("EST endpoint names template " + e.template_name + ", which the lab lacks");
    return *t;
}

void cacerts(const EstService& s, const WebRequest& r, Response& res) {
    const est::Endpoint& e = endpoint_of(s, r);
    const Lab& lab = s.services.lab;
    est::send_certs_only(res, lab.chain(lab.ca(e.ca)));
}

void csrattrs(const EstService& s, const WebRequest& r, Response& res) {
    const Bytes der = est::csr_attributes_der(template_of(s, endpoint_of(s, r)));
    if (der.empty()) {
        res.status = 204;
        return;
    }
    res.status = 200;
    res.set_header("Content-Transfer-Encoding", "base64");
    res.set_content(est::base64_lines(der), "application/csrattrs");
}

using Operation = void (*)(const EstService&, const est::Endpoint&, const est::Enrollee&, const Bytes&, Response&);

void enroll(const EstService& s, const WebRequest& r, Response& res, Operation op) {
    const est::Endpoint& e = endpoint_of(s, r);
    // A body that is no base64 CSR is refused (400) before credentials are asked for: it tells
    // nobody anything, and a client learns what is wrong with its request first.
    const Bytes der = est::request_csr_der(r.http);
    const auto who = est::authorise(s, r, template_of(s, e), res);
    if (!who) return;
    op(s, e, *who, der, res);
}

}  // namespace

void add_est_routes(Router& router, WebServices& services) {
    if (!services.lab.config().protocols.est.enabled) return;
    auto state = std::make_shared<EstService>(
        EstService{services, est::Endpoints::resolve(services.lab.config(), services.certsrv_ca),
                   est::ClientCertificateCheck(services.lab)});
    using Handler = std::function<void(const EstService&, const WebRequest&, Response&)>;
    auto add = [&router, state](const char* method, const std::string& op, bool https_only, const std::string& summary,
                                const Handler& h) {
        for (const bool labelled : {false, true}) {
            Route route;
            route.method = method;
            route.pattern = std::string("/.well-known/est/") + (labelled ? "{label}/" : "") + op;
            route.access = Access::Public;
            route.style = RouteStyle::Text;
            route.summary = "EST " + op + (labelled ? " (a label's template)" : "") + ": " + summary;
            route.handler = [state, h](const WebRequest& r, Response& res) { h(*state, r, res); };
            route.https_only = https_only;
            router.add(std::move(route));
        }
    };
    add("GET", "cacerts", false, "the CA certificates, base64 certs-only PKCS#7", cacerts);
    add("GET", "csrattrs", false, "what the template wants in a CSR, base64 CsrAttrs", csrattrs);
    add("POST", "simpleenroll", true, "a certificate for a base64 PKCS#10 (Basic or TLS client certificate)",
        [](const EstService& s, const WebRequest& r, Response& res) { enroll(s, r, res, est::simple_enroll); });
    add("POST", "simplereenroll", true, "renew the TLS client certificate (same subject and SANs, new key allowed)",
        [](const EstService& s, const WebRequest& r, Response& res) { enroll(s, r, res, est::simple_reenroll); });
    add("POST", "serverkeygen", true, "a key made by the CA and its certificate, multipart/mixed (PKCS#8 + PKCS#7)",
        [](const EstService& s, const WebRequest& r, Response& res) { enroll(s, r, res, est::server_keygen); });

    const std::string base = services.https_base + "/.well-known/est";
    std::string labels;
    for (const auto& e : state->endpoints.labels()) labels += (labels.empty() ? "" : ", ") + e.label;
    services.notes.push_back("EST: " + base + "/ (" + state->endpoints.default_endpoint().template_name + " from " +
                             state->endpoints.default_endpoint().ca + ")" + (labels.empty() ? "" : "; labels: " + labels));
}

}  // namespace pkilab::web
