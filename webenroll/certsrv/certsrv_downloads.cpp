#include "webenroll/certsrv/certsrv_downloads.hpp"

#include <filesystem>
#include <system_error>

#include "ca/errors.hpp"
#include "ca/x509/pem.hpp"
#include "crl/crl_publisher.hpp"
#include "webenroll/certsrv/certsrv_access.hpp"
#include "webenroll/certsrv/certsrv_forms.hpp"
#include "webenroll/certsrv/certsrv_http.hpp"
#include "webenroll/certsrv/certsrv_pages.hpp"

namespace pkilab::web::certsrv {

namespace {

using httplib::Response;

constexpr const char* kCertificateType = "application/pkix-cert";
constexpr const char* kPkcs7Type = "application/x-pkcs7-certificates";
constexpr const char* kCrlType = "application/pkix-crl";
constexpr std::size_t kMaxCrlBytes = 256 * 1024 * 1024;

// This CA has had no renewal: its one certificate is renewal 0 (AD CS counts from there).
constexpr unsigned kRenewals = 0;

// AD CS answers a file it cannot give with an error page; here with 404, which tells scripts
// that check the status as well as those that check the Content-Type.
void not_available(Response& res, const Caller& caller, const std::string& what, const std::string& message) {
    send_certsrv_page(res, 404, "Error", retrieval_error_body(what, message), caller);
}

bool known_renewal(const WebServices& s, const WebRequest& r, Response& res) {
    const unsigned renewal = parse_renewal(field(r.http, "Renewal"));
    if (renewal <= kRenewals) return true;
    not_available(res, r.caller, "There is no such CA certificate.",
                  "CA " + s.certsrv_ca + " has no renewal " + std::to_string(renewal) + ": it has had " +
                      std::to_string(kRenewals) + " renewals (nRenewals=" + std::to_string(kRenewals) + ")");
    return false;
}

// The certificate of request `id` when it is issued and the caller may see it; else the error
// page is sent and the result is empty.
ossl::X509Ptr issued_certificate(const WebServices& s, const WebRequest& r, Response& res, std::int64_t id) {
    const std::string n = std::to_string(id);
    const auto request = visible_request(s.lab, s.certsrv_ca, r.caller, id);
    if (!request) {
        not_available(res, r.caller, "The certificate could not be retrieved.",
                      "The request ID " + n + " is not valid: CA " + s.certsrv_ca + " has no such request that you may see.");
        return nullptr;
    }
    if (request->state != RequestState::Issued) {
        not_available(res, r.caller, "Request " + n + " has no certificate: it is " + to_string(request->state) + ".",
                      request->disposition.empty() ? std::string(to_string(request->state)) : request->disposition);
        return nullptr;
    }
    const auto cert = s.lab.store().find_certificate(s.certsrv_ca, request->serial);
    if (!cert)
        throw InternalError("request " + n + " of CA " + s.certsrv_ca + " is issued, but the store has no certificate " +
                            request->serial);
    return parse_certificate(cert->der, "the store's certificate " + cert->serial);
}

void send_one(Response& res, const X509* cert, Encoding enc) {
    if (enc == Encoding::Der)
        send_download(res, certificate_der(cert), kCertificateType, "certnew.cer");
    else
        send_download(res, certificate_pem(cert), kCertificateType, "certnew.cer");
}

void send_pkcs7(Response& res, const std::vector<const X509*>& certs, Encoding enc) {
    const Bytes der = pkcs7_certs_only(certs);
    if (enc == Encoding::Der)
        send_download(res, der, kPkcs7Type, "certnew.p7b");
    else
        send_download(res, pkcs7_pem(der), kPkcs7Type, "certnew.p7b");
}

}  // namespace

void send_certificate(const WebServices& s, const WebRequest& r, Response& res) {
    const RequestIdParam which = parse_request_id_param(field(r.http, "ReqID"));
    // AD CS: anything but Enc=bin is base64.
    const Encoding enc = parse_encoding(field(r.http, "Enc"), Encoding::Pem);
    const CertificateAuthority& ca = s.lab.ca(s.certsrv_ca);
    if (which.ca_certificate) {
        if (known_renewal(s, r, res)) send_one(res, ca.certificate(), enc);
        return;
    }
    if (const auto cert = issued_certificate(s, r, res, which.id)) send_one(res, cert.get(), enc);
}

void send_chain(const WebServices& s, const WebRequest& r, Response& res) {
    const RequestIdParam which = parse_request_id_param(field(r.http, "ReqID"));
    const Encoding enc = parse_encoding(field(r.http, "Enc"), Encoding::Pem);
    const CertificateAuthority& ca = s.lab.ca(s.certsrv_ca);
    if (which.ca_certificate) {
        if (known_renewal(s, r, res)) send_pkcs7(res, s.lab.chain(ca), enc);
        return;
    }
    const auto cert = issued_certificate(s, r, res, which.id);
    if (!cert) return;
    std::vector<const X509*> certs{cert.get()};
    for (const X509* c : s.lab.chain(ca)) certs.push_back(c);
    send_pkcs7(res, certs, enc);
}

void send_crl(const WebServices& s, const WebRequest& r, Response& res) {
    const CrlKind kind = parse_crl_type(field(r.http, "Type"));
    // Unlike AD CS (base64 unless Enc=bin), DER unless Enc=b64: what a CDP serves, and what
    // tools given this URL expect.
    const Encoding enc = parse_encoding(field(r.http, "Enc"), Encoding::Der);
    if (!known_renewal(s, r, res)) return;
    const CertificateAuthority& ca = s.lab.ca(s.certsrv_ca);
    if (kind == CrlKind::Delta && !ca.config().crl.deltas()) {
        not_available(res, r.caller, "There is no delta CRL.", "CA " + s.certsrv_ca + " publishes no delta CRLs");
        return;
    }
    const auto file = crl::canonical_crl_file(s.lab.state_dir(), s.certsrv_ca, kind);
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        not_available(res, r.caller, "There is no CRL to download.",
                      "CA " + s.certsrv_ca + " has published no " + to_string(kind) + " CRL yet");
        return;
    }
    const Bytes der = read_file(file, kMaxCrlBytes);
    if (enc == Encoding::Der)
        send_download(res, der, kCrlType, "certcrl.crl");
    else
        send_download(res, pem_encode("X509 CRL", der), kCrlType, "certcrl.crl");
}

}  // namespace pkilab::web::certsrv
