// SCEP (RFC 8894) over HTTP and HTTPS: /scep and /scep/NAME, and the NDES path
// /certsrv/mscep/mscep.dll (matched without case, as IIS does) for the first endpoint. SCEP
// protects its own messages, so these routes are Public and served over plain HTTP too (as
// certmonger and devices use them). The officer's one-time challenge page is NDES's
// /certsrv/mscep_admin. Errors before a CertRep can be written are text/plain 400s.
#include <memory>

#include "ca/errors.hpp"
#include "webenroll/pages/html.hpp"
#include "webenroll/scep/scep_service.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::web {

namespace {

using httplib::Response;
using scep::ScepService;

constexpr const char* kWhere = "SCEP request";

void send(Response& res, const scep::Answer& a) {
    res.status = a.status;
    res.set_content(a.body, a.content_type);
}

// httplib has undone the percent-encoding and turned '+' into ' ': base64 has no spaces, so
// they were '+' that a client did not escape.
Bytes message_parameter(const httplib::Request& req) {
    std::string text = req.get_param_value("message");
    if (text.empty()) throw InputError(kWhere, "message", "PKIOperation needs the pkiMessage in base64 in ?message=");
    if (text.size() > 2 * scep::kMaxMessageBytes) throw InputError(kWhere, "message", "too long");
    for (char& c : text)
        if (c == ' ') c = '+';
    return base64_decode(text, "message");
}

void serve(ScepService& service, const scep::Endpoint& e, const WebRequest& r, Response& res) {
    const httplib::Request& req = r.http;
    const std::string op = req.get_param_value("operation");
    if (req.method == "POST") {
        if (op != "PKIOperation")
            throw InputError(kWhere, "operation", "POST carries only operation=PKIOperation, not '" + op + "'");
        send(res, service.pki_operation(e, as_bytes(req.body)));
        return;
    }
    if (op == "GetCACaps") return send(res, service.ca_caps());
    if (op == "GetCACert") return send(res, service.ca_cert(e));
    if (op == "GetCACertChain" || op == "GetCAChain") return send(res, service.ca_chain(e));
    if (op == "PKIOperation") return send(res, service.pki_operation(e, message_parameter(req)));
    if (op.empty()) throw InputError(kWhere, "operation", "missing", "?operation=GetCACaps, GetCACert or PKIOperation");
    throw InputError(kWhere, "operation", "not served: '" + op + "'",
                     "GetCACaps, GetCACert, GetCACertChain or PKIOperation (GetNextCACert is not)");
}

const scep::Endpoint& endpoint_named(const ScepService& service, const std::string& name) {
    const scep::Endpoint* e = service.find(name);
    if (e == nullptr) throw NotFoundError("no SCEP endpoint named " + name);
    return *e;
}

// NDES's mscep_admin: each visit makes a new one-time challenge password.
void admin_page(ScepService& service, const WebRequest& r, Response& res) {
    const std::string name = r.http.get_param_value("endpoint");
    const scep::Endpoint& e = name.empty() ? service.first() : endpoint_named(service, name);
    const auto [password, expires] = service.new_one_time_challenge(e);
    const std::string url = "/scep/" + e.config.name;
    std::string body = "<h1>Network Device Enrollment Service</h1>\n"
                       "<p>The enrollment challenge password for SCEP endpoint <code>" + html_escape(e.config.name) +
                       "</code> (template " + html_escape(e.config.template_name) + ", CA " + html_escape(e.ca) + ") is:</p>\n"
                       "<p><b id=\"challenge\">" + html_escape(password) + "</b></p>\n"
                       "<p>It is good for one request, until " + html_escape(format_time(expires)) +
                       " (lab clock). Each visit to this page makes a new one.</p>\n"
                       "<p>The endpoint: <code>" + html_escape(url) + "</code></p>\n";
    send_page(res, 200, PageFrame{"SCEP challenge password", body, "certsrv", &r.caller});
}

}  // namespace

void add_scep_routes(Router& router, WebServices& services) {
    if (!services.lab.config().protocols.scep.enabled) return;
    auto service = std::make_shared<ScepService>(services.lab, services.certsrv_ca);
    auto add = [&router](const char* method, std::string pattern, Access access, RouteStyle style, std::string summary,
                         RouteHandler handler, bool case_insensitive = false) {
        Route route;
        route.method = method;
        route.pattern = std::move(pattern);
        route.access = access;
        route.style = style;
        route.summary = std::move(summary);
        route.handler = std::move(handler);
        route.case_insensitive = case_insensitive;
        router.add(std::move(route));
    };
    auto first = [service](const WebRequest& r, Response& res) { serve(*service, service->first(), r, res); };
    auto named = [service](const WebRequest& r, Response& res) {
        serve(*service, endpoint_named(*service, r.params.at(0)), r, res);
    };
    for (const char* method : {"GET", "POST"}) {
        add(method, "/scep", Access::Public, RouteStyle::Text, "SCEP (RFC 8894): the first endpoint", first);
        add(method, "/scep/{name}", Access::Public, RouteStyle::Text, "SCEP (RFC 8894): the endpoint NAME", named);
        add(method, "/certsrv/mscep/mscep.dll", Access::Public, RouteStyle::Text,
            "SCEP at the NDES path: the first endpoint", first, true);
    }
    add("GET", "/certsrv/mscep_admin", Access::Officer, RouteStyle::Page,
        "SCEP: a new one-time challenge password (NDES's mscep_admin page)",
        [service](const WebRequest& r, Response& res) { admin_page(*service, r, res); }, true);

    const auto& first_endpoint = service->first();
    services.notes.push_back("SCEP: " + services.http_base + "/certsrv/mscep/mscep.dll (endpoint " +
                             first_endpoint.config.name + ", template " + first_endpoint.config.template_name + ", CA " +
                             first_endpoint.ca + "); one-time challenges at " + services.https_base + "/certsrv/mscep_admin");
    for (const auto& e : service->endpoints())
        if (!e->challenge_file.empty())
            services.notes.push_back("SCEP endpoint " + e->config.name + ": challenge password in " + e->challenge_file.string());
}

}  // namespace pkilab::web
