#include "webenroll/web_app.hpp"

#include <algorithm>

#include "ca/errors.hpp"

namespace pkilab::web {

std::string choose_certsrv_ca(const LabConfig& config) {
    if (!config.web.certsrv_ca.empty()) {
        if (!config.find_ca(config.web.certsrv_ca))
            throw InputError(config.web.where, "web.certsrv_ca", "names no CA of the lab: " + config.web.certsrv_ca);
        return config.web.certsrv_ca;
    }
    for (const auto& ca : config.cas)
        if (std::any_of(ca.templates.begin(), ca.templates.end(), [](const std::string& t) { return t != "SubCA"; }))
            return ca.name;
    throw InputError(config.source.string(), "cas", "no CA publishes an end-entity template, so /certsrv/ has nothing to enroll for",
                     "add a template such as WebServer to an issuing CA's templates");
}

std::filesystem::path ca_folder_of_root(const Lab& lab, const std::string& ca) {
    const CaConfig* c = lab.config().find_ca(ca);
    for (std::size_t hops = 0; c && c->parent && hops < kMaxCas; ++hops) c = lab.config().find_ca(*c->parent);
    return ca_folder(lab.state_dir(), c ? c->name : ca);
}

bool needs_generated_admin(const LabConfig& config) {
    return std::none_of(config.web.users.begin(), config.web.users.end(),
                        [](const WebUser& u) { return u.role == WebRole::Admin; });
}

WebApp::WebApp(const Lab& lab, std::optional<GeneratedAdmin> admin, std::string https_base, std::string http_base)
    : accounts_(lab.config().web.users, std::move(admin)), limiter_(lab.config().web.rate_limit_per_minute) {
    services_ = std::unique_ptr<WebServices>(new WebServices{lab, accounts_, sessions_, limiter_,
                                                             choose_certsrv_ca(lab.config()), https_base, std::move(http_base),
                                                             &router_, {}});
    add_site_routes(router_, *services_);
    add_certsrv_routes(router_, *services_);
    add_api_routes(router_, *services_);
    add_console_routes(router_, *services_);
    add_est_routes(router_, *services_);
    add_acme_routes(router_, *services_);
    add_scep_routes(router_, *services_);
    add_cmp_routes(router_, *services_);
    if (wants_client_certificates(lab.config())) certificates_ = std::make_unique<ClientCertificates>(lab, accounts_);
    front_ = std::make_unique<FrontDoor>(router_, accounts_, sessions_, limiter_, std::move(https_base), certificates_.get());
}

}  // namespace pkilab::web
