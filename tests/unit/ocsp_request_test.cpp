// Reading OCSP requests: serials in the store's form, nonces, the caps on hostile requests.
#include <gtest/gtest.h>

#include "ca/pipeline/revocation.hpp"
#include "crl/ocsp/ocsp_request.hpp"

namespace pkilab::test {
namespace {

ossl::Asn1IntegerPtr integer_from_hex(const std::string& hex, bool negative = false) {
    BIGNUM* raw = nullptr;
    if (BN_hex2bn(&raw, hex.c_str()) == 0) throw std::runtime_error("BN_hex2bn");
    ossl::BignumPtr bn(raw);
    BN_set_negative(bn.get(), negative ? 1 : 0);
    return ossl::Asn1IntegerPtr(BN_to_ASN1_INTEGER(bn.get(), nullptr));
}

struct SerialCase {
    const char* name;
    const char* hex;
    const char* key;  // "" when no CA can have issued it
    bool negative = false;
};

TEST(OcspRequest, SerialKeysAreTheStoresSerials) {
    const SerialCase cases[] = {
        {"small", "5", "05"},
        {"top bit set keeps a zero octet", "80ff", "0080ff"},
        {"top bit clear", "7fff", "7fff"},
        {"16 random octets", "c0ffee00112233445566778899aabbcc", "00c0ffee00112233445566778899aabbcc"},
        {"20 octets", "0102030405060708090a0b0c0d0e0f1011121314", "0102030405060708090a0b0c0d0e0f1011121314"},
        {"21 octets", "ff0102030405060708090a0b0c0d0e0f1011121314", ""},
        {"negative", "05", "", true},
        {"zero", "0", "00"},
    };
    for (const auto& c : cases) {
        ossl::Asn1IntegerPtr serial = integer_from_hex(c.hex, c.negative);
        EXPECT_EQ(crl::serial_key(serial.get()), c.key) << c.name;
        if (*c.key != '\0' && std::string(c.name) != "zero") {
            EXPECT_EQ(normalize_serial(c.hex), c.key) << c.name;
        }
    }
    EXPECT_EQ(crl::serial_key(nullptr), "");
}

Bytes request_with(const std::vector<OCSP_CERTID*>& ids, ByteView nonce) {
    ossl::OcspRequestPtr req(OCSP_REQUEST_new());
    for (OCSP_CERTID* id : ids) OCSP_request_add0_id(req.get(), id);
    if (!nonce.empty())
        OCSP_request_add1_nonce(req.get(), const_cast<unsigned char*>(nonce.data()), static_cast<int>(nonce.size()));
    unsigned char* der = nullptr;
    const int len = i2d_OCSP_REQUEST(req.get(), &der);
    ossl::OsslBytesPtr owned(der);
    return Bytes(der, der + len);
}

OCSP_CERTID* some_id(long serial) {
    ossl::X509NamePtr name(X509_NAME_new());
    X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("x"), -1, -1, 0);
    ossl::Asn1OctetStringPtr key(ASN1_OCTET_STRING_new());
    ASN1_OCTET_STRING_set(key.get(), reinterpret_cast<const unsigned char*>("key"), 3);
    ossl::Asn1IntegerPtr s(ASN1_INTEGER_new());
    ASN1_INTEGER_set(s.get(), serial);
    return OCSP_cert_id_new(EVP_sha1(), name.get(), key.get(), s.get());
}

TEST(OcspRequest, NoncesUpToThirtyTwoOctetsAreEchoedLongerOnesIgnored) {
    const Bytes n16(16, 0xab), n32(32, 0xcd), n64(64, 0xef);
    auto parsed = crl::parse_ocsp_request(request_with({some_id(1)}, n16));
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(parsed->nonce);
    EXPECT_TRUE(crl::parse_ocsp_request(request_with({some_id(1)}, n32))->nonce);
    EXPECT_FALSE(crl::parse_ocsp_request(request_with({some_id(1)}, n64))->nonce);
    EXPECT_FALSE(crl::parse_ocsp_request(request_with({some_id(1)}, {}))->nonce);
}

TEST(OcspRequest, TooManyCertIdsIsMalformed) {
    std::vector<OCSP_CERTID*> ids;
    for (std::size_t i = 0; i < crl::kMaxCertIdsPerRequest; ++i) ids.push_back(some_id(static_cast<long>(i) + 1));
    auto parsed = crl::parse_ocsp_request(request_with(ids, {}));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->certs.size(), crl::kMaxCertIdsPerRequest);
    EXPECT_EQ(parsed->certs[0].hash_nid, NID_sha1);
    EXPECT_EQ(parsed->certs[0].serial, "01");
    ids.clear();
    for (std::size_t i = 0; i <= crl::kMaxCertIdsPerRequest; ++i) ids.push_back(some_id(static_cast<long>(i) + 1));
    EXPECT_FALSE(crl::parse_ocsp_request(request_with(ids, {})));
}

}  // namespace
}  // namespace pkilab::test
