// An ACME request body (webenroll/acme/): the flattened JWS, its protected header, a JWK, a
// key-change's inner JWS and an order's identifiers, on hostile bytes.
//
// Properties, on every input:
//  - no crash; refusals are AcmeErrors (or the pipeline's InputErrors) only;
//  - an accepted JWS has one of the four algorithms, exactly one of jwk and kid, and members
//    that re-encode to what was sent (base64url is canonical);
//  - a JWK that gives a key gives a thumbprint, and the key's own JWK has the same thumbprint;
//  - verification answers true or false; a JWS whose jwk signed it verifies again after
//    a round trip through our JWK encoding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_support.hpp"
#include "webenroll/acme/acme_base64url.hpp"
#include "webenroll/acme/acme_identifier.hpp"
#include "webenroll/acme/acme_jwk.hpp"
#include "webenroll/acme/acme_jws.hpp"
#include "webenroll/acme/acme_problem.hpp"

namespace {

using namespace pkilab;
using namespace pkilab::acme;

template <class F>
bool acme_accepts(F&& f) {
    bool ok = false;
    fuzz::accepts([&] {
        try {
            f();
            ok = true;
        } catch (const AcmeError& e) {
            fuzz::require(e.status() >= 400 && e.status() < 600, "an AcmeError with a status that is no error");
            fuzz::require(!e.type().empty() && !e.detail().empty(), "an AcmeError without type or detail");
        }
    });
    return ok;
}

void check_key(const Jws& jws) {
    acme_accepts([&] {
        const ossl::PkeyPtr key = jwk_to_key(jws.jwk);
        const std::string thumbprint = jwk_thumbprint(jws.jwk);
        fuzz::require(thumbprint.size() == 43, "a thumbprint that is not 32 bytes");
        const nlohmann::json again = key_to_jwk(key.get());
        fuzz::require(jwk_thumbprint(again) == thumbprint, "a key's own JWK has another thumbprint");
        const bool valid = verify_jws(jws, key.get());
        if (valid) {
            const ossl::PkeyPtr back = jwk_to_key(again);
            fuzz::require(verify_jws(jws, back.get()), "a signature verifies with the jwk but not with its round trip");
        }
    });
}

void check(std::string_view body) {
    Jws jws;
    if (!acme_accepts([&] { jws = parse_jws(body); })) return;
    fuzz::require(jws.alg == "ES256" || jws.alg == "ES384" || jws.alg == "RS256" || jws.alg == "EdDSA", "an algorithm let through");
    fuzz::require(jws.jwk.is_null() != jws.kid.empty(), "neither or both of jwk and kid");
    fuzz::require(b64url_encode(jws.payload) == jws.payload_b64, "the payload does not re-encode to what was sent");
    if (!jws.jwk.is_null()) check_key(jws);
    nlohmann::json payload;
    if (jws.post_as_get() || !acme_accepts([&] { payload = jws.payload_json(); })) return;
    fuzz::require(payload.is_object(), "a payload accepted that is not an object");
    if (auto ids = payload.find("identifiers"); ids != payload.end() && ids->is_array())
        for (const auto& id : *ids) acme_accepts([&] {
            const Identifier i = read_identifier(id);
            fuzz::require(i.type == "dns" || i.type == "ip", "an identifier type let through");
            fuzz::require(read_identifier({{"type", i.type}, {"value", i.value}}) == i, "an identifier is not normalized");
        });
    acme_accepts([&] {
        (void)payload_flag(payload, "onlyReturnExisting");
        (void)payload_flag(payload, "termsOfServiceAgreed");
        (void)payload_text(payload, "status");
        (void)payload_text(payload, "account");
        if (payload.contains("oldKey")) (void)jwk_thumbprint(payload["oldKey"]);
    });
    // A key change carries a JWS as its payload.
    Jws inner;
    if (acme_accepts([&] { inner = parse_jws(std::string_view(jws.payload)); }) && !inner.jwk.is_null()) check_key(inner);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    check(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
