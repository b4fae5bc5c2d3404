// The console: what officers, auditors and administrators see of the lab in a browser.
#include "webenroll/console/console_pages.hpp"

namespace pkilab::web {

void add_console_routes(Router& router, WebServices& services) {
    console::add_dashboard_page(router, services);
    console::add_templates_page(router, services);
    console::add_requests_page(router, services);
    console::add_request_story_page(router, services);
    console::add_certificates_page(router, services);
    console::add_certificate_page(router, services);
    console::add_audit_page(router, services);
}

}  // namespace pkilab::web
