#pragma once
// Everything `pkilab serve` answers over HTTPS besides the published files and OCSP: the
// accounts, sessions and rate limits, the route table (landing page, log-in, static files,
// certsrv, the REST API, the console) and the front door that guards it.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ca/authority/lab.hpp"
#include "webenroll/auth/accounts.hpp"
#include "webenroll/auth/rate_limiter.hpp"
#include "webenroll/auth/sessions.hpp"
#include "webenroll/front_door.hpp"
#include "webenroll/router.hpp"

namespace pkilab::web {

// What route handlers borrow. Each module adds its routes with it (add_*_routes).
struct WebServices {
    const Lab& lab;
    const Accounts& accounts;
    Sessions& sessions;
    RateLimiter& limiter;
    std::string certsrv_ca;  // the CA /certsrv/ enrolls with
    std::string https_base;  // "https://127.0.0.1:8443"
    std::string http_base;   // "http://127.0.0.1:8080"
    const Router* router = nullptr;  // the whole table, for the OpenAPI document (set before any request)
    // Lines `pkilab serve` prints once it listens (an enrollment protocol's URL, a generated
    // secret's file); route modules add them while they add their routes.
    std::vector<std::string> notes;
};

class WebApp {
public:
    // `lab` must outlive the app. InputError when web.certsrv_ca names no CA that issues
    // end-entity templates.
    WebApp(const Lab& lab, std::optional<GeneratedAdmin> admin, std::string https_base, std::string http_base);
    WebApp(const WebApp&) = delete;
    WebApp& operator=(const WebApp&) = delete;

    const FrontDoor& front_door() const { return *front_; }
    const Router& router() const { return router_; }
    const Accounts& accounts() const { return accounts_; }
    const std::string& certsrv_ca() const { return services_->certsrv_ca; }
    const std::vector<std::string>& notes() const { return services_->notes; }

private:
    Accounts accounts_;
    std::unique_ptr<ClientCertificates> certificates_;  // when some user may log in with one
    Sessions sessions_;
    RateLimiter limiter_;
    Router router_;
    std::unique_ptr<WebServices> services_;
    std::unique_ptr<FrontDoor> front_;
};

// The CA /certsrv/ is the web enrollment of: web.certsrv_ca, else the first CA that publishes
// a template other than SubCA. InputError when there is none.
std::string choose_certsrv_ca(const LabConfig& config);

// STATE/cas/ROOT: the folder of the root that `ca` chains to (whose ca.pem clients trust).
std::filesystem::path ca_folder_of_root(const Lab& lab, const std::string& ca);

// The lab file names no user of role admin: `pkilab serve` then sets one up (accounts.hpp).
bool needs_generated_admin(const LabConfig& config);

// Route modules.
void add_site_routes(Router& router, WebServices& services);  // landing page, log-in, log-out, /static/
void add_certsrv_routes(Router& router, WebServices& services);
void add_api_routes(Router& router, WebServices& services);
void add_console_routes(Router& router, WebServices& services);
// The enrollment protocols, each when the lab file's protocols.<name>.enabled is not false.
void add_est_routes(Router& router, WebServices& services);   // webenroll/est/
void add_acme_routes(Router& router, WebServices& services);  // webenroll/acme/
void add_scep_routes(Router& router, WebServices& services);  // webenroll/scep/
void add_cmp_routes(Router& router, WebServices& services);   // webenroll/cmp/

}  // namespace pkilab::web
