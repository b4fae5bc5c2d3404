// The est routes (being written; see issue 6).
#include "webenroll/web_app.hpp"

namespace pkilab::web {

void add_est_routes(Router&, WebServices& services) {
    if (!services.lab.config().protocols.est.enabled) return;
}

}  // namespace pkilab::web
