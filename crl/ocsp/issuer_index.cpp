#include "crl/ocsp/issuer_index.hpp"

#include <array>

#include "ca/ossl/error.hpp"

namespace pkilab::crl {

namespace {

std::string index_key(int hash_nid, ByteView name_hash, ByteView key_hash) {
    std::string key(reinterpret_cast<const char*>(&hash_nid), sizeof hash_nid);
    key.push_back(static_cast<char>(name_hash.size()));  // so that the two hashes cannot run together
    key.append(as_chars(name_hash));
    key.append(as_chars(key_hash));
    return key;
}

}  // namespace

IssuerIndex::IssuerIndex(const std::vector<CertificateAuthority>& cas) {
    // SHA-1 is what RFC 5019 clients and OpenSSL send; the others are for clients that moved on.
    const std::array<const EVP_MD*, 4> hashes{EVP_sha1(), EVP_sha256(), EVP_sha384(), EVP_sha512()};
    for (std::size_t i = 0; i < cas.size(); ++i) {
        for (const EVP_MD* md : hashes) {
            // OpenSSL's own CertID for the CA as issuer: the hashes clients compute.
            ossl::OcspCertIdPtr id(ossl::check(OCSP_cert_to_id(md, nullptr, cas[i].certificate()), "OCSP_cert_to_id"));
            ASN1_OCTET_STRING* name_hash = nullptr;
            ASN1_OBJECT* oid = nullptr;
            ASN1_OCTET_STRING* key_hash = nullptr;
            ossl::check(OCSP_id_get0_info(&name_hash, &oid, &key_hash, nullptr, id.get()), "OCSP_id_get0_info");
            const ByteView name{ASN1_STRING_get0_data(name_hash), static_cast<std::size_t>(ASN1_STRING_length(name_hash))};
            const ByteView key{ASN1_STRING_get0_data(key_hash), static_cast<std::size_t>(ASN1_STRING_length(key_hash))};
            by_hashes_.emplace(index_key(EVP_MD_get_type(md), name, key), i);
        }
    }
}

std::optional<std::size_t> IssuerIndex::find(int hash_nid, ByteView name_hash, ByteView key_hash) const {
    if (name_hash.size() > 64 || key_hash.size() > 64) return std::nullopt;  // no digest we index is longer
    auto it = by_hashes_.find(index_key(hash_nid, name_hash, key_hash));
    if (it == by_hashes_.end()) return std::nullopt;
    return it->second;
}

}  // namespace pkilab::crl
