// The fast SubjectPublicKeyInfo import against OpenSSL's own decoder: the same key
// (EVP_PKEY_eq), the same bytes back (i2d_PUBKEY), and the same refusals.
#include "ca/x509/spki_key.hpp"

#include <gtest/gtest.h>

#include <openssl/core_names.h>
#include <openssl/err.h>

#include <string>

#include "ca/keys/key.hpp"

namespace pkilab {
namespace {

Bytes spki_der(const EVP_PKEY* key) {
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(key, &der);
    EXPECT_GT(len, 0);
    ossl::OsslBytesPtr owned(der);
    return Bytes(der, der + len);
}

// Decodes an SPKI the way parse_csr decodes a request: in the context without decoders.
ossl::X509PubkeyPtr undecoded(const Bytes& der) {
    const unsigned char* p = der.data();
    return ossl::X509PubkeyPtr(reinterpret_cast<X509_PUBKEY*>(ASN1_item_d2i_ex(
        nullptr, &p, static_cast<long>(der.size()), ASN1_ITEM_rptr(X509_PUBKEY), undecoded_key_context(), nullptr)));
}

void expect_same_as_decoder(const Bytes& der, const std::string& what, bool same_bytes = true) {
    ossl::X509PubkeyPtr spki = undecoded(der);
    ASSERT_TRUE(spki) << what;
    ossl::PkeyPtr fast = public_key_of(spki.get());
    ossl::PkeyPtr reference = public_key_by_decoder(der);
    ASSERT_TRUE(reference) << what;
    ASSERT_TRUE(fast) << what;
    EXPECT_EQ(EVP_PKEY_eq(fast.get(), reference.get()), 1) << what;
    if (same_bytes) {
        EXPECT_EQ(spki_der(fast.get()), der) << what;
    }
}

TEST(SpkiKey, TheContextLeavesKeysUndecoded) {
    // If this fails the fast path is never taken and parse_csr pays for the decoder again.
    ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    ossl::X509PubkeyPtr spki = undecoded(spki_der(key.get()));
    ASSERT_TRUE(spki);
    ERR_set_mark();
    EXPECT_EQ(X509_PUBKEY_get0(spki.get()), nullptr);
    ERR_pop_to_mark();
}

TEST(SpkiKey, EveryKeyTypeMatchesTheDecoderByteForByte) {
    const KeySpec specs[] = {{KeyAlgorithm::Ec, 0, "P-256"}, {KeyAlgorithm::Ec, 0, "P-384"},
                             {KeyAlgorithm::Ec, 0, "P-521"}, {KeyAlgorithm::Ed25519, 0, ""},
                             {KeyAlgorithm::Rsa, 2048, ""}};
    for (const auto& spec : specs)
        for (int i = 0; i < 4; ++i) {
            ossl::PkeyPtr key = generate_key(spec);
            expect_same_as_decoder(spki_der(key.get()), to_string(spec));
        }
}

TEST(SpkiKey, CompressedEcPointsAreTheSameKey) {
    ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    ASSERT_EQ(EVP_PKEY_set_utf8_string_param(key.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"), 1);
    Bytes der = spki_der(key.get());
    ASSERT_EQ(der.size(), 59u);  // 33-byte point
    expect_same_as_decoder(der, "compressed P-256", false);
}

TEST(SpkiKey, RefusesWhatTheDecoderRefuses) {
    struct Case {
        const char* name;
        KeySpec spec;
        void (*damage)(Bytes&);
    };
    const Case cases[] = {
        // The last byte of the uncompressed point's y: no longer on the curve.
        {"P-256 point off the curve", {KeyAlgorithm::Ec, 0, "P-256"}, [](Bytes& d) { d.back() ^= 0x01; }},
        {"P-384 point off the curve", {KeyAlgorithm::Ec, 0, "P-384"}, [](Bytes& d) { d.back() ^= 0x01; }},
        // The point's first byte: 0x04 (uncompressed) becomes 0x05, no point form.
        {"P-256 unknown point form", {KeyAlgorithm::Ec, 0, "P-256"}, [](Bytes& d) { d[d.size() - 65] = 0x05; }},
    };
    for (const auto& c : cases) {
        ossl::PkeyPtr key = generate_key(c.spec);
        Bytes der = spki_der(key.get());
        c.damage(der);
        EXPECT_FALSE(public_key_by_decoder(der)) << c.name << ": the reference accepts it, the case is wrong";
        ossl::X509PubkeyPtr spki = undecoded(der);
        ASSERT_TRUE(spki) << c.name;
        EXPECT_FALSE(public_key_of(spki.get())) << c.name;
    }
}

TEST(SpkiKey, Ed25519WithParametersOrAShortKeyIsRefused) {
    ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Ed25519, 0, ""});
    Bytes der = spki_der(key.get());  // 30 2a 30 05 06 03 2b 65 70 03 21 00 <32 bytes>
    ASSERT_EQ(der.size(), 44u);
    // A 31-byte key: shorten the BIT STRING and the lengths around it.
    Bytes short_key(der.begin(), der.end() - 1);
    short_key[1] = 0x29;
    short_key[10] = 0x20;
    EXPECT_FALSE(public_key_by_decoder(short_key));
    ossl::X509PubkeyPtr spki = undecoded(short_key);
    ASSERT_TRUE(spki);
    EXPECT_FALSE(public_key_of(spki.get()));
}

}  // namespace
}  // namespace pkilab
