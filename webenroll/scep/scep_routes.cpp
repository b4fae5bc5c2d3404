// The scep routes (being written; see issue 6).
#include "webenroll/web_app.hpp"

namespace pkilab::web {

void add_scep_routes(Router&, WebServices& services) {
    if (!services.lab.config().protocols.scep.enabled) return;
}

}  // namespace pkilab::web
