// serverkeygen (RFC 7030 §4.4): the CA makes the key for the subject and names of the client's
// CSR, has the certificate issued through the same pipeline, and answers multipart/mixed with
// the key as unencrypted PKCS#8 (no encryption was asked for; the TLS connection protects it)
// and the certificate as certs-only PKCS#7. Only for templates that allow key export, and only
// when the certificate is issued at once, so that no generated key is ever kept or lost.
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"
#include "webenroll/est/est_body.hpp"
#include "webenroll/est/est_responses.hpp"
#include "webenroll/est/est_service.hpp"

namespace pkilab::web::est {

namespace {

constexpr const char* kBoundary = "pkilab-est-serverkeygen";  // '-' is not base64, so no part holds it

using Pkcs8Ptr = ossl::Ptr<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;

// Wipes the key's bytes when the answer is built.
struct SecretBytes {
    Bytes bytes;
    ~SecretBytes() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

void pkcs8_der(const EVP_PKEY* key, SecretBytes& out) {
    Pkcs8Ptr p8(ossl::check(EVP_PKEY2PKCS8(key), "EVP_PKEY2PKCS8"));
    unsigned char* der = nullptr;
    const int len = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &der);
    if (len <= 0) ossl::throw_error("i2d_PKCS8_PRIV_KEY_INFO");
    out.bytes.assign(der, der + len);
    OPENSSL_clear_free(der, static_cast<size_t>(len));
}

// The client's request with the new key in it: its subject, names and requested extensions
// stay exactly as the client wrote them.
Bytes request_for_new_key(const ParsedCsr& csr, EVP_PKEY* key) {
    ossl::X509ReqPtr req(ossl::check(X509_REQ_dup(csr.req.get()), "X509_REQ_dup"));
    ossl::check(X509_REQ_set_pubkey(req.get(), key), "X509_REQ_set_pubkey");
    const EVP_MD* md = EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
    if (X509_REQ_sign(req.get(), key, md) <= 0) ossl::throw_error("X509_REQ_sign");
    return csr_to_der(req.get());
}

}  // namespace

void server_keygen(const EstService& est, const Endpoint& e, const Enrollee& who, const Bytes& der, httplib::Response& res) {
    const Lab& lab = est.services.lab;
    const CertificateTemplate* t = lab.config().find_template(e.template_name);
    if (t == nullptr) throw InternalError("EST endpoint names template " + e.template_name + ", which the lab lacks");
    if (!t->allow_server_keygen) {
        send_text(res, 403, "Not allowed: template " + t->name +
                                " does not allow server-side key generation (server_keygen: {allowed: true}); "
                                "make the key yourself and use simpleenroll, or an EST label whose template allows it");
        return;
    }
    if (t->pend_all_requests) {
        send_text(res, 403, "Not allowed: template " + t->name +
                                " waits for approval, and a generated key would have to be kept until then; use simpleenroll");
        return;
    }
    const ParsedCsr csr = parse_csr(der);
    ossl::PkeyPtr key = generate_key(t->server_keygen_key);
    const IssuanceContext ctx = lab.context();
    const IssuanceOutcome out = submit(ctx, EnrollmentRequest{t->name, e.ca, request_for_new_key(csr, key.get()), who.requester});
    if (out.state == RequestState::Pending) {
        // A plugin asked for approval: the key would outlive this answer, so the request ends here.
        const IssuanceOutcome denied = deny(ctx, out.ca, out.request_id, Requester{"est", "system", "est"},
                                            "server-side key generation cannot wait for approval");
        send_refusal(res, denied.ca, denied.request_id, denied.state, denied.disposition, out.findings);
        return;
    }
    if (out.state != RequestState::Issued) {
        send_refusal(res, out.ca, out.request_id, out.state, out.disposition, out.findings);
        return;
    }
    SecretBytes p8;
    pkcs8_der(key.get(), p8);
    ossl::X509Ptr cert = parse_certificate(out.certificate->der, "issued certificate");
    const std::string b = kBoundary;
    std::string body;
    body += "--" + b + "\r\nContent-Type: application/pkcs8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    body += base64_lines(p8.bytes);
    body += "--" + b + "\r\nContent-Type: " + std::string(kCertsOnlyType) + "\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    body += base64_lines(pkcs7_certs_only({cert.get()}));
    body += "--" + b + "--\r\n";
    res.status = 200;
    res.set_header("Cache-Control", "no-store");
    res.set_content(std::move(body), "multipart/mixed; boundary=" + b);
}

}  // namespace pkilab::web::est
