#pragma once
// The HTTPS server's own certificate: issued by a CA of the lab (the certsrv CA) through the
// normal pipeline, template WebServer, for the names clients reach the server by; renewed at
// two thirds of its life. Dated by the real clock, not the lab clock: browsers and curl check
// it against the real time, and a lab clock moved a year ahead must not lock people out.
//
//   STATE/web/tls/server.key   its private key (P-256, PKCS#8 PEM, mode 0600)
//   STATE/web/tls/server.pem   the certificate followed by the issuing CA's chain (no root)
//   STATE/web/tls/lock         serializes renewal between processes (flock)
//
// Each TLS handshake takes the current certificate (an SSL_CTX certificate callback), so a
// renewal needs no restart.
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "ca/authority/lab.hpp"
#include "ca/ossl/ptr.hpp"
#include "ca/x509/general_name.hpp"

namespace pkilab::web {

inline constexpr const char* kServerTemplate = "WebServer";

struct TlsIdentity {
    ossl::X509Ptr certificate;
    ossl::PkeyPtr key;
    std::vector<ossl::X509Ptr> chain;  // the issuing CA and its issuers, without the root
    std::string serial;
    Time not_before{};
    Time not_after{};
};

class ServerCertificate {
public:
    // Reuses the certificate on disk when it is current, covers `names` and chains to the CA;
    // issues one otherwise. ConflictError when the CA refuses it (a policy plugin, an expired
    // CA), with the disposition; other errors for faults.
    ServerCertificate(const Lab& lab, const CertificateAuthority& ca, std::vector<GeneralName> names);
    ServerCertificate(const ServerCertificate&) = delete;
    ServerCertificate& operator=(const ServerCertificate&) = delete;

    std::shared_ptr<const TlsIdentity> current() const;
    // Renews when due at the real time; true when the certificate changed. Never throws: a
    // failure keeps the current one and is in problem().
    bool renew_if_due();
    std::string problem() const;

    // Makes the handshake ask for a client certificate from these CAs (optional for the client;
    // webenroll/auth/client_certificates.hpp decides what one is worth). Before configure().
    void request_client_certificates(std::vector<const X509*> cas) { client_cas_ = std::move(cas); }

    // For httplib::SSLServer's setup callback: TLS 1.2 and 1.3 only, and this object's
    // certificate on every handshake. This object must outlive the context.
    bool configure(SSL_CTX& ctx);

    static std::filesystem::path folder(const Lab& lab);

private:
    bool due(const TlsIdentity& id, Time now) const;
    std::shared_ptr<const TlsIdentity> load(Time now) const;
    std::shared_ptr<const TlsIdentity> issue();  // dated by the real clock, see above
    void renew(Time now);

    const Lab& lab_;
    const CertificateAuthority& ca_;
    std::vector<GeneralName> names_;
    std::vector<const X509*> client_cas_;
    std::filesystem::path folder_;
    mutable std::mutex mutex_;
    std::shared_ptr<const TlsIdentity> identity_;
    std::string problem_;
};

// The names for a server listening on `host`: the lab's server_dns_name, "localhost" and
// 127.0.0.1 always (loopback is what a lab is reached by), and `host` unless it is a wildcard.
std::vector<GeneralName> server_names(const LabConfig& config, const std::string& host);

}  // namespace pkilab::web
