#include "ca/x509/extensions.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <set>
#include <string>

#include <openssl/asn1t.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/extension_tables.hpp"

// The Microsoft template (v2) extension has no OpenSSL type; an ASN1_ITEM template lets OpenSSL
// do the encoding and decoding (MS-WCCE 2.2.2.7.7.2):
//   CertificateTemplateOID ::= SEQUENCE { templateID OBJECT IDENTIFIER,
//       templateMajorVersion INTEGER OPTIONAL, templateMinorVersion INTEGER OPTIONAL }
namespace {
struct MS_TEMPLATE_V2 {
    ASN1_OBJECT* template_id;
    ASN1_INTEGER* major;
    ASN1_INTEGER* minor;
};
}  // namespace

ASN1_SEQUENCE(MS_TEMPLATE_V2) = {
    ASN1_SIMPLE(MS_TEMPLATE_V2, template_id, ASN1_OBJECT),
    ASN1_OPT(MS_TEMPLATE_V2, major, ASN1_INTEGER),
    ASN1_OPT(MS_TEMPLATE_V2, minor, ASN1_INTEGER),
} static_ASN1_SEQUENCE_END(MS_TEMPLATE_V2)

namespace pkilab {

namespace {

void free_ms_template(MS_TEMPLATE_V2* p) {
    ASN1_item_free(reinterpret_cast<ASN1_VALUE*>(p), ASN1_ITEM_rptr(MS_TEMPLATE_V2));
}
void free_policies(CERTIFICATEPOLICIES* p) { sk_POLICYINFO_pop_free(p, POLICYINFO_free); }
void free_crl_dps(CRL_DIST_POINTS* p) { sk_DIST_POINT_pop_free(p, DIST_POINT_free); }
void free_aia(AUTHORITY_INFO_ACCESS* p) { sk_ACCESS_DESCRIPTION_pop_free(p, ACCESS_DESCRIPTION_free); }
void free_qualifiers(STACK_OF(POLICYQUALINFO)* p) { sk_POLICYQUALINFO_pop_free(p, POLICYQUALINFO_free); }
void free_subtrees(STACK_OF(GENERAL_SUBTREE)* p) { sk_GENERAL_SUBTREE_pop_free(p, GENERAL_SUBTREE_free); }

using MsTemplatePtr = ossl::Ptr<MS_TEMPLATE_V2, free_ms_template>;
using PoliciesPtr = ossl::Ptr<CERTIFICATEPOLICIES, free_policies>;
using PolicyInfoPtr = ossl::Ptr<POLICYINFO, POLICYINFO_free>;
using QualifiersPtr = ossl::Ptr<STACK_OF(POLICYQUALINFO), free_qualifiers>;
using QualifierPtr = ossl::Ptr<POLICYQUALINFO, POLICYQUALINFO_free>;
using UserNoticePtr = ossl::Ptr<USERNOTICE, USERNOTICE_free>;
using CrlDpsPtr = ossl::Ptr<CRL_DIST_POINTS, free_crl_dps>;
using DistPointPtr = ossl::Ptr<DIST_POINT, DIST_POINT_free>;
using DistPointNamePtr = ossl::Ptr<DIST_POINT_NAME, DIST_POINT_NAME_free>;
using AiaPtr = ossl::Ptr<AUTHORITY_INFO_ACCESS, free_aia>;
using AccessDescriptionPtr = ossl::Ptr<ACCESS_DESCRIPTION, ACCESS_DESCRIPTION_free>;
using NameConstraintsPtr = ossl::Ptr<NAME_CONSTRAINTS, NAME_CONSTRAINTS_free>;
using SubtreesPtr = ossl::Ptr<STACK_OF(GENERAL_SUBTREE), free_subtrees>;
using SubtreePtr = ossl::Ptr<GENERAL_SUBTREE, GENERAL_SUBTREE_free>;
using BitStringPtr = ossl::Ptr<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using NullPtr = ossl::Ptr<ASN1_NULL, ASN1_NULL_free>;

[[noreturn]] void bad(std::string_view where, std::string problem, std::string hint = {}) {
    throw InputError(std::string(where), "", std::move(problem), std::move(hint));
}

ossl::X509ExtensionPtr encode(int nid, bool critical, void* value, std::string_view what) {
    ossl::X509ExtensionPtr ext(X509V3_EXT_i2d(nid, critical ? 1 : 0, value));
    if (!ext) ossl::throw_error(what);
    return ext;
}

// For extensions OpenSSL has no method for: wraps an already encoded value.
ossl::X509ExtensionPtr wrap_der(std::string_view oid, bool critical, ByteView der) {
    ossl::Asn1ObjectPtr obj(ossl::check(OBJ_txt2obj(std::string(oid).c_str(), 1), "OBJ_txt2obj"));
    ossl::Asn1OctetStringPtr value(ossl::check(ASN1_OCTET_STRING_new(), "ASN1_OCTET_STRING_new"));
    ossl::check(ASN1_OCTET_STRING_set(value.get(), der.data(), static_cast<int>(der.size())),
                "ASN1_OCTET_STRING_set");
    ossl::X509ExtensionPtr ext(
        X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), critical ? 1 : 0, value.get()));
    if (!ext) ossl::throw_error("X509_EXTENSION_create_by_OBJ");
    return ext;
}

template <class T>
Bytes to_der(const T* value, int (*i2d)(const T*, unsigned char**), std::string_view what) {
    unsigned char* raw = nullptr;
    int len = i2d(value, &raw);
    ossl::OsslBytesPtr owned(raw);
    if (len <= 0 || raw == nullptr) ossl::throw_error(what);
    return Bytes(raw, raw + len);
}

ossl::Asn1ObjectPtr make_object(std::string_view oid, std::string_view where) {
    check_oid(oid, where);
    return ossl::Asn1ObjectPtr(ossl::check(OBJ_txt2obj(std::string(oid).c_str(), 1), "OBJ_txt2obj"));
}

bool is_ascii_printable(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

ossl::Asn1StringPtr ia5_string(std::string_view value, std::string_view where) {
    if (value.empty()) bad(where, "empty value");
    if (!is_ascii_printable(value))
        bad(where, "'" + std::string(value) + "' contains a control or non-ASCII character",
            "IA5String values must be printable ASCII");
    ossl::Asn1StringPtr s(ossl::check(ASN1_IA5STRING_new(), "ASN1_IA5STRING_new"));
    ossl::check(ASN1_STRING_set(s.get(), value.data(), static_cast<int>(value.size())), "ASN1_STRING_set");
    return s;
}

ossl::GeneralNamePtr ia5_name(int type, std::string_view value, std::string_view where) {
    auto s = ia5_string(value, where);
    ossl::GeneralNamePtr gn(ossl::check(GENERAL_NAME_new(), "GENERAL_NAME_new"));
    GENERAL_NAME_set0_value(gn.get(), type, s.release());
    return gn;
}

ossl::GeneralNamePtr uri_name(const std::string& url, std::string_view where) {
    GeneralName n{NameType::Uri, url};
    validate_general_name(n, where);
    return to_openssl(n);
}

ossl::GeneralNamesPtr uri_names(const std::vector<std::string>& urls, std::string_view where) {
    ossl::GeneralNamesPtr names(ossl::check(GENERAL_NAMES_new(), "GENERAL_NAMES_new"));
    for (const auto& url : urls) {
        auto gn = uri_name(url, where);
        ossl::check(sk_GENERAL_NAME_push(names.get(), gn.get()), "sk_GENERAL_NAME_push");
        gn.release();
    }
    return names;
}

ossl::X509ExtensionPtr make_distribution_points(int nid, const std::vector<std::string>& urls,
                                                std::string_view where) {
    if (urls.empty()) bad(where, "no URL given", "list at least one URL or leave the extension out");
    auto names = uri_names(urls, where);
    DistPointNamePtr dp_name(ossl::check(DIST_POINT_NAME_new(), "DIST_POINT_NAME_new"));
    dp_name->type = 0;  // fullName
    dp_name->name.fullname = names.release();
    DistPointPtr dp(ossl::check(DIST_POINT_new(), "DIST_POINT_new"));
    dp->distpoint = dp_name.release();
    CrlDpsPtr dps(ossl::check(sk_DIST_POINT_new_null(), "sk_DIST_POINT_new_null"));
    ossl::check(sk_DIST_POINT_push(dps.get(), dp.get()), "sk_DIST_POINT_push");
    dp.release();
    return encode(nid, false, dps.get(), "X509V3_EXT_i2d(CRL distribution points)");
}

// An IP constraint is an address and a mask (RFC 5280 4.2.1.10): "10.0.0.0/8", "fd00::/16", or a
// single address (full mask).
ossl::GeneralNamePtr ip_subnet(std::string_view text, std::string_view where) {
    auto slash = text.find('/');
    std::string address(text.substr(0, slash));
    ossl::Asn1OctetStringPtr addr;
    {
        ossl::ErrorMark mark;
        addr.reset(a2i_IPADDRESS(address.c_str()));
    }
    if (!addr)
        bad(where, "'" + address + "' is not an IP address", "write 10.0.0.0/8 or fd00::/16");
    const int addr_len = ASN1_STRING_length(addr.get());
    const int max_prefix = addr_len * 8;
    int prefix = max_prefix;
    if (slash != std::string_view::npos) {
        auto digits = text.substr(slash + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || prefix < 0 ||
            prefix > max_prefix)
            bad(where, "'" + std::string(text) + "' has an invalid prefix length",
                "the prefix length is 0.." + std::to_string(max_prefix));
    }
    Bytes value(ASN1_STRING_get0_data(addr.get()), ASN1_STRING_get0_data(addr.get()) + addr_len);
    for (int i = 0; i < addr_len; ++i) {
        int bits = std::clamp(prefix - 8 * i, 0, 8);
        auto mask = static_cast<std::uint8_t>(0xff00 >> bits);
        if ((value[static_cast<size_t>(i)] & ~mask & 0xff) != 0)
            bad(where, "'" + std::string(text) + "' has host bits set beyond the prefix",
                "use the network address, e.g. 10.0.0.0/8");
        value.push_back(mask);
    }
    ossl::Asn1OctetStringPtr os(ossl::check(ASN1_OCTET_STRING_new(), "ASN1_OCTET_STRING_new"));
    ossl::check(ASN1_OCTET_STRING_set(os.get(), value.data(), static_cast<int>(value.size())),
                "ASN1_OCTET_STRING_set");
    ossl::GeneralNamePtr gn(ossl::check(GENERAL_NAME_new(), "GENERAL_NAME_new"));
    GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, os.release());
    return gn;
}

// Constraint bases differ from names: ".lab.test" and "lab.test" are domains, an email base may be
// a whole domain, an IP base carries a mask; so only dirName goes through to_openssl().
ossl::GeneralNamePtr constraint_base(const GeneralName& n, std::string_view where) {
    switch (n.type) {
        case NameType::Dns: return ia5_name(GEN_DNS, n.value, where);
        case NameType::Email: return ia5_name(GEN_EMAIL, n.value, where);
        case NameType::Uri: return ia5_name(GEN_URI, n.value, where);
        case NameType::Ip: return ip_subnet(n.value, where);
        case NameType::DirName: return to_openssl(n);
        case NameType::Upn:
        case NameType::Other: break;
    }
    bad(where, std::string("name constraints on ") + to_string(n.type) + " names are not supported",
        "constrain dns, email, uri, ip or dirname");
}

SubtreesPtr make_subtrees(const std::vector<GeneralName>& names, std::string_view where) {
    if (names.empty()) return nullptr;  // the field is OPTIONAL, absent rather than empty
    SubtreesPtr subtrees(ossl::check(sk_GENERAL_SUBTREE_new_null(), "sk_GENERAL_SUBTREE_new_null"));
    for (const auto& n : names) {
        auto base = constraint_base(n, where);
        SubtreePtr subtree(ossl::check(GENERAL_SUBTREE_new(), "GENERAL_SUBTREE_new"));
        GENERAL_NAME_free(subtree->base);
        subtree->base = base.release();
        ossl::check(sk_GENERAL_SUBTREE_push(subtrees.get(), subtree.get()), "sk_GENERAL_SUBTREE_push");
        subtree.release();
    }
    return subtrees;
}

ossl::Asn1StringPtr utf8_to(std::string_view text, unsigned long mask, std::string_view where,
                            std::string_view what) {
    ASN1_STRING* raw = nullptr;
    int rc = 0;
    {
        ossl::ErrorMark mark;
        rc = ASN1_mbstring_copy(&raw, reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()), MBSTRING_UTF8, mask);
    }
    ossl::Asn1StringPtr out(raw);
    if (rc < 0 || !out)
        bad(where, "the " + std::string(what) + " is not valid UTF-8 or has characters the encoding cannot hold");
    return out;
}

PoliciesPtr policy_stack() {
    return PoliciesPtr(ossl::check(sk_POLICYINFO_new_null(), "sk_POLICYINFO_new_null"));
}

void push_policy(CERTIFICATEPOLICIES* policies, PolicyInfoPtr info) {
    ossl::check(sk_POLICYINFO_push(policies, info.get()), "sk_POLICYINFO_push");
    info.release();
}

PolicyInfoPtr policy_with_oid(ossl::Asn1ObjectPtr oid) {
    PolicyInfoPtr info(ossl::check(POLICYINFO_new(), "POLICYINFO_new"));
    ASN1_OBJECT_free(info->policyid);
    info->policyid = oid.release();
    return info;
}

void add_qualifier(POLICYINFO* info, QualifierPtr q) {
    if (info->qualifiers == nullptr)
        info->qualifiers = ossl::check(sk_POLICYQUALINFO_new_null(), "sk_POLICYQUALINFO_new_null");
    ossl::check(sk_POLICYQUALINFO_push(info->qualifiers, q.get()), "sk_POLICYQUALINFO_push");
    q.release();
}

QualifierPtr qualifier(int nid) {
    QualifierPtr q(ossl::check(POLICYQUALINFO_new(), "POLICYQUALINFO_new"));
    ASN1_OBJECT_free(q->pqualid);
    q->pqualid = ossl::check(OBJ_nid2obj(nid), "OBJ_nid2obj");
    return q;
}

struct EkuName {
    std::string_view name;
    std::string_view oid;
};
constexpr EkuName kEkuNames[] = {
    {"serverAuth", "1.3.6.1.5.5.7.3.1"},
    {"clientAuth", "1.3.6.1.5.5.7.3.2"},
    {"codeSigning", "1.3.6.1.5.5.7.3.3"},
    {"emailProtection", "1.3.6.1.5.5.7.3.4"},
    {"timeStamping", "1.3.6.1.5.5.7.3.8"},
    {"OCSPSigning", "1.3.6.1.5.5.7.3.9"},
    {"ipsecIKE", "1.3.6.1.5.5.7.3.17"},
    {"documentSigning", "1.3.6.1.5.5.7.3.36"},
    {"anyExtendedKeyUsage", "2.5.29.37.0"},
    {"smartcardLogon", "1.3.6.1.4.1.311.20.2.2"},
    {"kdcAuth", "1.3.6.1.5.2.3.5"},
    {"pkinitClientAuth", "1.3.6.1.5.2.3.4"},
    {"efs", "1.3.6.1.4.1.311.10.3.4"},
    {"efsRecovery", "1.3.6.1.4.1.311.10.3.4.1"},
    {"certificateRequestAgent", "1.3.6.1.4.1.311.20.2.1"},
};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// Resolves and de-duplicates a list of EKU names into OIDs, in order.
std::vector<std::string> resolve_ekus(const std::vector<std::string>& names, std::string_view where) {
    if (names.empty())
        bad(where, "no extended key usage given", "list at least one usage or leave the extension out");
    std::vector<std::string> oids;
    for (const auto& n : names) {
        auto oid = resolve_eku(n, where);
        if (std::find(oids.begin(), oids.end(), oid) != oids.end())
            bad(where, "'" + n + "' (" + oid + ") is listed twice");
        oids.push_back(oid);
    }
    return oids;
}

}  // namespace

// ---- key usage ----

void check_key_usage_names(const std::vector<std::string>& usages, std::string_view where) {
    if (usages.empty())
        bad(where, "no key usage given", "RFC 5280 4.2.1.3 requires at least one bit; list one or leave it out");
    std::set<int> seen;
    for (const auto& u : usages) {
        auto it = std::find_if(std::begin(x509_detail::kKeyUsageBits), std::end(x509_detail::kKeyUsageBits),
                               [&](const auto& b) { return iequals(b.name, u); });
        if (it == std::end(x509_detail::kKeyUsageBits))
            bad(where, "unknown key usage '" + u + "'",
                "use digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, keyAgreement, "
                "keyCertSign, cRLSign, encipherOnly or decipherOnly");
        if (!seen.insert(it->bit).second) bad(where, "key usage '" + u + "' is listed twice");
    }
    if ((seen.count(7) != 0 || seen.count(8) != 0) && seen.count(4) == 0)
        bad(where, "encipherOnly/decipherOnly without keyAgreement",
            "RFC 5280 4.2.1.3 gives them meaning only together with keyAgreement");
}

ossl::X509ExtensionPtr make_key_usage(const std::vector<std::string>& usages, bool critical,
                                      std::string_view where) {
    check_key_usage_names(usages, where);
    BitStringPtr bits(ossl::check(ASN1_BIT_STRING_new(), "ASN1_BIT_STRING_new"));
    for (const auto& u : usages) {
        for (const auto& b : x509_detail::kKeyUsageBits)
            if (iequals(b.name, u)) ossl::check(ASN1_BIT_STRING_set_bit(bits.get(), b.bit, 1), "ASN1_BIT_STRING_set_bit");
    }
    return encode(NID_key_usage, critical, bits.get(), "X509V3_EXT_i2d(keyUsage)");
}

// ---- extended key usage, application policies ----

std::string resolve_eku(std::string_view name_or_oid, std::string_view where) {
    for (const auto& e : kEkuNames)
        if (iequals(e.name, name_or_oid)) return std::string(e.oid);
    if (!name_or_oid.empty() && name_or_oid[0] >= '0' && name_or_oid[0] <= '9') {
        check_oid(name_or_oid, where);
        return std::string(name_or_oid);
    }
    bad(where, "unknown extended key usage '" + std::string(name_or_oid) + "'",
        "use a known name (serverAuth, clientAuth, codeSigning, emailProtection, timeStamping, "
        "OCSPSigning, smartcardLogon, ...) or a dotted OID");
}

ossl::X509ExtensionPtr make_extended_key_usage(const std::vector<std::string>& names_or_oids,
                                               bool critical, std::string_view where) {
    auto oids = resolve_ekus(names_or_oids, where);
    ossl::ExtKeyUsagePtr eku(ossl::check(sk_ASN1_OBJECT_new_null(), "sk_ASN1_OBJECT_new_null"));
    for (const auto& oid : oids) {
        auto obj = make_object(oid, where);
        ossl::check(sk_ASN1_OBJECT_push(eku.get(), obj.get()), "sk_ASN1_OBJECT_push");
        obj.release();
    }
    return encode(NID_ext_key_usage, critical, eku.get(), "X509V3_EXT_i2d(extendedKeyUsage)");
}

ossl::X509ExtensionPtr make_ms_application_policies(const std::vector<std::string>& names_or_oids,
                                                    std::string_view where) {
    // Same syntax as certificatePolicies: SEQUENCE OF PolicyInformation (identifier only).
    auto oids = resolve_ekus(names_or_oids, where);
    auto policies = policy_stack();
    for (const auto& oid : oids) push_policy(policies.get(), policy_with_oid(make_object(oid, where)));
    Bytes der = to_der<CERTIFICATEPOLICIES>(policies.get(), i2d_CERTIFICATEPOLICIES,
                                            "i2d_CERTIFICATEPOLICIES(application policies)");
    return wrap_der(x509_detail::kMsApplicationPoliciesOid, false, der);
}

// ---- basic constraints, names ----

ossl::X509ExtensionPtr make_basic_constraints(bool is_ca, std::optional<int> path_length) {
    if (path_length && !is_ca)
        bad("basic_constraints", "a path length is only allowed on a CA certificate",
            "remove path_length or make the certificate a CA");
    if (path_length && *path_length < 0)
        bad("basic_constraints", "path length " + std::to_string(*path_length) + " is negative");
    ossl::BasicConstraintsPtr bc(ossl::check(BASIC_CONSTRAINTS_new(), "BASIC_CONSTRAINTS_new"));
    bc->ca = is_ca ? 0xff : 0;
    if (path_length) {
        bc->pathlen = ossl::check(ASN1_INTEGER_new(), "ASN1_INTEGER_new");
        ossl::check(ASN1_INTEGER_set_int64(bc->pathlen, *path_length), "ASN1_INTEGER_set_int64");
    }
    return encode(NID_basic_constraints, true, bc.get(), "X509V3_EXT_i2d(basicConstraints)");
}

ossl::X509ExtensionPtr make_subject_alt_name(const std::vector<GeneralName>& names, bool critical) {
    if (names.empty())
        bad("subject_alt_name", "no names given", "RFC 5280 4.2.1.6: leave the extension out instead");
    ossl::GeneralNamesPtr gens(ossl::check(GENERAL_NAMES_new(), "GENERAL_NAMES_new"));
    for (const auto& n : names) {
        // An address with a prefix is a name-constraint range (RFC 5280 4.2.1.10), never a SAN.
        if (n.type == NameType::Ip && n.value.find('/') != std::string::npos)
            bad("subject_alt_name", "'ip:" + n.value + "' is an address range; a SAN names one address",
                "drop the /prefix");
        auto gn = to_openssl(n);
        ossl::check(sk_GENERAL_NAME_push(gens.get(), gn.get()), "sk_GENERAL_NAME_push");
        gn.release();
    }
    return encode(NID_subject_alt_name, critical, gens.get(), "X509V3_EXT_i2d(subjectAltName)");
}

ossl::X509ExtensionPtr make_name_constraints(const std::vector<GeneralName>& permitted,
                                             const std::vector<GeneralName>& excluded) {
    const std::string_view where = "name_constraints";
    if (permitted.empty() && excluded.empty())
        bad(where, "neither permitted nor excluded subtrees given",
            "RFC 5280 4.2.1.10: give at least one, or leave the extension out");
    NameConstraintsPtr nc(ossl::check(NAME_CONSTRAINTS_new(), "NAME_CONSTRAINTS_new"));
    nc->permittedSubtrees = make_subtrees(permitted, where).release();
    nc->excludedSubtrees = make_subtrees(excluded, where).release();
    return encode(NID_name_constraints, true, nc.get(), "X509V3_EXT_i2d(nameConstraints)");
}

// ---- distribution points and access ----

ossl::X509ExtensionPtr make_crl_distribution_points(const std::vector<std::string>& urls) {
    return make_distribution_points(NID_crl_distribution_points, urls, "crl_distribution_points");
}

ossl::X509ExtensionPtr make_freshest_crl(const std::vector<std::string>& urls) {
    return make_distribution_points(NID_freshest_crl, urls, "freshest_crl");
}

ossl::X509ExtensionPtr make_authority_info_access(const std::vector<std::string>& ca_issuer_urls,
                                                  const std::vector<std::string>& ocsp_urls) {
    const std::string_view where = "authority_info_access";
    if (ca_issuer_urls.empty() && ocsp_urls.empty())
        bad(where, "no URL given", "list a caIssuers or an OCSP URL, or leave the extension out");
    AiaPtr aia(ossl::check(sk_ACCESS_DESCRIPTION_new_null(), "sk_ACCESS_DESCRIPTION_new_null"));
    auto add = [&](int method_nid, const std::string& url) {
        auto location = uri_name(url, where);
        AccessDescriptionPtr ad(ossl::check(ACCESS_DESCRIPTION_new(), "ACCESS_DESCRIPTION_new"));
        ASN1_OBJECT_free(ad->method);
        ad->method = ossl::check(OBJ_nid2obj(method_nid), "OBJ_nid2obj");
        GENERAL_NAME_free(ad->location);
        ad->location = location.release();
        ossl::check(sk_ACCESS_DESCRIPTION_push(aia.get(), ad.get()), "sk_ACCESS_DESCRIPTION_push");
        ad.release();
    };
    // OCSP first: clients that stop at the first entry should find the faster check.
    for (const auto& url : ocsp_urls) add(NID_ad_OCSP, url);
    for (const auto& url : ca_issuer_urls) add(NID_ad_ca_issuers, url);
    return encode(NID_info_access, false, aia.get(), "X509V3_EXT_i2d(authorityInfoAccess)");
}

// ---- policies ----

ossl::X509ExtensionPtr make_certificate_policies(const std::vector<PolicyInfo>& policies,
                                                 std::string_view where) {
    if (policies.empty()) bad(where, "no policy given", "list at least one policy OID or leave it out");
    auto stack = policy_stack();
    std::set<std::string> seen;
    for (const auto& p : policies) {
        std::string oid = iequals(p.oid, "anyPolicy") ? std::string("2.5.29.32.0") : p.oid;
        if (!seen.insert(oid).second)
            bad(where, "policy " + oid + " is listed twice", "RFC 5280 4.2.1.4: each OID at most once");
        auto info = policy_with_oid(make_object(oid, where));
        if (!p.cps_uri.empty()) {
            auto q = qualifier(NID_id_qt_cps);
            q->d.cpsuri = ia5_string(p.cps_uri, where).release();
            add_qualifier(info.get(), std::move(q));
        }
        if (!p.user_notice.empty()) {
            auto text = utf8_to(p.user_notice, B_ASN1_UTF8STRING, where, "user notice");
            if (ASN1_STRING_length(text.get()) > 200)
                bad(where, "user notice is longer than 200 characters", "RFC 5280 4.2.1.4 limits explicitText to 200");
            UserNoticePtr notice(ossl::check(USERNOTICE_new(), "USERNOTICE_new"));
            notice->exptext = text.release();
            auto q = qualifier(NID_id_qt_unotice);
            q->d.usernotice = notice.release();
            add_qualifier(info.get(), std::move(q));
        }
        push_policy(stack.get(), std::move(info));
    }
    return encode(NID_certificate_policies, false, stack.get(), "X509V3_EXT_i2d(certificatePolicies)");
}

// ---- key identifiers ----

Bytes key_identifier(const X509_PUBKEY* pubkey) {
    if (pubkey == nullptr) throw InternalError("key_identifier: no public key");
    const unsigned char* key_bits = nullptr;
    int key_len = 0;
    ossl::check(X509_PUBKEY_get0_param(nullptr, &key_bits, &key_len, nullptr, pubkey), "X509_PUBKEY_get0_param");
    Bytes digest(EVP_MAX_MD_SIZE);
    unsigned int digest_len = 0;
    ossl::check(EVP_Digest(key_bits, static_cast<size_t>(key_len), digest.data(), &digest_len, EVP_sha1(), nullptr),
                "EVP_Digest(SHA-1)");
    digest.resize(digest_len);
    return digest;
}

ossl::X509ExtensionPtr make_subject_key_identifier(ByteView key_id) {
    if (key_id.empty()) bad("subject_key_identifier", "empty key identifier");
    ossl::Asn1OctetStringPtr os(ossl::check(ASN1_OCTET_STRING_new(), "ASN1_OCTET_STRING_new"));
    ossl::check(ASN1_OCTET_STRING_set(os.get(), key_id.data(), static_cast<int>(key_id.size())),
                "ASN1_OCTET_STRING_set");
    return encode(NID_subject_key_identifier, false, os.get(), "X509V3_EXT_i2d(subjectKeyIdentifier)");
}

ossl::X509ExtensionPtr make_authority_key_identifier(ByteView issuer_key_id) {
    if (issuer_key_id.empty()) bad("authority_key_identifier", "empty key identifier");
    ossl::AuthorityKeyIdPtr akid(ossl::check(AUTHORITY_KEYID_new(), "AUTHORITY_KEYID_new"));
    akid->keyid = ossl::check(ASN1_OCTET_STRING_new(), "ASN1_OCTET_STRING_new");
    ossl::check(ASN1_OCTET_STRING_set(akid->keyid, issuer_key_id.data(), static_cast<int>(issuer_key_id.size())),
                "ASN1_OCTET_STRING_set");
    return encode(NID_authority_key_identifier, false, akid.get(), "X509V3_EXT_i2d(authorityKeyIdentifier)");
}

// ---- Microsoft template extensions ----

ossl::X509ExtensionPtr make_ms_template_name(std::string_view name) {
    const std::string_view where = "microsoft.template_name";
    if (name.empty()) bad(where, "empty template name");
    auto bmp = utf8_to(name, B_ASN1_BMPSTRING, where, "template name");
    Bytes der = to_der<ASN1_BMPSTRING>(bmp.get(), i2d_ASN1_BMPSTRING, "i2d_ASN1_BMPSTRING");
    return wrap_der(x509_detail::kMsTemplateNameOid, false, der);
}

ossl::X509ExtensionPtr make_ms_template_v2(std::string_view template_oid, int major, int minor,
                                           std::string_view where) {
    if (major < 0 || minor < 0) bad(where, "template versions must not be negative");
    MsTemplatePtr value(reinterpret_cast<MS_TEMPLATE_V2*>(
        ossl::check(ASN1_item_new(ASN1_ITEM_rptr(MS_TEMPLATE_V2)), "ASN1_item_new")));
    ASN1_OBJECT_free(value->template_id);
    value->template_id = make_object(template_oid, where).release();
    value->major = ossl::check(ASN1_INTEGER_new(), "ASN1_INTEGER_new");
    ossl::check(ASN1_INTEGER_set_int64(value->major, major), "ASN1_INTEGER_set_int64");
    value->minor = ossl::check(ASN1_INTEGER_new(), "ASN1_INTEGER_new");
    ossl::check(ASN1_INTEGER_set_int64(value->minor, minor), "ASN1_INTEGER_set_int64");
    unsigned char* raw = nullptr;
    int len = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(value.get()), &raw, ASN1_ITEM_rptr(MS_TEMPLATE_V2));
    ossl::OsslBytesPtr owned(raw);
    if (len <= 0) ossl::throw_error("ASN1_item_i2d(certificate template)");
    return wrap_der(x509_detail::kMsTemplateV2Oid, false, ByteView(raw, static_cast<size_t>(len)));
}

// ---- others ----

ossl::X509ExtensionPtr make_ocsp_nocheck() {
    NullPtr null(ossl::check(ASN1_NULL_new(), "ASN1_NULL_new"));
    return encode(NID_id_pkix_OCSP_noCheck, false, null.get(), "X509V3_EXT_i2d(ocspNoCheck)");
}

ossl::X509ExtensionPtr make_raw_extension(std::string_view oid, ByteView der_value, bool critical,
                                          std::string_view where) {
    check_oid(oid, where);
    if (der_value.empty()) bad(where, "extension " + std::string(oid) + " has an empty value",
                               "give the DER of one ASN.1 element (hex)");
    const unsigned char* p = der_value.data();
    ossl::Asn1TypePtr parsed;
    {
        ossl::ErrorMark mark;
        parsed.reset(d2i_ASN1_TYPE(nullptr, &p, static_cast<long>(der_value.size())));
    }
    if (!parsed)
        bad(where, "the value of extension " + std::string(oid) + " is not valid DER",
            "give the DER of exactly one ASN.1 element (hex)");
    if (p != der_value.data() + der_value.size())
        bad(where, "the value of extension " + std::string(oid) + " has " +
                       std::to_string(der_value.data() + der_value.size() - p) + " bytes after the first DER element",
            "give the DER of exactly one ASN.1 element (hex)");
    return wrap_der(oid, critical, der_value);
}

void check_oid(std::string_view oid, std::string_view where) {
    const std::string hint = "write a dotted OID such as 1.3.6.1.4.1.99999.1";
    auto fail = [&](const std::string& why) { bad(where, "'" + std::string(oid) + "' is not an OID: " + why, hint); };
    if (oid.empty()) fail("empty");
    if (oid.size() > 256) fail("longer than 256 characters");
    std::vector<std::string_view> arcs;
    size_t start = 0;
    while (true) {
        auto dot = oid.find('.', start);
        arcs.push_back(oid.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    if (arcs.size() < 2) fail("it needs at least two arcs");
    for (auto arc : arcs) {
        if (arc.empty()) fail("empty arc");
        if (!std::all_of(arc.begin(), arc.end(), [](char c) { return c >= '0' && c <= '9'; }))
            fail("arcs are decimal numbers");
        if (arc.size() > 1 && arc[0] == '0') fail("arc '" + std::string(arc) + "' has a leading zero");
        if (arc.size() > 39) fail("arc too large");
    }
    if (arcs[0].size() != 1 || arcs[0][0] > '2') fail("the first arc must be 0, 1 or 2");
    if (arcs[0][0] != '2' && (arcs[1].size() > 2 || std::stoi(std::string(arcs[1])) > 39))
        fail("under arc 0 or 1 the second arc must be 0..39");
    ossl::ErrorMark mark;
    ossl::Asn1ObjectPtr obj(OBJ_txt2obj(std::string(oid).c_str(), 1));
    if (!obj) fail("OpenSSL cannot encode it");
}

std::string oid_to_string(const ASN1_OBJECT* obj) {
    if (obj == nullptr) throw InternalError("oid_to_string: null object");
    std::array<char, 128> buf{};
    int needed = OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), obj, 1);
    if (needed < 0) ossl::throw_error("OBJ_obj2txt");
    if (static_cast<size_t>(needed) < buf.size()) return std::string(buf.data(), static_cast<size_t>(needed));
    std::string big(static_cast<size_t>(needed) + 1, '\0');
    OBJ_obj2txt(big.data(), static_cast<int>(big.size()), obj, 1);
    big.resize(static_cast<size_t>(needed));
    return big;
}

// ---- shared tables (extension_tables.hpp) ----

namespace x509_detail {

std::vector<std::string> key_usage_names(const ASN1_BIT_STRING* bits) {
    std::vector<std::string> out;
    if (bits == nullptr) return out;
    int last_bit = -1;
    for (const auto& b : kKeyUsageBits) {
        if (b.bit == last_bit) continue;  // an alias
        last_bit = b.bit;
        if (ASN1_BIT_STRING_get_bit(bits, b.bit) != 0) out.emplace_back(b.name);
    }
    return out;
}

bool is_known_microsoft_extension(std::string_view oid) {
    return oid == kMsTemplateNameOid || oid == kMsTemplateV2Oid || oid == kMsApplicationPoliciesOid;
}

std::optional<std::string> decode_ms_template_name(ByteView der) {
    ossl::ErrorMark mark;
    const unsigned char* p = der.data();
    ossl::Asn1StringPtr s(d2i_ASN1_BMPSTRING(nullptr, &p, static_cast<long>(der.size())));
    if (!s || p != der.data() + der.size()) return std::nullopt;
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, s.get());
    ossl::OsslBytesPtr owned(utf8);
    if (len < 0) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
}

std::optional<std::string> decode_ms_template_v2(ByteView der) {
    ossl::ErrorMark mark;
    const unsigned char* p = der.data();
    MsTemplatePtr value(reinterpret_cast<MS_TEMPLATE_V2*>(
        ASN1_item_d2i(nullptr, &p, static_cast<long>(der.size()), ASN1_ITEM_rptr(MS_TEMPLATE_V2))));
    if (!value || p != der.data() + der.size()) return std::nullopt;
    std::string out = oid_to_string(value->template_id);
    auto version = [](const ASN1_INTEGER* i) {
        int64_t v = 0;
        return i != nullptr && ASN1_INTEGER_get_int64(&v, i) == 1 ? std::to_string(v) : std::string("0");
    };
    if (value->major != nullptr) out += " v" + version(value->major) + "." + version(value->minor);
    return out;
}

}  // namespace x509_detail

}  // namespace pkilab
