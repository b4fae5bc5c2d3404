// The acme routes (being written; see issue 6).
#include "webenroll/web_app.hpp"

namespace pkilab::web {

void add_acme_routes(Router&, WebServices& services) {
    if (!services.lab.config().protocols.acme.enabled) return;
}

}  // namespace pkilab::web
