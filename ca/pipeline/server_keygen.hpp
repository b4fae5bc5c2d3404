#pragma once
// Server-side key generation: the CA makes the key pair, requests a certificate for it
// through the normal pipeline, and hands back a PKCS#12 with an exportable key. Only where
// the template allows it (AD CS: "Allow private key to be exported"), and only when the
// certificate is issued at once, so that no key is ever generated and then lost.
#include <string>
#include <vector>

#include "ca/pipeline/issuance.hpp"
#include "ca/x509/general_name.hpp"

namespace pkilab {

struct ServerKeygenRequest {
    std::string template_name;
    std::string ca;
    std::string subject;  // parse_dn syntax
    std::vector<GeneralName> sans;
    Requester requester;
    std::string pkcs12_passphrase;  // must not be empty
    std::string friendly_name;
};

struct ServerKeygenOutcome {
    IssuanceOutcome issuance;
    Bytes pkcs12;  // set when issued: key, certificate and chain (AES-256-CBC, PBKDF2, SHA-256 MAC)
};

ServerKeygenOutcome submit_with_server_key(const IssuanceContext& ctx, const ServerKeygenRequest& request,
                                           const std::vector<const X509*>& chain_of_issuer);

}  // namespace pkilab
