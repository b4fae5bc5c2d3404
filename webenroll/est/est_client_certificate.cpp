#include "webenroll/est/est_client_certificate.hpp"

#include <openssl/x509v3.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/name.hpp"

namespace pkilab::web::est {

std::vector<GeneralName> certificate_sans(const X509* cert) {
    ossl::ErrorMark mark;
    ossl::GeneralNamesPtr sans{
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr))};
    if (!sans) return {};
    return from_openssl(sans.get(), "client certificate subjectAltName");
}

ClientCertificateCheck::ClientCertificateCheck(const Lab& lab)
    : lab_(lab), store_(ossl::check(X509_STORE_new(), "X509_STORE_new")) {
    for (const auto& ca : lab.cas())
        ossl::check(X509_STORE_add_cert(store_.get(), const_cast<X509*>(ca.certificate())), "X509_STORE_add_cert");
}

ClientCertificateCheck::Result ClientCertificateCheck::check(const SSL* ssl) const {
    X509* cert = SSL_get0_peer_certificate(ssl);
    if (cert == nullptr) return {std::nullopt, "no client certificate"};
    ossl::ErrorMark mark;
    ossl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store_.get(), cert, SSL_get_peer_cert_chain(ssl)) != 1)
        return {std::nullopt, "cannot check the client certificate"};
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), lab_.clock().now().time_since_epoch().count());
    if (X509_verify_cert(ctx.get()) != 1)
        return {std::nullopt, std::string("the TLS client certificate does not verify against the lab's CAs by the lab clock: ") +
                                  X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))};
    // The store holds the lab's CAs only, so the issuer is one of them; the store knows the status.
    X509* issuer = sk_X509_value(X509_STORE_CTX_get0_chain(ctx.get()), 1);
    const CertificateAuthority* ca = nullptr;
    for (const auto& c : lab_.cas())
        if (issuer != nullptr && X509_cmp(c.certificate(), issuer) == 0) ca = &c;
    if (ca == nullptr) return {std::nullopt, "the TLS client certificate is a CA's own, not one a lab CA issued"};
    TlsClient client;
    client.certificate = cert;
    client.ca = ca->name();
    client.serial = serial_to_hex(X509_get0_serialNumber(cert));
    const auto record = lab_.store().find_certificate(client.ca, client.serial);
    if (!record) return {std::nullopt, "CA " + client.ca + " has no record of certificate " + client.serial};
    if (record->status != CertStatus::Valid)
        return {std::nullopt, "the TLS client certificate " + client.serial + " is " + to_string(record->status)};
    client.subject = format_dn(X509_get_subject_name(cert));
    try {
        client.sans = certificate_sans(cert);
    } catch (const Error& e) {
        return {std::nullopt, std::string("the TLS client certificate's subjectAltName cannot be read: ") + e.what()};
    }
    return {std::move(client), {}};
}

}  // namespace pkilab::web::est
