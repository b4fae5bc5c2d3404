#pragma once
// Owning smart pointers for OpenSSL handles. The deleter is a template argument, so a
// Ptr costs exactly one raw pointer. Wrap a raw pointer on the line that produces it.
#include <memory>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace pkilab::ossl {

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};

template <class T, void (*Free)(T*)>
using Ptr = std::unique_ptr<T, Deleter<T, Free>>;

namespace detail {
inline void free_general_names(GENERAL_NAMES* p) { GENERAL_NAMES_free(p); }
inline void free_extension_stack(STACK_OF(X509_EXTENSION) * p) {
    sk_X509_EXTENSION_pop_free(p, X509_EXTENSION_free);
}
inline void free_x509_stack(STACK_OF(X509) * p) { sk_X509_pop_free(p, X509_free); }
inline void free_openssl_string(char* p) { OPENSSL_free(p); }
inline void free_openssl_bytes(unsigned char* p) { OPENSSL_free(p); }
}  // namespace detail

using BioPtr = Ptr<BIO, BIO_free_all>;
using BignumPtr = Ptr<BIGNUM, BN_free>;
using Asn1IntegerPtr = Ptr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1ObjectPtr = Ptr<ASN1_OBJECT, ASN1_OBJECT_free>;
using Asn1OctetStringPtr = Ptr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1StringPtr = Ptr<ASN1_STRING, ASN1_STRING_free>;
using Asn1TimePtr = Ptr<ASN1_TIME, ASN1_TIME_free>;
using Asn1TypePtr = Ptr<ASN1_TYPE, ASN1_TYPE_free>;
using PkeyPtr = Ptr<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = Ptr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = Ptr<EVP_MD_CTX, EVP_MD_CTX_free>;
using X509Ptr = Ptr<X509, X509_free>;
using X509ReqPtr = Ptr<X509_REQ, X509_REQ_free>;
using X509CrlPtr = Ptr<X509_CRL, X509_CRL_free>;
using X509NamePtr = Ptr<X509_NAME, X509_NAME_free>;
using X509ExtensionPtr = Ptr<X509_EXTENSION, X509_EXTENSION_free>;
using X509StorePtr = Ptr<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = Ptr<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509PubkeyPtr = Ptr<X509_PUBKEY, X509_PUBKEY_free>;
using GeneralNamePtr = Ptr<GENERAL_NAME, GENERAL_NAME_free>;
using GeneralNamesPtr = Ptr<GENERAL_NAMES, detail::free_general_names>;
using ExtensionStackPtr = Ptr<STACK_OF(X509_EXTENSION), detail::free_extension_stack>;
using X509StackPtr = Ptr<STACK_OF(X509), detail::free_x509_stack>;
using Pkcs7Ptr = Ptr<PKCS7, PKCS7_free>;
using Pkcs12Ptr = Ptr<PKCS12, PKCS12_free>;
using OsslStringPtr = Ptr<char, detail::free_openssl_string>;
using OsslBytesPtr = Ptr<unsigned char, detail::free_openssl_bytes>;
using BasicConstraintsPtr = Ptr<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using ExtKeyUsagePtr = Ptr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using AuthorityKeyIdPtr = Ptr<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;
using OcspRequestPtr = Ptr<OCSP_REQUEST, OCSP_REQUEST_free>;
using OcspResponsePtr = Ptr<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using OcspBasicRespPtr = Ptr<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using OcspCertIdPtr = Ptr<OCSP_CERTID, OCSP_CERTID_free>;
using Asn1GeneralizedTimePtr = Ptr<ASN1_GENERALIZEDTIME, ASN1_GENERALIZEDTIME_free>;

// Takes a new reference on a borrowed (get0) pointer, for keeping it beyond its owner.
inline X509Ptr up_ref(X509* x) {
    if (x != nullptr) X509_up_ref(x);
    return X509Ptr(x);
}
inline PkeyPtr up_ref(EVP_PKEY* k) {
    if (k != nullptr) EVP_PKEY_up_ref(k);
    return PkeyPtr(k);
}

}  // namespace pkilab::ossl
