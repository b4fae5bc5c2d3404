#pragma once
// Building the X.509 extensions a CA writes, each from plain data, through OpenSSL's own
// ASN.1 types (never hand-written DER). Each function throws InputError naming `where` for
// bad values (an unknown key usage name, a malformed OID) and InternalError on failure.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ca/bytes.hpp"
#include "ca/ossl/ptr.hpp"
#include "ca/x509/general_name.hpp"

namespace pkilab {

// RFC 5280 key usage names as OpenSSL spells them: digitalSignature, nonRepudiation
// (alias contentCommitment), keyEncipherment, dataEncipherment, keyAgreement, keyCertSign,
// cRLSign, encipherOnly, decipherOnly.
ossl::X509ExtensionPtr make_key_usage(const std::vector<std::string>& usages, bool critical,
                                      std::string_view where = "key_usage");
// Validates names without building (lab validate). Throws InputError.
void check_key_usage_names(const std::vector<std::string>& usages, std::string_view where);

// Maps an EKU name to its OID, or returns the argument if it is already a dotted OID.
// Names: serverAuth, clientAuth, codeSigning, emailProtection, timeStamping, OCSPSigning,
// ipsecIKE, anyExtendedKeyUsage, smartcardLogon (1.3.6.1.4.1.311.20.2.2), kdcAuth
// (1.3.6.1.5.2.3.5), pkinitClientAuth (1.3.6.1.5.2.3.4), documentSigning (1.3.6.1.5.5.7.3.36),
// efs (1.3.6.1.4.1.311.10.3.4), efsRecovery (1.3.6.1.4.1.311.10.3.4.1),
// certificateRequestAgent (1.3.6.1.4.1.311.20.2.1). Throws InputError for anything else.
std::string resolve_eku(std::string_view name_or_oid, std::string_view where);
ossl::X509ExtensionPtr make_extended_key_usage(const std::vector<std::string>& names_or_oids,
                                               bool critical, std::string_view where = "extended_key_usage");
// Microsoft Application Policies (1.3.6.1.4.1.311.21.10): SEQUENCE OF PolicyInformation,
// one per EKU OID; Windows reads it in preference to EKU when present.
ossl::X509ExtensionPtr make_ms_application_policies(const std::vector<std::string>& names_or_oids,
                                                    std::string_view where = "application_policies");

ossl::X509ExtensionPtr make_basic_constraints(bool is_ca, std::optional<int> path_length);  // critical
ossl::X509ExtensionPtr make_subject_alt_name(const std::vector<GeneralName>& names, bool critical);
ossl::X509ExtensionPtr make_name_constraints(const std::vector<GeneralName>& permitted,
                                             const std::vector<GeneralName>& excluded);  // critical

// One DistributionPoint whose fullName lists every URL (the way AD CS writes it).
ossl::X509ExtensionPtr make_crl_distribution_points(const std::vector<std::string>& urls);
ossl::X509ExtensionPtr make_freshest_crl(const std::vector<std::string>& urls);
ossl::X509ExtensionPtr make_authority_info_access(const std::vector<std::string>& ca_issuer_urls,
                                                  const std::vector<std::string>& ocsp_urls);

struct PolicyInfo {
    std::string oid;
    std::string cps_uri;      // optional id-qt-cps qualifier
    std::string user_notice;  // optional explicitText (UTF8String)
};
ossl::X509ExtensionPtr make_certificate_policies(const std::vector<PolicyInfo>& policies,
                                                 std::string_view where = "certificate_policies");

// SHA-1 over the subjectPublicKey BIT STRING contents (RFC 5280 4.2.1.2 method 1).
Bytes key_identifier(const X509_PUBKEY* pubkey);
ossl::X509ExtensionPtr make_subject_key_identifier(ByteView key_id);
ossl::X509ExtensionPtr make_authority_key_identifier(ByteView issuer_key_id);

// Microsoft certificate template extensions.
// 1.3.6.1.4.1.311.20.2 (szOID_ENROLL_CERTTYPE_EXTENSION): the template name as a BMPString.
ossl::X509ExtensionPtr make_ms_template_name(std::string_view name);
// 1.3.6.1.4.1.311.21.7 (szOID_CERTIFICATE_TEMPLATE): SEQUENCE { templateID OID,
// templateMajorVersion INTEGER, templateMinorVersion INTEGER }.
ossl::X509ExtensionPtr make_ms_template_v2(std::string_view template_oid, int major, int minor,
                                           std::string_view where = "microsoft.template_oid");

// id-pkix-ocsp-nocheck (for OCSP signing certificates): NULL value, not critical.
ossl::X509ExtensionPtr make_ocsp_nocheck();

// An extension with a caller-supplied DER value. The value must be one complete DER element
// (checked by parsing it as ASN1_TYPE); throws InputError naming `where` otherwise.
ossl::X509ExtensionPtr make_raw_extension(std::string_view oid, ByteView der_value, bool critical,
                                          std::string_view where = "custom_extensions");

// Checks a dotted OID (at least two arcs, first arc 0..2). Throws InputError naming `where`.
void check_oid(std::string_view oid, std::string_view where);
std::string oid_to_string(const ASN1_OBJECT* obj);  // always dotted

}  // namespace pkilab
