// The ACME routes (RFC 8555): /acme/NAME/... per endpoint, /acme/directory for the default
// one. All Public at the front door (ACME authenticates with JWS), HTTPS only; every answer
// carries a fresh Replay-Nonce and the directory's Link rel="index".
#include <memory>

#include "ca/errors.hpp"
#include "ca/text.hpp"
#include "webenroll/acme/acme_eab.hpp"
#include "webenroll/acme/acme_problem.hpp"
#include "webenroll/acme/acme_reply.hpp"
#include "webenroll/acme/acme_service.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::web {

namespace {

using acme::AcmeService;
using httplib::Response;

bool publishes(const LabConfig& config, const std::string& ca, const std::string& template_name) {
    const CaConfig* c = config.find_ca(ca);
    return c && std::find(c->templates.begin(), c->templates.end(), template_name) != c->templates.end();
}

std::vector<acme::Endpoint> endpoints_of(const LabConfig& config, const std::string& certsrv_ca) {
    const AcmeConfig& acme = config.protocols.acme;
    std::vector<acme::Endpoint> out;
    if (acme.endpoints.empty()) {
        for (const auto& t : config.find_ca(certsrv_ca)->templates)
            if (t != "SubCA") out.push_back({t, t, certsrv_ca, false});
        return out;
    }
    for (const auto& e : acme.endpoints) {
        const std::string ca = e.ca.empty() ? certsrv_ca : e.ca;
        if (!publishes(config, ca, e.template_name))
            throw InputError(acme.where, "protocols.acme.endpoints", "the CA " + ca + " does not publish the template " + e.template_name,
                             "add it to the CA's templates or name another ca:");
        out.push_back({e.name, e.template_name, ca, e.eab_required});
    }
    return out;
}

std::string default_of(const AcmeConfig& acme, const std::vector<acme::Endpoint>& endpoints) {
    if (!acme.default_endpoint.empty()) return acme.default_endpoint;
    for (const auto& e : endpoints)
        if (e.name == "WebServer") return e.name;
    return endpoints.front().name;
}

void write_problem(Response& res, int status, const nlohmann::json& problem) {
    res.status = status;
    res.set_content(problem.dump(), "application/problem+json");
}

// Runs `handle`, turning every error into an ACME problem document, and adds what every ACME
// answer carries.
template <class F>
void answer(AcmeService& service, const WebRequest& r, const std::string& ep, Response& res, F&& handle) {
    try {
        handle();
    } catch (const acme::AcmeError& e) {
        write_problem(res, e.status(), e.problem());
    } catch (const InputError& e) {
        write_problem(res, 400, acme::problem_json("malformed", e.what(), 400));
    } catch (const NotFoundError& e) {
        write_problem(res, 404, acme::problem_json("malformed", e.what(), 404));
    } catch (const ConflictError& e) {
        write_problem(res, 409, acme::problem_json("malformed", e.what(), 409));
    }
    res.set_header("Replay-Nonce", service.fresh_nonce());
    res.set_header("Cache-Control", "no-store");
    acme::add_link(res, r.origin + "/acme/" + ep + "/directory", "index");
}

constexpr const char* kResolverWhere = "test resolver";

// "_acme-challenge.www.lab.test" from what a hook passes (any case, a trailing dot).
std::string record_name(std::string name) {
    if (!name.empty() && name.back() == '.') name.pop_back();
    name = ascii_lower(name);
    if (name.empty() || name.size() > 253 || name.front() == '.' || name.find("..") != std::string::npos)
        throw InputError(kResolverWhere, "name", "'" + printable(name.substr(0, 64)) + "' is not a DNS name");
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            throw InputError(kResolverWhere, "name", "'" + printable(name.substr(0, 64)) + "' is not a DNS name");
    return name;
}

void add_resolver_routes(Router& router, const std::shared_ptr<AcmeService>& service) {
    auto add = [&router](const char* method, const char* pattern, Access access, const char* summary, RouteHandler h) {
        Route route;
        route.method = method;
        route.pattern = pattern;
        route.access = access;
        route.style = RouteStyle::Api;
        route.summary = summary;
        route.handler = std::move(h);
        router.add(std::move(route));
    };
    add("GET", "/acme/test-resolver", Access::Read, "ACME: the test resolver's TXT records, which dns-01 validation reads",
        [service](const WebRequest&, Response& res) { acme::send_json(res, 200, {{"records", service->txt_records()}}); });
    add("POST", "/acme/test-resolver", Access::Officer, "ACME: set a TXT record for dns-01 ({name, value}), for a day",
        [service](const WebRequest& r, Response& res) {
            const nlohmann::json body = nlohmann::json::parse(r.http.body, nullptr, false);
            if (!body.is_object() || !body.contains("name") || !body.contains("value") || !body["name"].is_string() ||
                !body["value"].is_string())
                throw InputError(kResolverWhere, "body", "expected {\"name\": \"_acme-challenge.NAME\", \"value\": \"TXT\"}");
            const std::string name = record_name(body["name"].get<std::string>());
            const std::string value = body["value"].get<std::string>();
            if (value.empty() || value.size() > 255 || printable(value) != value)
                throw InputError(kResolverWhere, "value", "a TXT value is 1 to 255 printable characters");
            service->set_txt(name, value);
            acme::send_json(res, 201, {{"name", name}, {"value", value}});
        });
    add("DELETE", "/acme/test-resolver/{name}", Access::Officer, "ACME: remove a name's TXT records from the test resolver",
        [service](const WebRequest& r, Response& res) {
            service->remove_txt(record_name(r.params.at(0)));
            res.status = 204;
        });
}

}  // namespace

void add_acme_routes(Router& router, WebServices& services) {
    const LabConfig& config = services.lab.config();
    if (!config.protocols.acme.enabled) return;
    std::vector<acme::Endpoint> endpoints = endpoints_of(config, services.certsrv_ca);
    if (endpoints.empty()) return;
    const std::string default_ep = default_of(config.protocols.acme, endpoints);
    auto service = std::make_shared<AcmeService>(services.lab, config.protocols.acme, std::move(endpoints), default_ep,
                                                 [db = services.lab.state_dir() / "acme" / "acme.db"] { return acme::open_acme_store(db); });

    // `handler(service, request, endpoint, params after the endpoint, response)`.
    using Handler = void (*)(AcmeService&, const WebRequest&, const std::string&, const std::vector<std::string>&, Response&);
    auto add = [&router, service](const char* method, const char* pattern, const char* summary, bool named, Handler h) {
        Route route;
        route.method = method;
        route.pattern = pattern;
        route.access = Access::Public;
        route.style = RouteStyle::Api;
        route.summary = summary;
        route.https_only = true;
        route.handler = [service, named, h](const WebRequest& r, Response& res) {
            const std::string ep = named ? r.params.at(0) : service->default_endpoint();
            const std::vector<std::string> rest(r.params.begin() + (named ? 1 : 0), r.params.end());
            answer(*service, r, ep, res, [&] { h(*service, r, ep, rest, res); });
        };
        router.add(std::move(route));
    };
    auto directory = [](AcmeService& s, const WebRequest& r, const std::string& ep, const std::vector<std::string>&, Response& res) {
        s.directory(r, ep, res);
    };
    add("GET", "/acme/directory", "ACME: the default endpoint's directory (RFC 8555 7.1.1)", false, directory);
    add("GET", "/acme/{name}/directory", "ACME: an endpoint's directory", true, directory);
    add("GET", "/acme/{name}/new-nonce", "ACME: a fresh nonce (HEAD 200, GET 204)", true,
        [](AcmeService& s, const WebRequest& r, const std::string& ep, const std::vector<std::string>&, Response& res) {
            s.endpoint(ep);
            res.status = r.http.method == "HEAD" ? 200 : 204;
        });
    add("POST", "/acme/{name}/new-account", "ACME: create or find an account (JWS with jwk)", true,
        [](AcmeService& s, const WebRequest& r, const std::string& ep, const std::vector<std::string>&, Response& res) {
            s.new_account(r, ep, res);
        });
    add("POST", "/acme/{name}/account/{id}", "ACME: read, update or deactivate an account", true,
        [](AcmeService& s, const WebRequest& r, const std::string& ep, const std::vector<std::string>& p, Response& res) {
            s.account(r, ep, p.at(0), res);
        });
    add("POST", "/acme/{name}/key-change", "ACME: roll an account over to a new key", true,
        [](AcmeService& s, const WebRequest& r, const std::string& ep, const std::vector<std::string>&, Response& res) {
            s.key_change(r, ep, res);
        });
    add("POST", "/acme/{name}/new-order", "ACME: order a certificate for dns/ip identifiers", true,
        [](AcmeService& s, const WebRequest& r, const std::string& ep, const std::vector<std::string>&, Response& res) {
            s.new_order(r, ep, res);
        });
    add("POST", "/acme/{name}/order/{id}", "ACME: an order (POST-as-GET)", true,
        [](AcmeService& s, const WebRequest& r, const std::string& ep, const std::vector<std::string>& p, Response& res) {
            s.order(r, ep, p.at(0), res);
        });
    add("POST", "/acme/{name}/order/{id}/finalize", "ACME: finalize an order with a CSR, through the endpoint's template", true,
        [](AcmeService& s, const WebRequest& r, const std::string& ep, const std::vector<std::string>& p, Response& res) {
            s.finalize(r, ep, p.at(0), res);
        });
    add("POST", "/acme/{name}/authz/{id}", "ACME: an authorization (POST-as-GET), or deactivate it", true,
        [](AcmeService& s, const WebRequest& r, const std::string& ep, const std::vector<std::string>& p, Response& res) {
            s.authorization(r, ep, p.at(0), res);
        });
    add("POST", "/acme/{name}/chall/{id}/{index}", "ACME: a challenge (POST-as-GET), or answer it ({})", true,
        [](AcmeService& s, const WebRequest& r, const std::string& ep, const std::vector<std::string>& p, Response& res) {
            s.challenge(r, ep, p.at(0), p.at(1), res);
        });
    add("POST", "/acme/{name}/cert/{id}", "ACME: download an order's certificate chain (POST-as-GET)", true,
        [](AcmeService& s, const WebRequest& r, const std::string& ep, const std::vector<std::string>& p, Response& res) {
            s.certificate(r, ep, p.at(0), res);
        });
    add("POST", "/acme/{name}/revoke-cert", "ACME: revoke a certificate (the account's or the certificate's key)", true,
        [](AcmeService& s, const WebRequest& r, const std::string& ep, const std::vector<std::string>&, Response& res) {
            s.revoke_certificate(r, ep, res);
        });

    for (const auto& e : service->endpoints()) {
        if (!e.eab_required) continue;
        const auto keys = services.lab.state_dir() / "acme" / "eab-keys";
        const std::string kid = acme::ensure_eab_keys(keys);
        services.notes.push_back("ACME: /acme/" + e.name + "/directory needs external account binding; keys (KID KEY) in " + keys.string() +
                                 (kid.empty() ? "" : " (first: " + kid + ")"));
    }
    add_resolver_routes(router, service);
    const acme::Endpoint& d = service->endpoint(default_ep);
    services.notes.push_back("ACME: " + services.https_base + "/acme/directory (template " + d.template_name + " of " + d.ca +
                             "; http-01 validation connects to port " + std::to_string(config.protocols.acme.http01_port) +
                             "; more endpoints at /acme/<template>/directory)");
}

}  // namespace pkilab::web
