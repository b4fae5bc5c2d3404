#include "crl/crl_builder.hpp"

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/extensions.hpp"

namespace pkilab::crl {

namespace {

template <class T, class Encode>
Bytes der_of(const T* value, Encode encode, const char* what) {
    unsigned char* out = nullptr;
    const int len = encode(value, &out);
    if (len <= 0) {
        ossl::drain_errors();
        throw InternalError(std::string("encoding the CRL's ") + what + " failed");
    }
    ossl::OsslBytesPtr owned(out);
    return Bytes(out, out + len);
}

ossl::X509ExtensionPtr integer_extension(int nid, std::int64_t value, bool critical) {
    ossl::Asn1IntegerPtr n(ASN1_INTEGER_new());
    ossl::check(n.get() != nullptr && ASN1_INTEGER_set_int64(n.get(), value) == 1, "ASN1_INTEGER_set_int64");
    return ossl::X509ExtensionPtr(ossl::check(X509V3_EXT_i2d(nid, critical ? 1 : 0, n.get()), "encoding a CRL number"));
}

// RFC 5280 5.2.5: one DistributionPoint naming the URLs this CRL is published at. Critical.
ossl::X509ExtensionPtr issuing_distribution_point(const std::vector<std::string>& urls) {
    ossl::Ptr<ISSUING_DIST_POINT, ISSUING_DIST_POINT_free> idp(ISSUING_DIST_POINT_new());
    ossl::check(idp.get(), "ISSUING_DIST_POINT_new");
    idp->distpoint = DIST_POINT_NAME_new();
    ossl::check(idp->distpoint, "DIST_POINT_NAME_new");
    idp->distpoint->type = 0;  // fullName
    idp->distpoint->name.fullname = GENERAL_NAMES_new();
    ossl::check(idp->distpoint->name.fullname, "GENERAL_NAMES_new");
    for (const auto& url : urls) {
        ossl::GeneralNamePtr gn(GENERAL_NAME_new());
        ossl::Asn1StringPtr uri(ASN1_IA5STRING_new());
        ossl::check(gn.get() != nullptr && uri.get() != nullptr &&
                        ASN1_STRING_set(uri.get(), url.data(), static_cast<int>(url.size())) == 1,
                    "building a distribution point name");
        GENERAL_NAME_set0_value(gn.get(), GEN_URI, uri.release());
        ossl::check(sk_GENERAL_NAME_push(idp->distpoint->name.fullname, gn.get()) > 0, "sk_GENERAL_NAME_push");
        gn.release();
    }
    return ossl::X509ExtensionPtr(
        ossl::check(X509V3_EXT_i2d(NID_issuing_distribution_point, 1, idp.get()), "encoding the IDP"));
}

// The extensions of a CRL, in the order AD CS writes them.
Bytes crl_extensions(const CertificateAuthority& ca, const CrlHeader& h) {
    ossl::ExtensionStackPtr exts(sk_X509_EXTENSION_new_null());
    ossl::check(exts.get(), "sk_X509_EXTENSION_new_null");
    auto push = [&](ossl::X509ExtensionPtr e) {
        ossl::check(sk_X509_EXTENSION_push(exts.get(), e.get()) > 0, "sk_X509_EXTENSION_push");
        e.release();
    };
    push(make_authority_key_identifier(ca.key_id()));
    push(integer_extension(NID_crl_number, h.number, false));
    if (h.kind == CrlKind::Delta) push(integer_extension(NID_delta_crl, *h.base_number, true));
    if (h.next_publish) {
        // 1.3.6.1.4.1.311.21.4 szOID_CRL_NEXT_PUBLISH: when the CA will publish the next CRL.
        Bytes t;
        append_der_time(t, *h.next_publish);
        push(make_raw_extension("1.3.6.1.4.1.311.21.4", t, false, "next CRL publish"));
    }
    if (h.kind == CrlKind::Base && !h.freshest_crl.empty()) push(make_freshest_crl(h.freshest_crl));
    if (!h.distribution_point.empty()) push(issuing_distribution_point(h.distribution_point));
    return der_of(exts.get(), i2d_X509_EXTENSIONS, "extensions");
}

void append_header(Bytes& out, std::uint8_t tag, std::size_t length) {
    out.push_back(tag);
    append_der_length(out, length);
}

}  // namespace

Bytes build_crl(const CertificateAuthority& ca, const CrlHeader& h, RevokedListWriter&& entries) {
    if (h.number <= 0) throw InternalError("a CRL number must be positive");
    if (h.kind == CrlKind::Delta && (!h.base_number || *h.base_number <= 0 || *h.base_number >= h.number))
        throw InternalError("a delta CRL needs the number of an earlier base CRL");
    if (h.next_update <= h.this_update) throw InternalError("a CRL's nextUpdate must come after its thisUpdate");

    const Bytes algorithm = der_of(ca.signature_algorithm(), i2d_X509_ALGOR, "signature algorithm");
    const Bytes issuer = der_of(X509_get_subject_name(ca.certificate()), i2d_X509_NAME, "issuer");
    const Bytes extensions = crl_extensions(ca, h);
    Bytes times;
    append_der_time(times, h.this_update);
    append_der_time(times, h.next_update);
    constexpr std::uint8_t kVersion2[] = {0x02, 0x01, 0x01};

    Bytes& list = entries.entries();
    const std::size_t list_len = list.size();
    // An empty list is left out, not written as an empty SEQUENCE (RFC 5280 5.1.2.6).
    const std::size_t revoked_len = entries.count() > 0 ? 1 + der_length_size(list_len) + list_len : 0;
    const std::size_t ext_wrapped = 1 + der_length_size(extensions.size()) + extensions.size();
    const std::size_t tbs_body = sizeof kVersion2 + algorithm.size() + issuer.size() + times.size() + revoked_len + ext_wrapped;

    // Everything before the list, then the list's own buffer shifted once behind it.
    Bytes prefix;
    prefix.reserve(64 + algorithm.size() + issuer.size());
    append_header(prefix, 0x30, tbs_body);
    prefix.insert(prefix.end(), std::begin(kVersion2), std::end(kVersion2));
    prefix.insert(prefix.end(), algorithm.begin(), algorithm.end());
    prefix.insert(prefix.end(), issuer.begin(), issuer.end());
    prefix.insert(prefix.end(), times.begin(), times.end());
    if (entries.count() > 0) append_header(prefix, 0x30, list_len);

    Bytes crl = std::move(list);
    crl.reserve(crl.size() + prefix.size() + ext_wrapped + algorithm.size() + 600 + 16);
    crl.insert(crl.begin(), prefix.begin(), prefix.end());
    append_header(crl, 0xa0, extensions.size());
    crl.insert(crl.end(), extensions.begin(), extensions.end());
    const std::size_t tbs_len = crl.size();

    const Bytes signature = ca.sign_message(ByteView(crl.data(), tbs_len));
    crl.insert(crl.end(), algorithm.begin(), algorithm.end());
    append_header(crl, 0x03, signature.size() + 1);
    crl.push_back(0x00);  // no unused bits
    crl.insert(crl.end(), signature.begin(), signature.end());

    Bytes outer;
    append_header(outer, 0x30, crl.size());
    crl.insert(crl.begin(), outer.begin(), outer.end());
    return crl;
}

}  // namespace pkilab::crl
