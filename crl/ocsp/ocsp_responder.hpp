#pragma once
// The OCSP responder (RFC 6960, with the RFC 5019 profile's pre-signed answers) for every CA
// of a lab. It decodes nothing HTTP: the server hands it the DER OCSPRequest (from a POST body
// or a GET path's base64) and sends back the bytes it returns as application/ocsp-response.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "ca/bytes.hpp"
#include "ca/clock.hpp"
#include "crl/ocsp/response_cache.hpp"

namespace pkilab {
class Lab;
}

namespace pkilab::crl {

// How one CA's responder signs, for the server to show at start and on its status page.
struct OcspSignerStatus {
    std::string ca;
    bool delegated = false;            // a responder certificate signs; else the CA key
    std::string serial;                // of the certificate that signs (the CA's own when not delegated)
    Time not_after{};
    std::filesystem::path certificate_file;  // STATE/cas/NAME/ocsp/responder.pem; empty when the CA signs
    std::string problem;               // why it is not as configured, or why the last refresh failed
};

struct OcspCounters {
    std::uint64_t requests = 0;
    std::uint64_t cache_hits = 0;      // answered with a pre-signed response
    std::uint64_t signed_responses = 0;
    std::uint64_t malformed = 0;
    std::uint64_t unauthorized = 0;    // no CertID names an issuer of this lab
    std::uint64_t internal_errors = 0;
    ResponseCacheStats cache;
};

class OcspResponder {
public:
    // Makes sure each CA has a current signer (see responder_certificate.hpp): with ocsp
    // delegated (the default) a responder certificate the CA issues itself, kept in
    // STATE/cas/NAME/ocsp/; otherwise the CA key, loaded now. `lab` must outlive the responder.
    // Throws (InputError, InternalError) when a CA can sign in no way, e.g. its key's passphrase
    // is missing and it has no current responder certificate.
    explicit OcspResponder(const Lab& lab, ResponseCacheLimits limits = {});
    ~OcspResponder();
    OcspResponder(const OcspResponder&) = delete;
    OcspResponder& operator=(const OcspResponder&) = delete;

    // The DER OCSPResponse for a DER OCSPRequest, at the lab clock's now. Never throws: bytes
    // that are not one OCSPRequest get malformedRequest, a request naming no issuer of this lab
    // unauthorized, a fault internalError. A nonce-less request for one certificate is answered
    // from the pre-signed cache when it can; a nonce is echoed in a freshly signed response.
    // Thread-safe.
    Bytes respond(ByteView request_der) const;

    // The same with what the HTTP front needs to know about the answer without decoding it:
    // its responseStatus and, for a successful one, the earliest nextUpdate (RFC 5019 caching).
    struct Reply {
        Bytes der;
        int status = 0;  // OCSP_RESPONSE_STATUS_*
        std::optional<Time> next_update;
    };
    Reply answer(ByteView request_der) const;

    // Call about once a second (any thread; calls do not overlap, a second one waits): picks up
    // status changes made by any process, signs again pre-signed responses past half their life,
    // renews responder certificates. Never throws; failures show in signers().
    void refresh();

    std::vector<OcspSignerStatus> signers() const;
    OcspCounters counters() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pkilab::crl
