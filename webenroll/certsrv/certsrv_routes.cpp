// AD CS web enrollment (certsrv): being written.
#include "webenroll/web_app.hpp"

namespace pkilab::web {

void add_certsrv_routes(Router&, WebServices&) {}

}  // namespace pkilab::web
