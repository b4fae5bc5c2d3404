// The REST API v1: being written.
#include "webenroll/web_app.hpp"

namespace pkilab::web {

void add_api_routes(Router&, WebServices&) {}

}  // namespace pkilab::web
