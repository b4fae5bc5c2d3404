#pragma once
// Logging in with a TLS client certificate: one that a CA of the lab issued for clientAuth,
// valid by the lab clock (the clock it was dated by), not revoked or on hold in the store, and
// naming a web user with `client_certificate: true` by its UPN, else its e-mail address, else
// its CN (AD CS maps certificates to accounts by UPN the same way).
#include <optional>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "ca/authority/lab.hpp"
#include "ca/ossl/ptr.hpp"
#include "webenroll/auth/accounts.hpp"

namespace pkilab::web {

class ClientCertificates {
public:
    ClientCertificates(const Lab& lab, const Accounts& accounts);

    struct Result {
        std::optional<Account> account;
        std::string problem;  // why the certificate logs nobody in, when account is empty
    };
    // The user the connection's client certificate names. Called only when it sent one.
    Result identify(const SSL* ssl) const;

private:
    const Lab& lab_;
    const Accounts& accounts_;
    ossl::X509StorePtr store_;  // every CA certificate of the lab
};

// True when some web user may log in with a client certificate: only then does the TLS
// handshake ask for one (a browser with certificates would otherwise show a picker).
bool wants_client_certificates(const LabConfig& config);

// The CA certificates a client's certificate may come from, for the handshake's request.
std::vector<const X509*> client_certificate_authorities(const Lab& lab);

}  // namespace pkilab::web
