#include "webenroll/est/est_csrattrs.hpp"

#include <openssl/asn1.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "ca/ossl/error.hpp"
#include "ca/ossl/ptr.hpp"

namespace pkilab::web::est {

namespace {

void free_type_stack(ASN1_SEQUENCE_ANY* s) { sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free); }
using TypeStackPtr = ossl::Ptr<ASN1_SEQUENCE_ANY, free_type_stack>;
using AttributePtr = ossl::Ptr<X509_ATTRIBUTE, X509_ATTRIBUTE_free>;

void push(ASN1_SEQUENCE_ANY* seq, ossl::Asn1TypePtr t) {
    ossl::check(sk_ASN1_TYPE_push(seq, t.get()), "sk_ASN1_TYPE_push");
    (void)t.release();
}

// AttrOrOID's oid alternative.
void push_oid(ASN1_SEQUENCE_ANY* seq, int nid) {
    ossl::Asn1TypePtr t(ossl::check(ASN1_TYPE_new(), "ASN1_TYPE_new"));
    ossl::check(ASN1_TYPE_set1(t.get(), V_ASN1_OBJECT, OBJ_nid2obj(nid)), "ASN1_TYPE_set1");
    push(seq, std::move(t));
}

// AttrOrOID's attribute alternative: Attribute { type, SET OF values (OIDs) }, carried as the
// SEQUENCE the ANY holds.
void push_attribute(ASN1_SEQUENCE_ANY* seq, int type_nid, const std::vector<int>& value_nids) {
    AttributePtr attr(ossl::check(X509_ATTRIBUTE_new(), "X509_ATTRIBUTE_new"));
    ossl::check(X509_ATTRIBUTE_set1_object(attr.get(), OBJ_nid2obj(type_nid)), "X509_ATTRIBUTE_set1_object");
    for (int nid : value_nids)
        ossl::check(X509_ATTRIBUTE_set1_data(attr.get(), V_ASN1_OBJECT, OBJ_nid2obj(nid), -1), "X509_ATTRIBUTE_set1_data");
    unsigned char* der = nullptr;
    const int len = i2d_X509_ATTRIBUTE(attr.get(), &der);
    if (len <= 0) ossl::throw_error("i2d_X509_ATTRIBUTE");
    ossl::OsslBytesPtr owned(der);
    ossl::Asn1StringPtr s(ossl::check(ASN1_STRING_type_new(V_ASN1_SEQUENCE), "ASN1_STRING_type_new"));
    ossl::check(ASN1_STRING_set(s.get(), der, len), "ASN1_STRING_set");
    ossl::Asn1TypePtr t(ossl::check(ASN1_TYPE_new(), "ASN1_TYPE_new"));
    ASN1_TYPE_set(t.get(), V_ASN1_SEQUENCE, s.release());
    push(seq, std::move(t));
}

}  // namespace

Bytes csr_attributes_der(const CertificateTemplate& t) {
    TypeStackPtr seq(ossl::check(sk_ASN1_TYPE_new_null(), "sk_ASN1_TYPE_new_null"));
    std::vector<int> curves;
    for (const std::string& c : t.keys.ec_curves)
        if (const int nid = EC_curve_nist2nid(c.c_str()); nid != NID_undef) curves.push_back(nid);
    if (!curves.empty()) {
        push_attribute(seq.get(), NID_X9_62_id_ecPublicKey, curves);
        push_oid(seq.get(), NID_ecdsa_with_SHA256);
    }
    if (t.keys.rsa_min_bits > 0) {
        push_oid(seq.get(), NID_rsaEncryption);
        push_oid(seq.get(), NID_sha256WithRSAEncryption);
    }
    if (t.keys.allow_ed25519) push_oid(seq.get(), NID_ED25519);
    if (!t.san_rules.empty() && t.san_from_request_extension)
        push_attribute(seq.get(), NID_ext_req, {NID_subject_alt_name});
    if (sk_ASN1_TYPE_num(seq.get()) == 0) return {};
    unsigned char* der = nullptr;
    const int len = i2d_ASN1_SEQUENCE_ANY(seq.get(), &der);
    if (len <= 0) ossl::throw_error("i2d_ASN1_SEQUENCE_ANY");
    ossl::OsslBytesPtr owned(der);
    return Bytes(der, der + len);
}

}  // namespace pkilab::web::est
