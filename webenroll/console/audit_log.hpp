#pragma once
// Reading the audit trail newest first. The store lists events oldest first after an id
// (Store::list_audit), which is what paging through an append-only table wants but not what a
// person at the console does: these find the newest id and read windows back from it.
#include <cstdint>
#include <string>
#include <vector>

#include "ca/store/store.hpp"

namespace pkilab::web::console {

// The id of the newest event; 0 for an empty trail. A few dozen one-row reads, whatever its size.
std::int64_t newest_audit_id(const Store& store);

// Up to `limit` events with ids in (after, after + limit], newest first.
std::vector<AuditEvent> audit_window(const Store& store, std::size_t limit, std::int64_t after);

struct RequestAudit {
    std::vector<AuditEvent> events;  // newest first
    std::size_t searched = 0;        // how many of the newest events were read
    bool cut = false;                // older events exist that were not read
};

// The events of request `id` on `ca`, among at most `max_searched` of the newest events.
RequestAudit audit_of_request(const Store& store, const std::string& ca, std::int64_t id, std::size_t max_searched);

// The events as a table (time, actor, action, CA, request, serial, outcome, detail), linked to
// the requests and certificates they name.
std::string audit_table(const std::vector<AuditEvent>& events);

}  // namespace pkilab::web::console
