#include "ca/lint/cert_facts.hpp"

#include "ca/ossl/error.hpp"
#include "ca/x509/extension_tables.hpp"

namespace pkilab::lint_detail {

namespace {

Bytes octets(const ASN1_OCTET_STRING* s) {
    const unsigned char* p = ASN1_STRING_get0_data(s);
    return Bytes(p, p + ASN1_STRING_length(s));
}

}  // namespace

X509_EXTENSION* find_extension(const X509* cert, int nid) {
    int idx = X509_get_ext_by_NID(cert, nid, -1);
    return idx < 0 ? nullptr : X509_get_ext(cert, idx);
}

bool is_critical(const X509_EXTENSION* ext) { return ext != nullptr && X509_EXTENSION_get_critical(ext) != 0; }

void* decode_raw(const X509* cert, int nid) {
    X509_EXTENSION* ext = find_extension(cert, nid);
    if (ext == nullptr) return nullptr;
    ossl::ErrorMark mark;
    return X509V3_EXT_d2i(ext);
}

std::optional<Bytes> subject_key_id(const X509* cert) {
    auto ski = decode<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>(cert, NID_subject_key_identifier);
    if (!ski) return std::nullopt;
    return octets(ski.get());
}

std::optional<Bytes> authority_key_id(const X509* cert) {
    auto aki = decode<AUTHORITY_KEYID, AUTHORITY_KEYID_free>(cert, NID_authority_key_identifier);
    if (!aki || aki->keyid == nullptr) return std::nullopt;
    return octets(aki->keyid);
}

std::optional<unsigned> key_usage(const X509* cert) {
    auto ku = decode<ASN1_BIT_STRING, ASN1_BIT_STRING_free>(cert, NID_key_usage);
    if (!ku) return std::nullopt;
    unsigned mask = 0;
    for (const auto& b : x509_detail::kKeyUsageBits)
        if (ASN1_BIT_STRING_get_bit(ku.get(), b.bit) != 0) mask |= ku_bit(b.bit);
    return mask;
}

std::optional<BasicConstraintsFacts> basic_constraints(const X509* cert) {
    auto bc = decode<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>(cert, NID_basic_constraints);
    if (!bc) return std::nullopt;
    return BasicConstraintsFacts{is_critical(find_extension(cert, NID_basic_constraints)), bc->ca != 0,
                                 bc->pathlen != nullptr};
}

bool is_ca(const X509* cert) {
    auto bc = basic_constraints(cert);
    return bc && bc->ca;
}

bool has_empty_subject(const X509* cert) { return X509_NAME_entry_count(X509_get_subject_name(cert)) == 0; }

}  // namespace pkilab::lint_detail
