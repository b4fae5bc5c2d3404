#include "ca/x509/certificate_info.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "ca/bytes.hpp"
#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/extension_tables.hpp"
#include "ca/x509/extensions.hpp"
#include "ca/x509/name.hpp"
#include "ca/x509/signature.hpp"

namespace pkilab {

namespace {

X509_EXTENSION* find_extension(const X509* cert, int nid) {
    int idx = X509_get_ext_by_NID(cert, nid, -1);
    return idx < 0 ? nullptr : X509_get_ext(cert, idx);
}

X509_EXTENSION* find_extension(const X509* cert, std::string_view oid) {
    for (int i = 0; i < X509_get_ext_count(cert); ++i) {
        X509_EXTENSION* ext = X509_get_ext(cert, i);
        if (oid_to_string(X509_EXTENSION_get_object(ext)) == oid) return ext;
    }
    return nullptr;
}

// The first instance of an extension, decoded by OpenSSL's method for it; nullptr when absent or
// undecodable. Duplicates and malformed values are lint findings; describing shows the first.
void* decode(const X509* cert, int nid) {
    X509_EXTENSION* ext = find_extension(cert, nid);
    if (ext == nullptr) return nullptr;
    ossl::ErrorMark mark;
    return X509V3_EXT_d2i(ext);
}

std::string ia5(const ASN1_STRING* s) {
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<size_t>(ASN1_STRING_length(s)));
}

void collect_uris(const GENERAL_NAMES* names, std::vector<std::string>& out) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
        if (gn->type == GEN_URI) out.push_back(ia5(gn->d.uniformResourceIdentifier));
    }
}

void distribution_point_urls(const X509* cert, int nid, std::vector<std::string>& out) {
    ossl::Ptr<CRL_DIST_POINTS, CRL_DIST_POINTS_free> dps(static_cast<CRL_DIST_POINTS*>(decode(cert, nid)));
    if (!dps) return;
    for (int i = 0; i < sk_DIST_POINT_num(dps.get()); ++i) {
        const DIST_POINT* dp = sk_DIST_POINT_value(dps.get(), i);
        if (dp->distpoint != nullptr && dp->distpoint->type == 0)
            collect_uris(dp->distpoint->name.fullname, out);
    }
}

ByteView extension_value(const X509_EXTENSION* ext) {
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(const_cast<X509_EXTENSION*>(ext));
    return {ASN1_STRING_get0_data(data), static_cast<size_t>(ASN1_STRING_length(data))};
}

std::string ms_template(const X509* cert) {
    if (X509_EXTENSION* ext = find_extension(cert, x509_detail::kMsTemplateNameOid))
        if (auto name = x509_detail::decode_ms_template_name(extension_value(ext))) return *name;
    if (X509_EXTENSION* ext = find_extension(cert, x509_detail::kMsTemplateV2Oid))
        if (auto id = x509_detail::decode_ms_template_v2(extension_value(ext))) return *id;
    return {};
}

KeyInfo key_info(const X509* cert) {
    const EVP_PKEY* key = X509_get0_pubkey(cert);
    KeyInfo unsupported;
    if (key == nullptr) {
        unsupported.description = "undecodable public key";
        return unsupported;
    }
    try {
        return describe_key(key);
    } catch (const InputError&) {
        // A certificate made elsewhere may carry a key the CA would not issue for; describing it
        // must still work.
        int id = EVP_PKEY_get_base_id(key);
        const char* name = id == EVP_PKEY_NONE ? nullptr : OBJ_nid2sn(id);
        unsupported.description = std::string("unsupported key (") + (name ? name : "unknown") + ")";
        return unsupported;
    }
}

// Empty for a certificate not signed yet (a draft shown to policy plugins): it has no
// encoding to take a fingerprint of.
std::string fingerprint(const X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    ossl::ErrorMark mark;
    if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
    return to_hex(ByteView(md, len));
}

}  // namespace

CertificateInfo describe_certificate(const X509* cert) {
    if (cert == nullptr) throw InternalError("describe_certificate: null certificate");
    CertificateInfo info;
    info.serial = serial_to_hex(X509_get0_serialNumber(cert));
    info.subject = format_dn(X509_get_subject_name(cert));
    info.issuer = format_dn(X509_get_issuer_name(cert));
    info.not_before = from_asn1_time(X509_get0_notBefore(cert));
    info.not_after = from_asn1_time(X509_get0_notAfter(cert));
    info.version = static_cast<int>(X509_get_version(cert)) + 1;

    if (ossl::GeneralNamesPtr sans{static_cast<GENERAL_NAMES*>(decode(cert, NID_subject_alt_name))})
        info.sans = from_openssl(sans.get(), "certificate.subjectAltName");

    if (ossl::Ptr<ASN1_BIT_STRING, ASN1_BIT_STRING_free> ku{
            static_cast<ASN1_BIT_STRING*>(decode(cert, NID_key_usage))})
        info.key_usage = x509_detail::key_usage_names(ku.get());

    if (ossl::ExtKeyUsagePtr eku{static_cast<EXTENDED_KEY_USAGE*>(decode(cert, NID_ext_key_usage))})
        for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i)
            info.extended_key_usage.push_back(oid_to_string(sk_ASN1_OBJECT_value(eku.get(), i)));

    if (ossl::BasicConstraintsPtr bc{static_cast<BASIC_CONSTRAINTS*>(decode(cert, NID_basic_constraints))}) {
        info.is_ca = bc->ca != 0;
        int64_t len = 0;
        if (bc->pathlen != nullptr && ASN1_INTEGER_get_int64(&len, bc->pathlen) == 1 && len >= 0 &&
            len <= INT32_MAX)
            info.path_length = static_cast<int>(len);
    }

    distribution_point_urls(cert, NID_crl_distribution_points, info.crl_urls);
    distribution_point_urls(cert, NID_freshest_crl, info.freshest_crl_urls);

    if (ossl::Ptr<AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free> aia{
            static_cast<AUTHORITY_INFO_ACCESS*>(decode(cert, NID_info_access))}) {
        for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia.get()); ++i) {
            const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia.get(), i);
            if (ad->location->type != GEN_URI) continue;
            int method = OBJ_obj2nid(ad->method);
            if (method == NID_ad_ca_issuers) info.ca_issuer_urls.push_back(ia5(ad->location->d.uniformResourceIdentifier));
            if (method == NID_ad_OCSP) info.ocsp_urls.push_back(ia5(ad->location->d.uniformResourceIdentifier));
        }
    }

    if (ossl::Ptr<CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free> policies{
            static_cast<CERTIFICATEPOLICIES*>(decode(cert, NID_certificate_policies))})
        for (int i = 0; i < sk_POLICYINFO_num(policies.get()); ++i)
            info.policies.push_back(oid_to_string(sk_POLICYINFO_value(policies.get(), i)->policyid));

    if (ossl::Asn1OctetStringPtr ski{static_cast<ASN1_OCTET_STRING*>(decode(cert, NID_subject_key_identifier))})
        info.subject_key_id = to_hex(ByteView(ASN1_STRING_get0_data(ski.get()),
                                              static_cast<size_t>(ASN1_STRING_length(ski.get()))));

    if (ossl::AuthorityKeyIdPtr aki{static_cast<AUTHORITY_KEYID*>(decode(cert, NID_authority_key_identifier))};
        aki && aki->keyid != nullptr)
        info.authority_key_id = to_hex(ByteView(ASN1_STRING_get0_data(aki->keyid),
                                                static_cast<size_t>(ASN1_STRING_length(aki->keyid))));

    info.ms_template = ms_template(cert);
    info.key = key_info(cert);
    info.signature_algorithm = signature_algorithm_name(cert);
    info.sha256_fingerprint = fingerprint(cert);

    for (int i = 0; i < X509_get_ext_count(cert); ++i) {
        X509_EXTENSION* ext = X509_get_ext(cert, i);
        const ASN1_OBJECT* obj = X509_EXTENSION_get_object(ext);
        ExtensionInfo e;
        e.oid = oid_to_string(obj);
        int nid = OBJ_obj2nid(obj);
        e.name = nid == NID_undef ? e.oid : OBJ_nid2sn(nid);
        e.critical = X509_EXTENSION_get_critical(ext) != 0;
        info.extensions.push_back(std::move(e));
    }
    return info;
}

Time from_asn1_time(const ASN1_TIME* t) {
    // ASN1_TIME_to_tm reads the current time for a null argument: never let it.
    if (t == nullptr) throw InternalError("from_asn1_time: null time");
    std::tm tm{};
    {
        ossl::ErrorMark mark;
        if (ASN1_TIME_to_tm(t, &tm) != 1)
            throw InputError("certificate", "validity", "malformed time value",
                             "times are UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ");
    }
    std::chrono::year_month_day ymd{std::chrono::year{tm.tm_year + 1900},
                                    std::chrono::month{static_cast<unsigned>(tm.tm_mon + 1)},
                                    std::chrono::day{static_cast<unsigned>(tm.tm_mday)}};
    return std::chrono::sys_days{ymd} + std::chrono::hours{tm.tm_hour} + std::chrono::minutes{tm.tm_min} +
           std::chrono::seconds{tm.tm_sec};
}

ossl::Asn1TimePtr to_asn1_time(Time t) {
    // ASN1_TIME_set picks UTCTime for 1950..2049 and GeneralizedTime otherwise (RFC 5280 4.1.2.5).
    const auto seconds = t.time_since_epoch().count();
    ossl::Asn1TimePtr out(ASN1_TIME_set(nullptr, static_cast<time_t>(seconds)));
    if (!out) ossl::throw_error("ASN1_TIME_set(" + format_time(t) + ")");
    return out;
}

std::string serial_to_hex(const ASN1_INTEGER* serial) {
    if (serial == nullptr) throw InternalError("serial_to_hex: null serial");
    ossl::BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
    if (!bn) ossl::throw_error("ASN1_INTEGER_to_BN");
    const bool negative = BN_is_negative(bn.get()) != 0;
    BN_set_negative(bn.get(), 0);
    ossl::OsslStringPtr hex(BN_bn2hex(bn.get()));
    if (!hex) ossl::throw_error("BN_bn2hex");
    std::string out(hex.get());
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (out.size() % 2 != 0) out.insert(out.begin(), '0');
    // As the INTEGER's content octets: a set top bit needs a zero octet to stay positive.
    if (!negative && out[0] >= '8') out.insert(0, "00");
    return negative ? "-" + out : out;
}

}  // namespace pkilab
