#include "ca/pipeline/plugin_events.hpp"

#include "ca/plugin/policy_host.hpp"

namespace pkilab {

void notify_plugins(const PolicyHost* policies, const PluginEvent& e) noexcept {
    if (policies == nullptr) return;
    const pkilab_event view{sizeof(pkilab_event),
                            e.type,
                            e.at.time_since_epoch().count(),
                            {e.ca.data(), e.ca.size()},
                            e.request_id,
                            {e.serial.data(), e.serial.size()},
                            {e.detail.data(), e.detail.size()}};
    try {
        policies->notify(view);
    } catch (...) {  // a plugin that cannot be loaded is reported by the next request it judges
    }
}

}  // namespace pkilab
