#pragma once
// EST's TLS client authentication (RFC 7030 §3.3.2): a certificate a CA of this lab issued,
// valid by the lab clock, not revoked nor on hold in the store. Its EKU is not asked for: the
// certificate being renewed by simplereenroll is usually a server's.
#include <optional>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "ca/authority/lab.hpp"
#include "ca/ossl/ptr.hpp"
#include "ca/x509/general_name.hpp"

namespace pkilab::web::est {

struct TlsClient {
    const X509* certificate = nullptr;  // the connection's; lives as long as it does
    std::string ca;
    std::string serial;
    std::string subject;  // RFC 4514
    std::vector<GeneralName> sans;
};

class ClientCertificateCheck {
public:
    explicit ClientCertificateCheck(const Lab& lab);

    struct Result {
        std::optional<TlsClient> client;
        std::string problem;  // why the certificate is not taken, when client is empty
    };
    // Called only when the connection carries a client certificate.
    Result check(const SSL* ssl) const;

private:
    const Lab& lab_;
    ossl::X509StorePtr store_;  // every CA certificate of the lab
};

// The certificate's subjectAltName, empty when it has none; InputError when unreadable.
std::vector<GeneralName> certificate_sans(const X509* cert);

}  // namespace pkilab::web::est
