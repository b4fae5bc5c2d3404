#include "ca/authority/ca_certificate.hpp"

#include <algorithm>

#include "ca/lint/lint.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/extensions.hpp"
#include "ca/x509/name.hpp"
#include "ca/x509/signature.hpp"

namespace pkilab {

namespace {

void add(X509* cert, ossl::X509ExtensionPtr ext) { ossl::check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext"); }

}  // namespace

CaCertificate make_ca_certificate(const CaConfig& config, EVP_PKEY* key, const CertificateAuthority* parent,
                                  Time now) {
    ossl::X509Ptr cert(ossl::check(X509_new(), "X509_new"));
    X509* c = cert.get();
    Serial serial = random_serial();
    ossl::check(X509_set_version(c, X509_VERSION_3), "X509_set_version");
    ossl::check(X509_set_serialNumber(c, serial.integer.get()), "X509_set_serialNumber");
    ossl::X509NamePtr subject = parse_dn(config.subject, "CA " + config.name, "subject");
    ossl::check(X509_set_subject_name(c, subject.get()), "X509_set_subject_name");
    ossl::check(X509_set_issuer_name(c, parent ? X509_get_subject_name(parent->certificate()) : subject.get()),
                "X509_set_issuer_name");

    // Backdated an hour so that a freshly made lab works on machines whose clocks differ a little.
    Time not_before = now - std::chrono::hours{1};
    Time not_after = now + config.validity;
    if (parent != nullptr) {
        not_before = std::max(not_before, from_asn1_time(X509_get0_notBefore(parent->certificate())));
        not_after = std::min(not_after, from_asn1_time(X509_get0_notAfter(parent->certificate())));
    }
    ossl::check(X509_set1_notBefore(c, to_asn1_time(not_before).get()), "X509_set1_notBefore");
    ossl::check(X509_set1_notAfter(c, to_asn1_time(not_after).get()), "X509_set1_notAfter");
    ossl::check(X509_set_pubkey(c, key), "X509_set_pubkey");

    add(c, make_basic_constraints(true, config.path_length));
    add(c, make_key_usage({"digitalSignature", "keyCertSign", "cRLSign"}, true));
    const Bytes key_id = key_identifier(X509_get_X509_PUBKEY(c));
    add(c, make_subject_key_identifier(key_id));
    add(c, make_authority_key_identifier(parent ? parent->key_id() : key_id));
    if (!config.permitted_names.empty() || !config.excluded_names.empty())
        add(c, make_name_constraints(config.permitted_names, config.excluded_names));
    if (parent != nullptr) {
        // A subordinate's revocation is published by its parent, at the parent's locations.
        const PublishedUrls& urls = parent->urls();
        if (!urls.cdp.empty()) add(c, make_crl_distribution_points(urls.cdp));
        if (!urls.aia.empty() || !urls.ocsp.empty()) add(c, make_authority_info_access(urls.aia, urls.ocsp));
        add(c, make_ms_template_name("SubCA"));
    }

    Findings lint = run_lint(LintContext{c, parent ? parent->certificate() : nullptr});
    if (has_errors(lint)) {
        std::string msg = "the certificate for CA " + config.name + " fails lint:";
        for (const auto& f : lint)
            if (f.severity == Severity::Error) msg += " [" + f.code + "] " + f.message + ";";
        throw InternalError(msg);
    }
    if (parent != nullptr) parent->sign(c);
    else sign_certificate(c, key, config.signature);
    return CaCertificate{std::move(cert), serial.hex};
}

}  // namespace pkilab
