#pragma once
// A certificate described as plain data, for display, search, lint and tests.
#include <optional>
#include <string>
#include <vector>

#include "ca/clock.hpp"
#include "ca/keys/key.hpp"
#include "ca/ossl/ptr.hpp"
#include "ca/x509/general_name.hpp"

namespace pkilab {

struct ExtensionInfo {
    std::string oid;
    std::string name;  // OpenSSL short name or the OID
    bool critical = false;
};

struct CertificateInfo {
    std::string serial;  // lower-case hex, no leading zero octets except to keep it positive
    std::string subject;
    std::string issuer;
    Time not_before{};
    Time not_after{};
    int version = 3;
    std::vector<GeneralName> sans;
    std::vector<std::string> key_usage;           // OpenSSL names, e.g. "digitalSignature"
    std::vector<std::string> extended_key_usage;  // dotted OIDs
    std::optional<bool> is_ca;                    // absent when no basicConstraints
    std::optional<int> path_length;
    std::vector<std::string> crl_urls;
    std::vector<std::string> freshest_crl_urls;
    std::vector<std::string> ca_issuer_urls;
    std::vector<std::string> ocsp_urls;
    std::vector<std::string> policies;            // dotted OIDs
    std::string subject_key_id;                   // hex
    std::string authority_key_id;                 // hex
    std::string ms_template;                      // "WebServer" or "1.3.6.1.4.1.311.21.8.x v100.4"
    KeyInfo key;
    std::string signature_algorithm;
    std::string sha256_fingerprint;               // hex
    std::vector<ExtensionInfo> extensions;
};

CertificateInfo describe_certificate(const X509* cert);

// ASN1_TIME to Time and back (UTCTime until 2049, GeneralizedTime from 2050 per RFC 5280).
Time from_asn1_time(const ASN1_TIME* t);
ossl::Asn1TimePtr to_asn1_time(Time t);

// Serial numbers: lower-case hex of the positive INTEGER, and back.
std::string serial_to_hex(const ASN1_INTEGER* serial);

}  // namespace pkilab
