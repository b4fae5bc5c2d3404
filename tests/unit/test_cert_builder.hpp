#pragma once
// Test helper: builds certificates from plain data, with a hook to break them on purpose.
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ca/bytes.hpp"
#include "ca/clock.hpp"
#include "ca/ossl/ptr.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/name.hpp"
#include "ca/x509/signature.hpp"

namespace pkilab::test {

struct CertSpec {
    std::string subject = "CN=www.lab.test";
    std::string issuer;  // empty: same as subject
    Bytes serial = {0x01};
    bool negative_serial = false;
    Time not_before = parse_time("2026-01-01T00:00:00Z");
    Time not_after = parse_time("2027-01-01T00:00:00Z");
    long version = X509_VERSION_3;
    const EVP_PKEY* key = nullptr;     // the certificate's key
    EVP_PKEY* signer = nullptr;        // defaults to `key` (self-signed)
    std::vector<ossl::X509ExtensionPtr> extensions;
    std::function<void(X509*)> tweak;  // runs after everything else, before signing
};

inline void must(int rc, const char* what) {
    if (rc <= 0) throw std::runtime_error(std::string("test cert builder: ") + what);
}

inline ossl::X509Ptr build_cert(CertSpec& spec) {
    ossl::X509Ptr cert(X509_new());
    must(X509_set_version(cert.get(), spec.version), "version");
    ossl::BignumPtr bn(BN_bin2bn(spec.serial.data(), static_cast<int>(spec.serial.size()), nullptr));
    BN_set_negative(bn.get(), spec.negative_serial ? 1 : 0);
    ossl::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    must(X509_set_serialNumber(cert.get(), serial.get()), "serial");
    auto subject = parse_dn(spec.subject);
    auto issuer = parse_dn(spec.issuer.empty() ? spec.subject : spec.issuer);
    must(X509_set_subject_name(cert.get(), subject.get()), "subject");
    must(X509_set_issuer_name(cert.get(), issuer.get()), "issuer");
    must(X509_set1_notBefore(cert.get(), to_asn1_time(spec.not_before).get()), "notBefore");
    must(X509_set1_notAfter(cert.get(), to_asn1_time(spec.not_after).get()), "notAfter");
    must(X509_set_pubkey(cert.get(), const_cast<EVP_PKEY*>(spec.key)), "pubkey");
    for (auto& ext : spec.extensions) must(X509_add_ext(cert.get(), ext.get(), -1), "extension");
    if (spec.tweak) spec.tweak(cert.get());
    sign_certificate(cert.get(), spec.signer != nullptr ? spec.signer : const_cast<EVP_PKEY*>(spec.key),
                     SignatureSpec{});
    return cert;
}

}  // namespace pkilab::test
