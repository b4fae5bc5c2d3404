#pragma once
// The CMP server (RFC 4210 with the RFC 9483 lightweight profile) on OpenSSL's OSSL_CMP_SRV_CTX:
// one DER PKIMessage in, one DER PKIMessage out. Requests protected with a shared secret (PBM)
// get answers protected with the same secret; signature-protected ones, whose certificate must
// come from a lab CA, be valid by the lab clock and not be revoked, get answers signed with the
// CMP server's certificate (cmp_identity.hpp).
//
// ir, cr, p10cr and kur issue through submit() with the profile's template (the pipeline reads
// a CRMF CertReqMsg as it does a PKCS#10; kur must be signed by the certificate it updates and
// keep its subject); rr revokes (the sender's own certificate, or one it requested) and publishes
// the CRLs; certConf is accepted (implicitConfirm granted when asked); pollReq answers a
// request waiting for approval; genm answers signKeyPairTypes, and every answer carries the
// profile CA's chain in extraCerts.
#include <memory>
#include <string>
#include <vector>

#include "ca/authority/lab.hpp"
#include "ca/bytes.hpp"
#include "webenroll/cmp/cmp_identity.hpp"
#include "webenroll/cmp/cmp_secrets.hpp"
#include "webenroll/cmp/cmp_transactions.hpp"

namespace pkilab::web {

// What a path enrolls for: /.well-known/cmp (label "") or /.well-known/cmp/p/LABEL.
struct CmpTarget {
    std::string label;
    std::string template_name;
    std::string ca;
};

inline constexpr size_t kMaxCmpMessageBytes = 256 * 1024;

class CmpServer {
public:
    CmpServer(const Lab& lab, std::vector<CmpSharedSecret> secrets, CmpIdentity identity);
    CmpServer(const CmpServer&) = delete;
    CmpServer& operator=(const CmpServer&) = delete;

    // The answer to `request`. InputError when it is no DER PKIMessage (the caller answers 400);
    // everything wrong with a PKIMessage is answered in CMP (an error message or a rejection).
    Bytes handle(ByteView request, const CmpTarget& target);

    size_t open_transactions() const { return transactions_.size(); }

    // For the callbacks (cmp_callbacks.cpp).
    const Lab& lab() const { return lab_; }
    const CmpIdentity& identity() const { return identity_; }
    // A trust store of the lab's CA certificates, checking at the lab clock's time.
    X509_STORE* new_trust_store() const;

private:
    struct Protection;
    Protection classify(const OSSL_CMP_MSG* msg) const;
    void configure(OSSL_CMP_CTX* ctx, const Protection& p, const CmpTarget& target) const;

    const Lab& lab_;
    std::vector<CmpSharedSecret> secrets_;
    CmpIdentity identity_;
    cmp::Transactions transactions_;
};

}  // namespace pkilab::web
