// The console: being written.
#include "webenroll/web_app.hpp"

namespace pkilab::web {

void add_console_routes(Router&, WebServices&) {}

}  // namespace pkilab::web
