// CMP (RFC 4210, RFC 9483, RFC 6712's HTTP transfer) at /.well-known/cmp (the default profile)
// and /.well-known/cmp/p/LABEL (docs/CMP.md). Public at the front door on both listeners: CMP
// protects its own messages (a shared secret or a signature, checked by cmp_server.cpp), so
// plain HTTP is fine (RFC 9483 §6.1). A body that is no PKIMessage is a 400 in text; a
// PKIMessage with a problem gets a CMP answer that says so.
#include <algorithm>
#include <memory>

#include "ca/errors.hpp"
#include "ca/text.hpp"
#include "webenroll/cmp/cmp_identity.hpp"
#include "webenroll/cmp/cmp_secrets.hpp"
#include "webenroll/cmp/cmp_server.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::web {

namespace {

struct CmpService {
    std::unique_ptr<CmpServer> server;
    CmpTarget default_target;
    std::vector<CmpTarget> profiles;
};

// WebServer, else the CA's first end-entity template (as EST's default does).
std::string default_template(const LabConfig& lab, const std::string& ca) {
    const CaConfig* c = lab.find_ca(ca);
    if (c == nullptr) throw InputError("protocols.cmp", "ca", "no CA named " + ca);
    const auto& ts = c->templates;
    if (std::find(ts.begin(), ts.end(), "WebServer") != ts.end()) return "WebServer";
    for (const auto& t : ts)
        if (const CertificateTemplate* tmpl = lab.find_template(t); tmpl && !tmpl->is_ca) return t;
    throw InputError("protocols.cmp", "template", "CA " + ca + " publishes no end-entity template",
                     "name a CA and template in protocols.cmp");
}

std::shared_ptr<CmpService> make_service(WebServices& services) {
    const Lab& lab = services.lab;
    const CmpConfig& config = lab.config().protocols.cmp;
    auto s = std::make_shared<CmpService>();
    const std::string ca = config.ca.empty() ? services.certsrv_ca : config.ca;
    s->default_target = CmpTarget{"", config.template_name.empty() ? default_template(lab.config(), ca) : config.template_name, ca};
    for (const auto& p : config.profiles)
        s->profiles.push_back(CmpTarget{p.label, p.template_name, p.ca.empty() ? ca : p.ca});
    CmpSecrets secrets = load_cmp_secrets(config, lab.state_dir());
    if (!secrets.generated_file.empty())
        services.notes.push_back(std::string("CMP: reference ") + kGeneratedCmpReference + ", secret in " +
                                 secrets.generated_file.string());
    s->server = std::make_unique<CmpServer>(lab, std::move(secrets.entries), load_or_issue_cmp_identity(lab, lab.ca(ca)));
    return s;
}

const CmpTarget& target_of(const CmpService& s, const WebRequest& r) {
    if (r.params.empty()) return s.default_target;
    for (const auto& p : s.profiles)
        if (ascii_lower(p.label) == ascii_lower(r.params[0])) return p;
    std::string known;
    for (const auto& p : s.profiles) known += (known.empty() ? "" : ", ") + p.label;
    throw NotFoundError("CMP profile '" + printable(r.params[0]) + "' is not one of this server's (" +
                        (known.empty() ? std::string("none") : known) + "); /.well-known/cmp is the default");
}

void answer(CmpService& s, const WebRequest& r, httplib::Response& res) {
    const CmpTarget& target = target_of(s, r);
    const std::string type = ascii_lower(r.http.get_header_value("Content-Type"));
    if (!type.empty() && type.substr(0, type.find(';')) != "application/pkixcmp")
        throw InputError("CMP request", "Content-Type", "'" + printable(type.substr(0, 64)) + "' is not application/pkixcmp",
                         "POST a DER PKIMessage as application/pkixcmp (RFC 6712)");
    const Bytes body(r.http.body.begin(), r.http.body.end());
    const Bytes out = s.server->handle(body, target);
    res.status = 200;
    res.set_header("Cache-Control", "no-store");
    res.set_content(std::string(out.begin(), out.end()), "application/pkixcmp");
}

}  // namespace

void add_cmp_routes(Router& router, WebServices& services) {
    if (!services.lab.config().protocols.cmp.enabled) return;
    std::shared_ptr<CmpService> state = make_service(services);
    for (const bool labelled : {false, true}) {
        Route route;
        route.method = "POST";
        route.pattern = labelled ? "/.well-known/cmp/p/{label}" : "/.well-known/cmp";
        route.access = Access::Public;
        route.style = RouteStyle::Text;
        route.summary = labelled ? "CMP (RFC 9483) for a profile's template: a DER PKIMessage, application/pkixcmp"
                                 : "CMP (RFC 9483): a DER PKIMessage, application/pkixcmp";
        route.handler = [state](const WebRequest& r, httplib::Response& res) { answer(*state, r, res); };
        router.add(std::move(route));
    }
    std::string labels;
    for (const auto& p : state->profiles) labels += (labels.empty() ? "" : ", ") + p.label;
    const std::string& base = services.http_base.empty() ? services.https_base : services.http_base;
    services.notes.push_back("CMP: " + base + "/.well-known/cmp (" + state->default_target.template_name +
                             " from " + state->default_target.ca + ")" + (labels.empty() ? "" : "; profiles: " + labels));
}

}  // namespace pkilab::web
