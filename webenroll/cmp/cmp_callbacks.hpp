#pragma once
// The OSSL_CMP_SRV_CTX callbacks: what each CMP request does in the lab (issue, revoke,
// confirm, poll, general messages). Internal to webenroll/cmp.
#include <string>

#include "webenroll/cmp/cmp_server.hpp"

namespace pkilab::web::cmp {

// What the callbacks of one message need: set as the server context's custom context.
struct Call {
    const CmpServer& server;
    const CmpTarget& target;
    Transaction& transaction;
    std::string reference;  // of the shared secret that protects it; empty: signature-protected
};

// Points `srv`'s callbacks at `call` (for the message about to be processed).
void set_callbacks(OSSL_CMP_SRV_CTX* srv, Call& call);

// PKIFailureInfo bit masks, and a PKIStatusInfo rejection with one and a text (cut to a
// length clients print whole).
int fail_bit(int failure_info);
OSSL_CMP_PKISI* rejection(int failure_info, const std::string& text);
// The text of a policy refusal: the disposition, then each error finding with its source.
std::string refusal_text(const std::string& disposition, const Findings& findings);

}  // namespace pkilab::web::cmp
