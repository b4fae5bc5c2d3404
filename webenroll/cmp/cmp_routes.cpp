// The cmp routes (being written; see issue 6).
#include "webenroll/web_app.hpp"

namespace pkilab::web {

void add_cmp_routes(Router&, WebServices& services) {
    if (!services.lab.config().protocols.cmp.enabled) return;
}

}  // namespace pkilab::web
