#include "ca/authority/certificate_authority.hpp"

#include <algorithm>
#include <mutex>

#include "ca/config/url_tokens.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/extensions.hpp"
#include "ca/x509/signature.hpp"

namespace pkilab {

namespace {

std::vector<std::string> expand_all(const std::vector<std::string>& patterns, UrlTokenValues values,
                                    bool delta, const std::string& where) {
    values.delta = delta;
    std::vector<std::string> out;
    for (const auto& p : patterns) out.push_back(expand_url_tokens(p, values, where));
    return out;
}

void check_is_ca(const CaConfig& config, X509* cert) {
    const std::string where = "CA " + config.name;
    // X509_check_ca also computes the cached extension flags used below.
    if (X509_check_ca(cert) != 1)
        throw InputError(where, "certificate", "the certificate is not a CA certificate",
                         "give the CA a certificate with basicConstraints cA=TRUE and keyCertSign");
    if ((X509_get_extension_flags(cert) & EXFLAG_KUSAGE) != 0 &&
        (X509_get_key_usage(cert) & KU_KEY_CERT_SIGN) == 0)
        throw InputError(where, "certificate", "the CA certificate's key usage lacks keyCertSign");
}

}  // namespace

struct CertificateAuthority::Signer {
    KeyLoader load;
    std::once_flag once;  // a loader that throws leaves it unset, so a later call tries again
    ossl::PkeyPtr key;
    ossl::Ptr<X509_ALGOR, X509_ALGOR_free> algorithm;
};

CertificateAuthority::CertificateAuthority(CaConfig config, ossl::X509Ptr certificate,
                                           std::vector<ossl::X509Ptr> issuers, ossl::PkeyPtr key,
                                           std::string_view server_dns_name)
    : config_(std::move(config)), certificate_(std::move(certificate)), issuers_(std::move(issuers)),
      signer_(std::make_unique<Signer>()) {
    auto shared = std::make_shared<ossl::PkeyPtr>(std::move(key));
    signer_->load = [shared] { return std::move(*shared); };
    init(server_dns_name);
    load_key();  // a key handed over is checked at once
}

CertificateAuthority::CertificateAuthority(CaConfig config, ossl::X509Ptr certificate,
                                           std::vector<ossl::X509Ptr> issuers, KeyLoader load,
                                           std::string_view server_dns_name)
    : config_(std::move(config)), certificate_(std::move(certificate)), issuers_(std::move(issuers)),
      signer_(std::make_unique<Signer>()) {
    signer_->load = std::move(load);
    init(server_dns_name);
}

CertificateAuthority::CertificateAuthority(CertificateAuthority&&) noexcept = default;
CertificateAuthority& CertificateAuthority::operator=(CertificateAuthority&&) noexcept = default;
CertificateAuthority::~CertificateAuthority() = default;

void CertificateAuthority::init(std::string_view server_dns_name) {
    const std::string where = "CA " + config_.name;
    check_is_ca(config_, certificate_.get());
    const X509* child = certificate_.get();
    for (const auto& issuer : issuers_) {
        if (X509_check_issued(issuer.get(), const_cast<X509*>(child)) != X509_V_OK)
            throw InputError(where, "chain", "the chain is broken: a certificate is not issued by the next one");
        child = issuer.get();
    }
    if (X509_check_issued(const_cast<X509*>(child), const_cast<X509*>(child)) != X509_V_OK)
        throw InputError(where, "chain", "the chain does not end at a self-signed root");

    key_id_ = key_identifier(X509_get_X509_PUBKEY(certificate_.get()));

    urls_ = expand_published_urls(config_, server_dns_name);
}

PublishedUrls expand_published_urls(const CaConfig& config, std::string_view server_dns_name) {
    const std::string where = "CA " + config.name;
    const UrlTokenValues values{std::string(server_dns_name), config.name, 0, false};
    PublishedUrls urls;
    urls.cdp = expand_all(config.cdp_urls, values, false, where + " cdp");
    // A location whose pattern has no <DeltaCRLAllowed> holds the base CRL only: its delta
    // would have the same name.
    if (config.crl.deltas()) {
        const auto deltas = expand_all(config.cdp_urls, values, true, where + " cdp");
        for (size_t i = 0; i < deltas.size(); ++i)
            if (deltas[i] != urls.cdp[i]) urls.freshest_crl.push_back(deltas[i]);
    }
    urls.aia = expand_all(config.aia_urls, values, false, where + " aia");
    urls.ocsp = expand_all(config.ocsp_urls, values, false, where + " ocsp");
    return urls;
}

const CertificateAuthority::Signer& CertificateAuthority::signer() const {
    Signer& s = *signer_;
    std::call_once(s.once, [&] {
        ossl::PkeyPtr key = s.load();
        if (!key) throw InternalError("CA " + config_.name + ": no private key was loaded");
        if (X509_check_private_key(certificate_.get(), key.get()) != 1) {
            ossl::drain_errors();
            throw InputError("CA " + config_.name, "key", "the private key does not match the CA certificate",
                             "restore the key file that belongs to this CA's certificate");
        }
        // Learn the exact AlgorithmIdentifier by signing a throwaway copy once: OpenSSL offers
        // no other public way to compute it, PSS parameters included.
        ossl::X509Ptr probe(ossl::check(X509_dup(certificate_.get()), "X509_dup"));
        sign_certificate(probe.get(), key.get(), config_.signature);
        s.algorithm.reset(ossl::check(X509_ALGOR_dup(X509_get0_tbs_sigalg(probe.get())), "X509_ALGOR_dup"));
        s.key = std::move(key);
    });
    return s;
}

void CertificateAuthority::load_key() const { (void)signer(); }

const X509_ALGOR* CertificateAuthority::signature_algorithm() const { return signer().algorithm.get(); }

bool CertificateAuthority::publishes(std::string_view template_name) const {
    return std::find(config_.templates.begin(), config_.templates.end(), template_name) != config_.templates.end();
}

void CertificateAuthority::sign(X509* cert) const { sign_certificate(cert, signer().key.get(), config_.signature); }

Bytes CertificateAuthority::sign_message(ByteView tbs) const {
    return pkilab::sign_message(tbs, signer().key.get(), config_.signature);
}

void CertificateAuthority::sign_ocsp_response(OCSP_BASICRESP* response, unsigned long flags) const {
    pkilab::sign_ocsp_response(response, certificate_.get(), signer().key.get(), config_.signature, nullptr, flags);
}

}  // namespace pkilab
