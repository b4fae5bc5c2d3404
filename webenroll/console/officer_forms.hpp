#pragma once
// The officer's buttons (approve, deny, revoke, hold, release), shown only to callers whose
// role has Officer access, and the notice a page shows after one of them redirected back.
#include <cstdint>
#include <string>

#include <httplib.h>

#include "ca/authority/lab.hpp"
#include "ca/store/store.hpp"
#include "webenroll/auth/caller.hpp"

namespace pkilab::web::console {

// Where approve and deny send the officer back to ("from" in the form): the list or the story.
enum class ReturnTo { List, Story };

// Approve and Deny (with a reason) for a pending request; empty for anyone else. In the list
// the reason folds out of a "Deny" toggle.
std::string request_action_forms(const Caller& caller, const RequestRecord& request, ReturnTo back);
// Revoke (with an RFC 5280 reason), Hold and Release, as the certificate's status allows.
// `compact` (a table row): the reason and the Revoke button fold out of a "Revoke" toggle.
std::string certificate_action_forms(const Caller& caller, const CertificateRecord& cert, bool compact);

// The `done` code approve and deny redirect with ("approved-12"), from the request's new state.
std::string done_code(RequestState state_after, bool was_deny, std::int64_t id);
// The fixed sentence for a known `done` code (and `on`, which must name a CA of the lab);
// empty for anything else, which is never echoed.
std::string action_notice(const Lab& lab, const httplib::Request& req);

}  // namespace pkilab::web::console
