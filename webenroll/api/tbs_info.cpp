#include "webenroll/api/tbs_info.hpp"

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/ossl/ptr.hpp"

namespace pkilab::web {

namespace {

struct SequenceFree {
    void operator()(ASN1_SEQUENCE_ANY* s) const noexcept { sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free); }
};
using SequencePtr = std::unique_ptr<ASN1_SEQUENCE_ANY, SequenceFree>;

ossl::Asn1TypePtr read_type(ByteView der, const char* what) {
    const unsigned char* p = der.data();
    ossl::Asn1TypePtr t(d2i_ASN1_TYPE(nullptr, &p, static_cast<long>(der.size())));
    if (!t || p != der.data() + der.size()) throw InternalError(std::string("describe_tbs: the ") + what + " does not parse");
    return t;
}

Bytes encode(const ASN1_TYPE* t) {
    unsigned char* out = nullptr;
    const int len = i2d_ASN1_TYPE(const_cast<ASN1_TYPE*>(t), &out);
    ossl::OsslBytesPtr owned(out);
    if (len <= 0) throw InternalError("describe_tbs: cannot encode " + ossl::drain_errors());
    return Bytes(out, out + len);
}

}  // namespace

CertificateInfo describe_tbs(ByteView tbs_der) {
    // TBSCertificate: [0] version, serialNumber, signature (the AlgorithmIdentifier the CA filled
    // in), ...: the outer signatureAlgorithm repeats it, as RFC 5280 4.1.1.2 requires.
    const unsigned char* p = tbs_der.data();
    SequencePtr fields(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, static_cast<long>(tbs_der.size())));
    if (!fields || p != tbs_der.data() + tbs_der.size()) throw InternalError("describe_tbs: the TBSCertificate does not parse");
    const ASN1_TYPE* algorithm = nullptr;
    for (int i = 0; i < sk_ASN1_TYPE_num(fields.get()) && i < 3 && algorithm == nullptr; ++i) {
        const ASN1_TYPE* t = sk_ASN1_TYPE_value(fields.get(), i);
        if (ASN1_TYPE_get(t) == V_ASN1_SEQUENCE) algorithm = t;
    }
    if (algorithm == nullptr) throw InternalError("describe_tbs: the TBSCertificate has no signature algorithm");

    SequencePtr cert(sk_ASN1_TYPE_new_null());
    if (!cert) throw InternalError("describe_tbs: out of memory");
    ossl::Asn1TypePtr tbs = read_type(tbs_der, "TBSCertificate");
    ossl::Asn1TypePtr alg = read_type(encode(algorithm), "signature algorithm");
    ossl::Asn1StringPtr empty(ASN1_BIT_STRING_new());
    ossl::Asn1TypePtr signature(ASN1_TYPE_new());
    if (!empty || !signature) throw InternalError("describe_tbs: out of memory");
    ASN1_TYPE_set(signature.get(), V_ASN1_BIT_STRING, empty.release());
    for (ossl::Asn1TypePtr* part : {&tbs, &alg, &signature}) {
        if (sk_ASN1_TYPE_push(cert.get(), part->get()) <= 0) throw InternalError("describe_tbs: out of memory");
        part->release();
    }
    unsigned char* der = nullptr;
    const int len = i2d_ASN1_SEQUENCE_ANY(cert.get(), &der);
    ossl::OsslBytesPtr owned(der);
    if (len <= 0) throw InternalError("describe_tbs: cannot encode the certificate " + ossl::drain_errors());
    const unsigned char* q = der;
    ossl::X509Ptr x(d2i_X509(nullptr, &q, len));
    if (!x) throw InternalError("describe_tbs: the wrapped certificate does not parse " + ossl::drain_errors());
    CertificateInfo info = describe_certificate(x.get());
    info.sha256_fingerprint.clear();
    return info;
}

}  // namespace pkilab::web
