#include "webenroll/auth/client_certificates.hpp"

#include <algorithm>
#include <openssl/x509v3.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/general_name.hpp"

namespace pkilab::web {

namespace {

// UPN, then e-mail address, then CN: the first the certificate has.
std::string login_name(X509* cert) {
    ossl::ErrorMark mark;
    if (ossl::GeneralNamesPtr sans{static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr))}) {
        std::vector<GeneralName> names;
        try {
            names = from_openssl(sans.get(), "client certificate subjectAltName");
        } catch (const Error&) {
            return {};
        }
        for (NameType type : {NameType::Upn, NameType::Email})
            for (const auto& n : names)
                if (n.type == type) return n.value;
    }
    const X509_NAME* subject = X509_get_subject_name(cert);
    const int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (at < 0) return {};
    const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, cn);
    if (len < 0) return {};
    std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

}  // namespace

bool wants_client_certificates(const LabConfig& config) {
    return std::any_of(config.web.users.begin(), config.web.users.end(), [](const WebUser& u) { return u.client_certificate; });
}

std::vector<const X509*> client_certificate_authorities(const Lab& lab) {
    std::vector<const X509*> out;
    for (const auto& ca : lab.cas()) out.push_back(ca.certificate());
    return out;
}

ClientCertificates::ClientCertificates(const Lab& lab, const Accounts& accounts)
    : lab_(lab), accounts_(accounts), store_(ossl::check(X509_STORE_new(), "X509_STORE_new")) {
    for (const auto& ca : lab.cas())
        ossl::check(X509_STORE_add_cert(store_.get(), const_cast<X509*>(ca.certificate())), "X509_STORE_add_cert");
}

ClientCertificates::Result ClientCertificates::identify(const SSL* ssl) const {
    X509* cert = SSL_get0_peer_certificate(ssl);
    if (cert == nullptr) return {std::nullopt, "no client certificate"};
    ossl::ErrorMark mark;
    ossl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store_.get(), cert, SSL_get_peer_cert_chain(ssl)) != 1)
        return {std::nullopt, "cannot check the client certificate"};
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), lab_.clock().now().time_since_epoch().count());
    if (X509_verify_cert(ctx.get()) != 1)
        return {std::nullopt, std::string("the client certificate does not verify against the lab's CAs: ") +
                                  X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))};
    // Its issuer is one of the lab's CAs (the store holds nothing else); the store knows its status.
    X509* issuer = sk_X509_value(X509_STORE_CTX_get0_chain(ctx.get()), 1);
    const CertificateAuthority* ca = nullptr;
    for (const auto& c : lab_.cas())
        if (issuer != nullptr && X509_cmp(c.certificate(), issuer) == 0) ca = &c;
    if (ca == nullptr) return {std::nullopt, "the client certificate's issuer is not a CA of this lab"};
    const std::string serial = serial_to_hex(X509_get0_serialNumber(cert));
    const auto record = lab_.store().find_certificate(ca->name(), serial);
    if (!record) return {std::nullopt, "CA " + ca->name() + " has no record of certificate " + serial};
    if (record->status != CertStatus::Valid)
        return {std::nullopt, "certificate " + serial + " is " + to_string(record->status)};
    const std::string name = login_name(cert);
    const auto account = accounts_.certificate_login(name);
    if (!account)
        return {std::nullopt, "certificate " + serial + " names '" + name +
                                  "', which is no web user with client_certificate: true"};
    return {account, {}};
}

}  // namespace pkilab::web
