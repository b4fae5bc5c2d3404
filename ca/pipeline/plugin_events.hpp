#pragma once
// What the pipeline tells policy plugins once it has happened and is durable, in the spirit of
// AD CS exit modules: issued, denied, pending, revoked (PKILAB_EVENT_*). News, not a vote.
#include <cstdint>
#include <string>

#include "ca/clock.hpp"
#include "plugins/sdk/pkilab_plugin.h"

namespace pkilab {

class PolicyHost;

struct PluginEvent {
    std::uint32_t type = PKILAB_EVENT_ISSUED;
    std::string ca;
    std::int64_t request_id = 0;
    std::string serial;
    std::string detail;  // the disposition, or the revocation reason
    Time at{};
};

// Does nothing when there are no plugins (`policies` null). Never throws: the fact it reports
// is done and durable.
void notify_plugins(const PolicyHost* policies, const PluginEvent& event) noexcept;

}  // namespace pkilab
