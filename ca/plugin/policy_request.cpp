#include "ca/plugin/policy_request.hpp"

#include <openssl/core_names.h>

#include "ca/ossl/error.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/extension_tables.hpp"
#include "ca/x509/extensions.hpp"
#include "ca/x509/general_name.hpp"
#include "ca/x509/name.hpp"
#include "ca/x509/spki_key.hpp"

namespace pkilab {

namespace {

std::uint32_t name_type(NameType t) {
    switch (t) {
        case NameType::Dns: return PKILAB_NAME_DNS;
        case NameType::Ip: return PKILAB_NAME_IP;
        case NameType::Email: return PKILAB_NAME_EMAIL;
        case NameType::Uri: return PKILAB_NAME_URI;
        case NameType::Upn: return PKILAB_NAME_UPN;
        case NameType::DirName: return PKILAB_NAME_DIRNAME;
        case NameType::Other: return PKILAB_NAME_OTHER;
    }
    return PKILAB_NAME_OTHER;
}

std::uint32_t key_algorithm(const EVP_PKEY* key) {
    if (EVP_PKEY_is_a(key, "EC")) return PKILAB_KEY_EC;
    if (EVP_PKEY_is_a(key, "ED25519")) return PKILAB_KEY_ED25519;
    return PKILAB_KEY_RSA;
}

Bytes bn_param(const EVP_PKEY* key, const char* name) {
    BIGNUM* raw = nullptr;
    ossl::ErrorMark mark;
    if (EVP_PKEY_get_bn_param(key, name, &raw) != 1 || raw == nullptr) return {};
    ossl::BignumPtr bn(raw);
    Bytes out(static_cast<size_t>(BN_num_bytes(bn.get())));
    BN_bn2bin(bn.get(), out.data());
    return out;
}

Bytes cert_der(const X509* cert) {
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert, &der);
    if (len <= 0) ossl::throw_error("i2d_X509");
    ossl::OsslBytesPtr owned(der);
    return Bytes(der, der + len);
}

std::int64_t seconds(Time t) { return t.time_since_epoch().count(); }

std::uint32_t ku_bits(const std::vector<std::string>& names) {
    std::uint32_t bits = 0;
    for (const auto& n : names)
        for (const auto& b : x509_detail::kKeyUsageBits)
            if (n == b.name) bits |= 1u << b.bit;
    return bits;
}

}  // namespace

pkilab_str PolicyRequest::keep(std::string s) {
    const std::string& kept = strings_.emplace_back(std::move(s));
    return pkilab_str{kept.data(), kept.size()};
}

pkilab_bytes PolicyRequest::keep(Bytes b) {
    const Bytes& kept = bytes_.emplace_back(std::move(b));
    return pkilab_bytes{kept.data(), kept.size()};
}

pkilab_key PolicyRequest::key_view(const EVP_PKEY* key, const X509_PUBKEY* spki, const std::string& curve, int bits) {
    pkilab_key k{};
    k.spki_der = keep(spki_der(spki));
    k.curve = keep(curve);
    k.bits = bits > 0 ? static_cast<std::uint32_t>(bits) : 0;
    if (key == nullptr) return k;
    k.algorithm = key_algorithm(key);
    if (k.algorithm == PKILAB_KEY_RSA) {
        k.rsa_modulus = keep(bn_param(key, OSSL_PKEY_PARAM_RSA_N));
        k.rsa_exponent = keep(bn_param(key, OSSL_PKEY_PARAM_RSA_E));
    }
    return k;
}

PolicyRequest::PolicyRequest(const PolicySubject& s) {
    request_.struct_size = sizeof request_;
    request_.kind = s.kind;
    request_.now = seconds(s.now);
    request_.ca_name = keep(s.ca_name);
    request_.template_name = keep(s.template_name);
    request_.template_version = keep(s.template_version);
    request_.requester_identity = keep(s.requester.identity);
    request_.requester_role = keep(s.requester.role);
    request_.requester_channel = keep(s.requester.channel);
    request_.profile = keep(s.profile);

    auto names = [&](const std::vector<GeneralName>& in, const pkilab_name*& out, size_t& count) {
        auto& v = names_.emplace_back();
        for (const auto& n : in) v.push_back(pkilab_name{name_type(n.type), keep(n.value)});
        out = v.data();
        count = v.size();
    };
    auto strs = [&](const std::vector<std::string>& in, const pkilab_str*& out, size_t& count) {
        auto& v = lists_.emplace_back();
        for (const auto& x : in) v.push_back(keep(x));
        out = v.data();
        count = v.size();
    };

    if (s.csr != nullptr) {
        const ParsedCsr& c = *s.csr;
        csr_.struct_size = sizeof csr_;
        csr_.der = pkilab_bytes{c.der.data(), c.der.size()};
        csr_.subject = keep(c.subject);
        names(c.sans, csr_.sans, csr_.san_count);
        csr_.key = key_view(c.public_key.get(), X509_REQ_get_X509_PUBKEY(c.req.get()), c.key.curve, c.key.bits);
        csr_.signature_algorithm = keep(c.signature_algorithm);
        auto& exts = extensions_.emplace_back();
        for (const auto& e : c.extensions)
            exts.push_back(pkilab_extension{keep(e.oid), e.critical ? 1u : 0u, pkilab_bytes{e.value.data(), e.value.size()}});
        csr_.extensions = exts.data();
        csr_.extension_count = exts.size();
        request_.csr = &csr_;
    }

    if (s.cert != nullptr) {
        const X509* x = s.cert;
        const bool draft = s.kind != PKILAB_KIND_CERT_CHECK;
        CertificateInfo info = describe_certificate(x);
        cert_.struct_size = sizeof cert_;
        cert_.der = keep(draft ? s.draft_tbs : cert_der(x));
        cert_.serial = keep(info.serial);
        cert_.subject = keep(info.subject);
        cert_.issuer = keep(info.issuer);
        names(info.sans, cert_.sans, cert_.san_count);
        // A draft carries the request's key bytes undecoded (tbs_builder.cpp): describe the
        // request's key, which is the same one.
        if (draft && s.csr != nullptr)
            cert_.key = csr_.key;
        else
            cert_.key = key_view(X509_get0_pubkey(x), X509_get_X509_PUBKEY(x), info.key.curve, info.key.bits);
        cert_.not_before = seconds(info.not_before);
        cert_.not_after = seconds(info.not_after);
        cert_.has_key_usage = X509_get_ext_by_NID(x, NID_key_usage, -1) >= 0 ? 1u : 0u;
        cert_.key_usage = ku_bits(info.key_usage);
        strs(info.extended_key_usage, cert_.extended_key_usage, cert_.extended_key_usage_count);
        cert_.has_basic_constraints = info.is_ca.has_value() ? 1u : 0u;
        cert_.is_ca = info.is_ca.value_or(false) ? 1u : 0u;
        cert_.path_length = info.path_length.value_or(-1);
        cert_.signature_algorithm = keep(info.signature_algorithm);
        strs(info.crl_urls, cert_.crl_urls, cert_.crl_url_count);
        strs(info.ca_issuer_urls, cert_.ca_issuer_urls, cert_.ca_issuer_url_count);
        strs(info.ocsp_urls, cert_.ocsp_urls, cert_.ocsp_url_count);
        strs(info.policies, cert_.policies, cert_.policy_count);
        auto& exts = extensions_.emplace_back();
        for (int i = 0; i < X509_get_ext_count(x); ++i) {
            const X509_EXTENSION* e = X509_get_ext(x, i);
            const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(const_cast<X509_EXTENSION*>(e));
            exts.push_back(pkilab_extension{
                keep(oid_to_string(X509_EXTENSION_get_object(const_cast<X509_EXTENSION*>(e)))),
                X509_EXTENSION_get_critical(e) ? 1u : 0u,
                keep(Bytes(ASN1_STRING_get0_data(data), ASN1_STRING_get0_data(data) + ASN1_STRING_length(data)))});
        }
        cert_.extensions = exts.data();
        cert_.extension_count = exts.size();
        cert_.issuer_not_after = s.issuer_not_after ? seconds(*s.issuer_not_after) : 0;
        request_.cert = &cert_;
    }
}

}  // namespace pkilab
