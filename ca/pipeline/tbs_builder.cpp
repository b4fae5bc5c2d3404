#include "ca/pipeline/tbs_builder.hpp"

#include <algorithm>

#include "ca/ossl/error.hpp"
#include "ca/text.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/extensions.hpp"
#include "ca/x509/name.hpp"

namespace pkilab {

namespace {

Finding note(std::string code, std::string field, std::string message) {
    return Finding{"template", std::move(code), Severity::Info, std::move(field), std::move(message), {}};
}

// Copies the request's SubjectPublicKeyInfo as-is. X509_set_pubkey would decode and
// re-encode the key through a provider, which costs more than the signature itself for
// P-256 (shared/peers.md: +70% issuance rate); the bytes are the ones the CSR proved.
void copy_public_key(X509* cert, const X509_REQ* req) {
    const X509_PUBKEY* src = X509_REQ_get_X509_PUBKEY(const_cast<X509_REQ*>(req));
    ASN1_OBJECT* alg = nullptr;
    const unsigned char* key_bytes = nullptr;
    int key_len = 0;
    X509_ALGOR* algor = nullptr;
    ossl::check(X509_PUBKEY_get0_param(&alg, &key_bytes, &key_len, &algor, src), "X509_PUBKEY_get0_param");
    const ASN1_OBJECT* alg_obj = nullptr;
    int param_type = V_ASN1_UNDEF;
    const void* param = nullptr;
    X509_ALGOR_get0(&alg_obj, &param_type, &param, algor);

    ossl::Asn1ObjectPtr alg_copy(ossl::check(OBJ_dup(alg_obj), "OBJ_dup"));
    void* param_copy = nullptr;
    if (param_type == V_ASN1_OBJECT) {
        param_copy = ossl::check(OBJ_dup(static_cast<const ASN1_OBJECT*>(param)), "OBJ_dup");
    } else if (param_type != V_ASN1_UNDEF && param_type != V_ASN1_NULL) {
        param_copy = ossl::check(ASN1_STRING_dup(static_cast<const ASN1_STRING*>(param)), "ASN1_STRING_dup");
    }
    auto* key_copy = static_cast<unsigned char*>(ossl::check(OPENSSL_memdup(key_bytes, static_cast<size_t>(key_len)), "OPENSSL_memdup"));
    if (X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert), alg_copy.get(), param_type, param_copy, key_copy, key_len) != 1) {
        if (param_type == V_ASN1_OBJECT) ASN1_OBJECT_free(static_cast<ASN1_OBJECT*>(param_copy));
        else if (param_copy != nullptr) ASN1_STRING_free(static_cast<ASN1_STRING*>(param_copy));
        OPENSSL_free(key_copy);
        ossl::throw_error("X509_PUBKEY_set0_param");
    }
    (void)alg_copy.release();
}

void add(X509* cert, ossl::X509ExtensionPtr ext) {
    ossl::check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

const RequestedExtension* requested(const ParsedCsr& csr, std::string_view oid) {
    auto it = std::find_if(csr.extensions.begin(), csr.extensions.end(),
                           [&](const RequestedExtension& e) { return e.oid == oid; });
    return it == csr.extensions.end() ? nullptr : &*it;
}

constexpr std::string_view kOidKeyUsage = "2.5.29.15";

bool key_can(const KeyInfo& key, std::string_view usage) {
    auto is = [&](std::string_view name) { return iequals(usage, name); };
    // RFC 8813/5480 (ECDSA) and RFC 8410 (Ed25519) keys cannot encipher; RFC 3279 2.3.1 RSA
    // keys cannot agree on keys; RFC 4055 RSASSA-PSS keys and Ed25519 do neither.
    if (is("keyEncipherment") || is("dataEncipherment")) return key.algorithm == KeyAlgorithm::Rsa && !key.rsa_pss;
    if (is("keyAgreement") || is("encipherOnly") || is("decipherOnly")) return key.algorithm == KeyAlgorithm::Ec;
    return true;
}

// A template's key usage describes what the certificate is for; AD CS's Web Server lists
// keyEncipherment because it dates from RSA key transport. The same template serves ECDSA
// keys (as AD CS and step-ca do), so usages the key cannot perform are left out with a note.
// When none would remain, the template's list stays and lint refuses it with the reason.
std::vector<std::string> usages_for_key(const CertificateTemplate& tmpl, const KeyInfo& key, Findings& notes) {
    std::vector<std::string> kept;
    std::vector<std::string> dropped;
    for (const auto& u : tmpl.key_usage) (key_can(key, u) ? kept : dropped).push_back(u);
    if (kept.empty()) return tmpl.key_usage;
    for (const auto& u : dropped)
        notes.push_back(note("template.key_usage.not_for_key", "extensions.keyUsage",
                             u + " from template " + tmpl.name + " was left out: " + key.description +
                                 " keys cannot perform it"));
    return kept;
}
constexpr std::string_view kOidExtKeyUsage = "2.5.29.37";
constexpr std::string_view kOidPolicies = "2.5.29.32";

void set_validity(X509* cert, const CertificateAuthority& ca, const CertificateTemplate& tmpl, Time now,
                  Findings& notes) {
    Time not_before = now - tmpl.backdate;
    Time not_after = now + tmpl.validity;
    const Time ca_not_before = from_asn1_time(X509_get0_notBefore(ca.certificate()));
    const Time ca_not_after = from_asn1_time(X509_get0_notAfter(ca.certificate()));
    // Like AD CS, a certificate never outlives its issuer: shorten it and say so.
    if (not_after > ca_not_after) {
        not_after = ca_not_after;
        notes.push_back(note("template.validity.clamped", "validity",
                             "validity shortened to end with CA " + ca.name() + " at " + format_time(ca_not_after)));
    }
    if (not_before < ca_not_before) not_before = ca_not_before;
    ossl::check(X509_set1_notBefore(cert, to_asn1_time(not_before).get()), "X509_set1_notBefore");
    ossl::check(X509_set1_notAfter(cert, to_asn1_time(not_after).get()), "X509_set1_notAfter");
}

void add_usage_extensions(X509* cert, const CertificateTemplate& tmpl, const ParsedCsr& csr, Findings& notes) {
    // Enrollee-supplied usages and policies only where the template allows it (off by
    // default: letting requesters choose their own EKU is how ESC1-style abuse starts).
    auto from_request = [&](std::string_view oid) -> const RequestedExtension* {
        const RequestedExtension* e = requested(csr, oid);
        if (e != nullptr && !tmpl.allow_csr_extensions) {
            notes.push_back(note("template.csr_extension.ignored", "extensions." + e->name,
                                 "the request's " + e->name + " was ignored: template " + tmpl.name +
                                     " decides it"));
            return nullptr;
        }
        return e;
    };
    if (tmpl.is_ca || tmpl.basic_constraints_on_end_entity)
        add(cert, make_basic_constraints(tmpl.is_ca, tmpl.path_length));
    if (const auto* ku = from_request(kOidKeyUsage))
        add(cert, make_raw_extension(ku->oid, ku->value, true));
    else if (!tmpl.key_usage.empty())
        add(cert, make_key_usage(usages_for_key(tmpl, csr.key, notes), tmpl.key_usage_critical));
    if (const auto* eku = from_request(kOidExtKeyUsage))
        add(cert, make_raw_extension(eku->oid, eku->value, eku->critical));
    else if (!tmpl.extended_key_usage.empty())
        add(cert, make_extended_key_usage(tmpl.extended_key_usage, tmpl.extended_key_usage_critical));
    if (const auto* pol = from_request(kOidPolicies))
        add(cert, make_raw_extension(pol->oid, pol->value, pol->critical));
    else if (!tmpl.certificate_policies.empty())
        add(cert, make_certificate_policies(tmpl.certificate_policies));
    if (!tmpl.application_policies.empty())
        add(cert, make_ms_application_policies(tmpl.application_policies));
}

void add_location_extensions(X509* cert, const CertificateAuthority& ca, const CertificateTemplate& tmpl) {
    const PublishedUrls& urls = ca.urls();
    if (tmpl.include_cdp && !urls.cdp.empty()) add(cert, make_crl_distribution_points(urls.cdp));
    if (tmpl.include_freshest_crl && !urls.freshest_crl.empty()) add(cert, make_freshest_crl(urls.freshest_crl));
    const std::vector<std::string> no_urls;
    const auto& aia = tmpl.include_aia ? urls.aia : no_urls;
    const auto& ocsp = tmpl.include_ocsp ? urls.ocsp : no_urls;
    if (!aia.empty() || !ocsp.empty()) add(cert, make_authority_info_access(aia, ocsp));
}

}  // namespace

TbsCertificate build_tbs(const CertificateAuthority& ca, const CertificateTemplate& tmpl, const ParsedCsr& csr,
                         const ASN1_INTEGER* serial, Time now) {
    TbsCertificate out;
    out.cert.reset(ossl::check(X509_new(), "X509_new"));
    X509* cert = out.cert.get();
    ossl::check(X509_set_version(cert, X509_VERSION_3), "X509_set_version");
    ossl::check(X509_set_serialNumber(cert, const_cast<ASN1_INTEGER*>(serial)), "X509_set_serialNumber");
    ossl::check(X509_set_issuer_name(cert, X509_get_subject_name(ca.certificate())), "X509_set_issuer_name");

    ossl::X509NamePtr template_subject;
    const X509_NAME* subject = X509_REQ_get_subject_name(csr.req.get());
    if (tmpl.subject_source == SubjectSource::Template) {
        template_subject = parse_dn(tmpl.subject, "template " + tmpl.name, "subject");
        subject = template_subject.get();
    }
    ossl::check(X509_set_subject_name(cert, subject), "X509_set_subject_name");
    set_validity(cert, ca, tmpl, now, out.notes);
    copy_public_key(cert, csr.req.get());

    add_usage_extensions(cert, tmpl, csr, out.notes);
    add(cert, make_subject_key_identifier(key_identifier(X509_get_X509_PUBKEY(cert))));
    add(cert, make_authority_key_identifier(ca.key_id()));
    if (tmpl.san_from_request_extension && !csr.sans.empty())
        add(cert, make_subject_alt_name(csr.sans, X509_NAME_entry_count(subject) == 0));
    add_location_extensions(cert, ca, tmpl);
    if (!tmpl.ms_template_name.empty()) add(cert, make_ms_template_name(tmpl.ms_template_name));
    if (tmpl.ms_template_v2)
        add(cert, make_ms_template_v2(tmpl.ms_template_v2->oid, tmpl.ms_template_v2->major, tmpl.ms_template_v2->minor));
    if (tmpl.ocsp_no_check) add(cert, make_ocsp_nocheck());
    for (const auto& custom : tmpl.custom_extensions)
        add(cert, make_raw_extension(custom.oid, custom.value, custom.critical));
    return out;
}

Bytes tbs_der(X509* cert, const CertificateAuthority& ca) {
    // X509 has no setter for the TBS signature field; it is filled here (on our own,
    // not-yet-signed object) with the exact value signing will write.
    auto* tbs_alg = const_cast<X509_ALGOR*>(X509_get0_tbs_sigalg(cert));
    ossl::check(X509_ALGOR_copy(tbs_alg, ca.signature_algorithm()), "X509_ALGOR_copy");
    unsigned char* der = nullptr;
    int len = i2d_re_X509_tbs(cert, &der);
    if (len <= 0) ossl::throw_error("i2d_re_X509_tbs");
    ossl::OsslBytesPtr owned(der);
    return Bytes(der, der + len);
}

}  // namespace pkilab
