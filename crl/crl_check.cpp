#include "crl/crl_check.hpp"

#include <openssl/asn1.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/signature.hpp"

namespace pkilab::crl {

namespace {

struct Element {
    int tag = 0;
    int cls = 0;
    const std::uint8_t* begin = nullptr;    // the header
    const std::uint8_t* content = nullptr;
    const std::uint8_t* end = nullptr;
    ByteView whole() const { return {begin, static_cast<std::size_t>(end - begin)}; }
    ByteView body() const { return {content, static_cast<std::size_t>(end - content)}; }
};

[[noreturn]] void fail(const CertificateAuthority& ca, const std::string& what) {
    throw InternalError("the CRL built for CA " + ca.name() + " failed its check before publication: " + what);
}

// The next DER element in [p, end), by OpenSSL's own header parser.
Element next(const CertificateAuthority& ca, const std::uint8_t*& p, const std::uint8_t* end, const char* what) {
    if (p >= end) fail(ca, std::string("it ends before its ") + what);
    Element e;
    e.begin = p;
    const unsigned char* q = p;
    long len = 0;
    const int rc = ASN1_get_object(&q, &len, &e.tag, &e.cls, end - p);
    if ((rc & 0x80) != 0 || rc == 0x21) {  // an error, or an indefinite length (not DER)
        ossl::drain_errors();
        fail(ca, std::string("its ") + what + " is not well-formed DER");
    }
    e.content = q;
    e.end = q + len;
    p = e.end;
    return e;
}

std::optional<std::int64_t> integer_extension(const STACK_OF(X509_EXTENSION)* exts, int nid) {
    auto* n = static_cast<ASN1_INTEGER*>(X509V3_get_d2i(exts, nid, nullptr, nullptr));
    if (n == nullptr) return std::nullopt;
    ossl::Asn1IntegerPtr owned(n);
    std::int64_t v = 0;
    if (ASN1_INTEGER_get_int64(&v, n) != 1) return -1;
    return v;
}

Time time_of(const CertificateAuthority& ca, const Element& e, const char* what) {
    const unsigned char* p = e.begin;
    ossl::Asn1TimePtr t(d2i_ASN1_TIME(nullptr, &p, static_cast<long>(e.end - e.begin)));
    struct tm tm {};
    if (!t || ASN1_TIME_to_tm(t.get(), &tm) != 1) {
        ossl::drain_errors();
        fail(ca, std::string("its ") + what + " is not a time");
    }
    return Time{std::chrono::seconds{timegm(&tm)}};
}

}  // namespace

void verify_crl_against_ca(const CertificateAuthority& ca, ByteView der, const CrlHeader& expected) {
    const std::uint8_t* p = der.data();
    const std::uint8_t* const end = der.data() + der.size();
    const Element outer = next(ca, p, end, "CertificateList");
    if (outer.tag != V_ASN1_SEQUENCE || outer.end != end) fail(ca, "it is not one SEQUENCE");

    const std::uint8_t* o = outer.content;
    const Element tbs = next(ca, o, outer.end, "tbsCertList");
    const Element algorithm = next(ca, o, outer.end, "signatureAlgorithm");
    const Element signature = next(ca, o, outer.end, "signatureValue");
    if (o != outer.end || tbs.tag != V_ASN1_SEQUENCE || signature.tag != V_ASN1_BIT_STRING ||
        signature.body().empty() || signature.body()[0] != 0)
        fail(ca, "its outer structure is not tbsCertList, algorithm, signature");

    unsigned char* alg_der = nullptr;
    const int alg_len = i2d_X509_ALGOR(ca.signature_algorithm(), &alg_der);
    ossl::OsslBytesPtr alg_owned(alg_der);
    const ByteView ca_alg(alg_der, alg_len > 0 ? static_cast<std::size_t>(alg_len) : 0);
    if (!std::ranges::equal(algorithm.whole(), ca_alg)) fail(ca, "its signature algorithm is not the CA's");

    EVP_PKEY* pub = X509_get0_pubkey(ca.certificate());
    if (pub == nullptr || !verify_message(tbs.whole(), signature.body().subspan(1), pub, ca.config().signature))
        fail(ca, "its signature does not verify with the CA certificate's public key");

    const std::uint8_t* t = tbs.content;
    const Element version = next(ca, t, tbs.end, "version");
    if (version.tag != V_ASN1_INTEGER || version.body().size() != 1 || version.body()[0] != 1)
        fail(ca, "it is not a version 2 CRL");
    const Element inner_alg = next(ca, t, tbs.end, "signature");
    if (!std::ranges::equal(inner_alg.whole(), ca_alg)) fail(ca, "its inner signature algorithm differs from the outer");
    const Element issuer = next(ca, t, tbs.end, "issuer");
    unsigned char* name_der = nullptr;
    const int name_len = i2d_X509_NAME(X509_get_subject_name(ca.certificate()), &name_der);
    ossl::OsslBytesPtr name_owned(name_der);
    if (name_len <= 0 || !std::ranges::equal(issuer.whole(), ByteView(name_der, static_cast<std::size_t>(name_len))))
        fail(ca, "its issuer is not the CA certificate's subject");
    if (time_of(ca, next(ca, t, tbs.end, "thisUpdate"), "thisUpdate") != expected.this_update)
        fail(ca, "its thisUpdate is not the one intended");
    if (time_of(ca, next(ca, t, tbs.end, "nextUpdate"), "nextUpdate") != expected.next_update)
        fail(ca, "its nextUpdate is not the one intended");
    Element rest = next(ca, t, tbs.end, "crlExtensions");
    if (rest.tag == V_ASN1_SEQUENCE && rest.cls == V_ASN1_UNIVERSAL) rest = next(ca, t, tbs.end, "crlExtensions");
    if (t != tbs.end || rest.cls != V_ASN1_CONTEXT_SPECIFIC || rest.tag != 0)
        fail(ca, "it has no crlExtensions where they belong");

    const unsigned char* e = rest.content;
    ossl::ExtensionStackPtr exts(d2i_X509_EXTENSIONS(nullptr, &e, static_cast<long>(rest.end - rest.content)));
    if (!exts || e != rest.end) {
        ossl::drain_errors();
        fail(ca, "its extensions do not parse");
    }
    ossl::AuthorityKeyIdPtr akid(
        static_cast<AUTHORITY_KEYID*>(X509V3_get_d2i(exts.get(), NID_authority_key_identifier, nullptr, nullptr)));
    if (!akid || akid->keyid == nullptr ||
        !std::ranges::equal(ByteView(akid->keyid->data, static_cast<std::size_t>(akid->keyid->length)), ca.key_id()))
        fail(ca, "its authority key identifier is not the CA's key identifier");
    if (integer_extension(exts.get(), NID_crl_number) != expected.number)
        fail(ca, "its CRL number is not " + std::to_string(expected.number));
    const auto delta = integer_extension(exts.get(), NID_delta_crl);
    if (expected.kind == CrlKind::Delta ? delta != expected.base_number : delta.has_value())
        fail(ca, expected.kind == CrlKind::Delta ? "its delta CRL indicator does not name its base CRL"
                                                 : "a base CRL carries a delta CRL indicator");
    ossl::drain_errors();
}

}  // namespace pkilab::crl
