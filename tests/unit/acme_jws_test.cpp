// ACME's JWS, JWK and base64url: signatures made here with OpenSSL (ES256, ES384, RS256, EdDSA)
// verify, and every tampered part is refused; RFC 7638's thumbprint example.
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <gtest/gtest.h>

#include "ca/ossl/ptr.hpp"
#include "webenroll/acme/acme_base64url.hpp"
#include "webenroll/acme/acme_jwk.hpp"
#include "webenroll/acme/acme_jws.hpp"
#include "webenroll/acme/acme_problem.hpp"

namespace pkilab::acme {
namespace {

ossl::PkeyPtr generate(const std::string& kind) {
    if (kind == "ES256") return ossl::PkeyPtr(EVP_EC_gen("P-256"));
    if (kind == "ES384") return ossl::PkeyPtr(EVP_EC_gen("P-384"));
    if (kind == "RS256") return ossl::PkeyPtr(EVP_RSA_gen(2048));
    return ossl::PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
}

// The raw JWS signature of `input` (r||s for ECDSA).
std::string sign(EVP_PKEY* key, const std::string& alg, const std::string& input) {
    const EVP_MD* md = alg == "ES256" || alg == "RS256" ? EVP_sha256() : alg == "ES384" ? EVP_sha384() : nullptr;
    ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
    EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key), 1);
    std::size_t len = 0;
    EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()), 1);
    Bytes sig(len);
    EXPECT_EQ(EVP_DigestSign(ctx.get(), sig.data(), &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()), 1);
    sig.resize(len);
    if (alg == "ES256" || alg == "ES384") {
        const std::size_t half = alg == "ES256" ? 32 : 48;
        const unsigned char* p = sig.data();
        ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
        Bytes raw(2 * half);
        BN_bn2binpad(ECDSA_SIG_get0_r(es), raw.data(), static_cast<int>(half));
        BN_bn2binpad(ECDSA_SIG_get0_s(es), raw.data() + half, static_cast<int>(half));
        ECDSA_SIG_free(es);
        sig = raw;
    }
    return b64url_encode(sig);
}

nlohmann::json make_jws(EVP_PKEY* key, const std::string& alg, nlohmann::json header, const std::string& payload) {
    header["alg"] = alg;
    const std::string p = b64url_encode(header.dump()), body = payload.empty() ? "" : b64url_encode(payload);
    return {{"protected", p}, {"payload", body}, {"signature", sign(key, alg, p + "." + body)}};
}

class AcmeJws : public ::testing::TestWithParam<std::string> {};

TEST_P(AcmeJws, SignedHereVerifiesAndTamperingIsRefused) {
    const std::string alg = GetParam();
    ossl::PkeyPtr key = generate(alg);
    ASSERT_TRUE(key);
    const nlohmann::json jwk = key_to_jwk(key.get());
    const nlohmann::json header{{"jwk", jwk}, {"nonce", "n1"}, {"url", "https://ca/acme/x/new-account"}};
    const nlohmann::json body = make_jws(key.get(), alg, header, R"({"termsOfServiceAgreed":true})");
    const Jws jws = parse_jws(body);
    EXPECT_EQ(jws.alg, alg);
    EXPECT_EQ(jws.nonce, "n1");
    EXPECT_EQ(jws.url, "https://ca/acme/x/new-account");
    EXPECT_EQ(jws.payload_json()["termsOfServiceAgreed"], true);
    const ossl::PkeyPtr from_jwk = jwk_to_key(jws.jwk);
    EXPECT_TRUE(verify_jws(jws, from_jwk.get()));

    // Another payload, header (nonce or url) or signature under the same signature: refused.
    nlohmann::json other = body;
    other["payload"] = b64url_encode(std::string(R"({"termsOfServiceAgreed":false})"));
    EXPECT_FALSE(verify_jws(parse_jws(other), from_jwk.get()));
    for (const char* member : {"nonce", "url"}) {
        nlohmann::json h = header;
        h["alg"] = alg;
        h[member] = "changed";
        other = body;
        other["protected"] = b64url_encode(h.dump());
        EXPECT_FALSE(verify_jws(parse_jws(other), from_jwk.get())) << member;
    }
    other = body;
    std::string sig = other["signature"];
    sig[5] = sig[5] == 'A' ? 'B' : 'A';
    other["signature"] = sig;
    EXPECT_FALSE(verify_jws(parse_jws(other), from_jwk.get()));
    // Another key of the same kind does not verify it.
    ossl::PkeyPtr stranger = generate(alg);
    EXPECT_FALSE(verify_jws(jws, stranger.get()));
}

INSTANTIATE_TEST_SUITE_P(Algorithms, AcmeJws, ::testing::Values("ES256", "ES384", "RS256", "EdDSA"));

TEST(AcmeJwsShape, RefusesWhatAcmeForbids) {
    ossl::PkeyPtr key = generate("ES256");
    const nlohmann::json jwk = key_to_jwk(key.get());
    auto type_of = [](const auto& f) {
        try {
            f();
        } catch (const AcmeError& e) {
            return e.type();
        }
        return std::string("accepted");
    };
    const nlohmann::json good = make_jws(key.get(), "ES256", {{"jwk", jwk}, {"nonce", "n"}, {"url", "u"}}, "{}");
    EXPECT_EQ(type_of([&] { parse_jws(good); }), "accepted");
    EXPECT_EQ(type_of([&] { parse_jws(std::string_view("not json")); }), "malformed");
    EXPECT_EQ(type_of([&] { parse_jws(std::string_view("[1]")); }), "malformed");
    nlohmann::json extra = good;
    extra["header"] = {{"kid", "x"}};
    EXPECT_EQ(type_of([&] { parse_jws(extra); }), "malformed");
    EXPECT_EQ(type_of([&] { parse_jws(make_jws(key.get(), "HS256", {{"jwk", jwk}, {"nonce", "n"}, {"url", "u"}}, "{}")); }),
              "badSignatureAlgorithm");
    EXPECT_EQ(type_of([&] { parse_jws(make_jws(key.get(), "none", {{"jwk", jwk}, {"nonce", "n"}, {"url", "u"}}, "{}")); }),
              "badSignatureAlgorithm");
    // Both or neither of jwk and kid; no url.
    EXPECT_EQ(type_of([&] { parse_jws(make_jws(key.get(), "ES256", {{"jwk", jwk}, {"kid", "k"}, {"nonce", "n"}, {"url", "u"}}, "{}")); }),
              "malformed");
    EXPECT_EQ(type_of([&] { parse_jws(make_jws(key.get(), "ES256", {{"nonce", "n"}, {"url", "u"}}, "{}")); }), "malformed");
    EXPECT_EQ(type_of([&] { parse_jws(make_jws(key.get(), "ES256", {{"jwk", jwk}, {"nonce", "n"}}, "{}")); }), "malformed");
    // Padding or the standard alphabet in a member.
    nlohmann::json padded = good;
    padded["signature"] = good["signature"].get<std::string>() + "=";
    EXPECT_EQ(type_of([&] { parse_jws(padded); }), "malformed");
    // The alg must fit the key: an ES256 JWS does not verify with an RSA or a P-384 key.
    const Jws jws = parse_jws(good);
    EXPECT_FALSE(verify_jws(jws, generate("RS256").get()));
    EXPECT_FALSE(verify_jws(jws, generate("ES384").get()));
    // A JWK with private material, a point off the curve, a short RSA key.
    nlohmann::json priv = jwk;
    priv["d"] = "AAAA";
    EXPECT_EQ(type_of([&] { jwk_to_key(priv); }), "badPublicKey");
    nlohmann::json off = jwk;
    std::string y = off["y"];
    y[10] = y[10] == 'A' ? 'B' : 'A';
    off["y"] = y;
    EXPECT_EQ(type_of([&] { jwk_to_key(off); }), "badPublicKey");
    ossl::PkeyPtr small(EVP_RSA_gen(1024));
    EXPECT_EQ(type_of([&] { jwk_to_key(key_to_jwk(small.get())); }), "badPublicKey");
}

TEST(AcmeJwk, ThumbprintOfRfc7638Example) {
    const nlohmann::json jwk{
        {"kty", "RSA"},
        {"n", "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5"
               "JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrd"
               "kt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"},
        {"e", "AQAB"},
        {"alg", "RS256"},
        {"kid", "2011-04-29"}};
    EXPECT_EQ(jwk_thumbprint(jwk), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    // The key itself round-trips through OpenSSL to the same members.
    const ossl::PkeyPtr key = jwk_to_key(jwk);
    EXPECT_EQ(jwk_thumbprint(key_to_jwk(key.get())), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(AcmeBase64url, UrlAlphabetWithoutPadding) {
    const Bytes bytes{0xfb, 0xff, 0xbf};
    EXPECT_EQ(b64url_encode(bytes), "-_-_");
    EXPECT_EQ(b64url_encode(std::string_view("a")), "YQ");
    EXPECT_EQ(b64url_encode(std::string_view("")), "");
    EXPECT_EQ(*b64url_decode("-_-_"), bytes);
    EXPECT_EQ(*b64url_decode("YQ"), (Bytes{'a'}));
    EXPECT_EQ(*b64url_decode(""), Bytes{});
    for (const char* bad : {"YQ==", "+/+/", "Y Q", "Y", "YR", "Y\n"}) EXPECT_FALSE(b64url_decode(bad)) << bad;
    for (std::size_t n = 0; n < 40; ++n) {
        Bytes b(n);
        for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 37 + n);
        EXPECT_EQ(*b64url_decode(b64url_encode(b)), b) << n;
    }
}

}  // namespace
}  // namespace pkilab::acme
