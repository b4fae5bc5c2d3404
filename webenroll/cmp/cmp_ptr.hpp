#pragma once
// Owning pointers for OpenSSL's CMP handles (ca/ossl/ptr.hpp has the rest), the body types, a
// silent log callback.
#include <openssl/cmp.h>

#include "ca/ossl/ptr.hpp"

namespace pkilab::web::cmp {

using MsgPtr = ossl::Ptr<OSSL_CMP_MSG, OSSL_CMP_MSG_free>;
using CtxPtr = ossl::Ptr<OSSL_CMP_CTX, OSSL_CMP_CTX_free>;
using SrvCtxPtr = ossl::Ptr<OSSL_CMP_SRV_CTX, OSSL_CMP_SRV_CTX_free>;
using PkisiPtr = ossl::Ptr<OSSL_CMP_PKISI, OSSL_CMP_PKISI_free>;
using ItavPtr = ossl::Ptr<OSSL_CMP_ITAV, OSSL_CMP_ITAV_free>;

// PKIBody's CHOICE tags (RFC 4210 §5.1.2), what OSSL_CMP_MSG_get_bodytype returns; OpenSSL 3.0
// keeps its names for them internal.
namespace body {
inline constexpr int kKur = 7, kRp = 12, kPkiConf = 19, kGenp = 22, kError = 23, kCertConf = 24, kPollReq = 25;
}  // namespace body

// A log callback for OpenSSL's CMP contexts that drops everything: what a client needs is in
// the answer it gets, and the server's output is no place for every rejected message.
inline int discard_log(const char*, const char*, int, OSSL_CMP_severity, const char*) { return 1; }

}  // namespace pkilab::web::cmp
