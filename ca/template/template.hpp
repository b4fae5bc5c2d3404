#pragma once
// A certificate template: everything the CA decides about a certificate that is not the
// requester's to decide. Modelled on AD CS templates and Dogtag/EJBCA profiles.
#include <optional>
#include <string>
#include <vector>

#include "ca/bytes.hpp"
#include "ca/clock.hpp"
#include "ca/keys/key.hpp"
#include "ca/x509/extensions.hpp"
#include "ca/x509/general_name.hpp"

namespace pkilab {

enum class SubjectSource {
    Request,   // the subject DN comes from the CSR (AD CS "Supply in the request")
    Template,  // the template's fixed DN replaces whatever the CSR says
};

// Which names of one type may appear in the SAN, and which must.
struct SanRule {
    NameType type = NameType::Dns;
    bool required = false;              // at least one name of this type
    std::vector<std::string> patterns;  // glob patterns ("*.lab.test", "10.0.0.*"); empty = any
    size_t max = 0;                     // 0 = no per-type limit
};

struct KeyPolicy {
    int rsa_min_bits = 2048;            // 0 = RSA not allowed
    bool allow_rsa_1024 = false;        // legacy simulation only; needed for rsa_min_bits < 2048
    std::vector<std::string> ec_curves{"P-256", "P-384", "P-521"};  // empty = EC not allowed
    bool allow_ed25519 = false;
};

struct CustomExtension {
    std::string oid;
    Bytes value;  // DER of the extension value
    bool critical = false;
};

struct MsTemplateV2 {
    std::string oid;
    int major = 100;
    int minor = 0;
};

struct CertificateTemplate {
    std::string name;          // identifier used everywhere ("WebServer")
    std::string display_name;  // "Web Server"
    std::string description;
    int major_version = 1;
    int minor_version = 0;

    SubjectSource subject_source = SubjectSource::Request;
    std::string subject;                               // fixed DN when subject_source == Template
    std::vector<std::string> required_subject_attributes;  // e.g. {"CN"}; names as parse_dn takes them

    std::vector<SanRule> san_rules;  // a name type with no rule is refused; empty = no SAN at all
    size_t max_sans = 100;
    bool san_from_request_extension = true;  // read SANs from the CSR's subjectAltName request

    KeyPolicy keys;

    std::vector<std::string> key_usage;  // names, see make_key_usage
    bool key_usage_critical = true;
    std::vector<std::string> extended_key_usage;  // names or OIDs
    bool extended_key_usage_critical = false;
    std::vector<std::string> application_policies;  // Microsoft; names or OIDs
    bool is_ca = false;
    std::optional<int> path_length;
    bool basic_constraints_on_end_entity = false;  // write CA:FALSE explicitly
    std::vector<PolicyInfo> certificate_policies;

    Duration validity = std::chrono::days{365};
    Duration backdate = std::chrono::hours{1};

    bool include_cdp = true;
    bool include_aia = true;
    bool include_ocsp = true;
    bool include_freshest_crl = false;
    bool ocsp_no_check = false;

    std::vector<CustomExtension> custom_extensions;
    std::string ms_template_name;               // 1.3.6.1.4.1.311.20.2 when non-empty
    std::optional<MsTemplateV2> ms_template_v2;  // 1.3.6.1.4.1.311.21.7 when set

    bool pend_all_requests = false;      // AD CS "CA certificate manager approval"
    bool allow_csr_extensions = false;   // copy enrollee-supplied EKU/KU/policies from the CSR

    std::vector<std::string> policy;     // plugin instances this template's requests go through (after the CA's)

    // Who may enroll for it on the web (AD CS's Enroll permission): role names (enrollee,
    // officer, auditor, admin) or user names. Empty: enrollee, officer and admin.
    std::vector<std::string> enroll;

    bool allow_server_keygen = false;    // server-side key generation to PKCS#12 (exportable key)
    KeySpec server_keygen_key{KeyAlgorithm::Ec, 0, "P-256"};

    std::string version_string() const {
        return std::to_string(major_version) + "." + std::to_string(minor_version);
    }
};

}  // namespace pkilab
