#pragma once
// The console's pages, one file each; add_console_routes (console_routes.cpp) adds them all.
// Every page is Access::Read and RouteStyle::Console; what changes state is Access::Officer.
#include "webenroll/web_app.hpp"

namespace pkilab::web::console {

void add_dashboard_page(Router& router, WebServices& services);      // GET /console
void add_templates_page(Router& router, WebServices& services);      // GET /console/templates
void add_requests_page(Router& router, WebServices& services);       // GET /console/requests, approve, deny
void add_request_story_page(Router& router, WebServices& services);  // GET /console/requests/{ca}/{id}
void add_certificates_page(Router& router, WebServices& services);   // GET /console/certificates, revoke, hold, release
void add_certificate_page(Router& router, WebServices& services);    // GET /console/certificates/{ca}/{serial}
void add_audit_page(Router& router, WebServices& services);          // GET /console/audit

}  // namespace pkilab::web::console
