// The REST API v1 (JSON over HTTPS): every module's routes, and last the OpenAPI document
// that describes them all.
#include "webenroll/api/api_route.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::web {

void add_api_routes(Router& router, WebServices& services) {
    ApiRoutes api(router, services);
    add_catalog_routes(api);
    add_request_routes(api);
    add_certificate_routes(api);
    add_openapi_route(api);
}

}  // namespace pkilab::web
