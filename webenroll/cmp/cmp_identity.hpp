#pragma once
// The key and certificate that sign the CMP server's answers to signature-protected requests
// (RFC 9483 §3.2): issued by the default profile's CA at the first start through
// submit_for_ca_infrastructure, kept in STATE/cmp/server.key (0600) and server.pem (the
// certificate, then its CA chain), reused while valid.
#include <filesystem>
#include <vector>

#include "ca/authority/lab.hpp"
#include "ca/ossl/ptr.hpp"

namespace pkilab::web {

struct CmpIdentity {
    ossl::PkeyPtr key;
    ossl::X509Ptr certificate;
    std::vector<ossl::X509Ptr> chain;  // the issuing CA up to the root
};

// The template it is issued from: digitalSignature is what a CMP client checks of the
// protection certificate (the lab has no CMP RA template with id-kp-cmcRA yet).
inline constexpr const char* kCmpServerTemplate = "WebServer";

// Loads STATE/cmp/server.{key,pem} when they hold a certificate of `ca` valid by the real
// clock (clients check it by theirs, as they do the HTTPS certificate), else issues a new one.
CmpIdentity load_or_issue_cmp_identity(const Lab& lab, const CertificateAuthority& ca);

}  // namespace pkilab::web
