#include "webenroll/ocsp_http.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "ca/errors.hpp"
#include "ca/ossl/ptr.hpp"
#include "ca/x509/certificate_info.hpp"

namespace pkilab::web {

Bytes decode_ocsp_get(std::string_view base64) {
    std::string clean;
    clean.reserve(base64.size() + 3);
    for (char c : base64) {
        switch (c) {
            case ' ': clean.push_back('+'); break;
            case '-': clean.push_back('+'); break;
            case '_': clean.push_back('/'); break;
            default: clean.push_back(c);
        }
    }
    while (clean.size() % 4 != 0) clean.push_back('=');
    try {
        return base64_decode(clean, "OCSP request");
    } catch (const InputError&) {
        return {};
    }
}

namespace {

// What a response says about caching it: not at all (an error status), not without asking
// again (no nextUpdate), or until the earliest nextUpdate.
struct Freshness {
    enum class Kind { NoStore, NoCache, Until } kind = Kind::NoStore;
    Time until{};
};

Freshness freshness_of(ByteView response_der) {
    const unsigned char* p = response_der.data();
    ossl::Ptr<OCSP_RESPONSE, OCSP_RESPONSE_free> response(
        d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(response_der.size())));
    if (!response || OCSP_response_status(response.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) return {};
    ossl::Ptr<OCSP_BASICRESP, OCSP_BASICRESP_free> basic(OCSP_response_get1_basic(response.get()));
    if (!basic) return {};
    std::optional<Time> earliest;
    const int n = OCSP_resp_count(basic.get());
    for (int i = 0; i < n; ++i) {
        ASN1_GENERALIZEDTIME* next = nullptr;
        OCSP_single_get0_status(OCSP_resp_get0(basic.get(), i), nullptr, nullptr, nullptr, &next);
        if (next == nullptr) return {Freshness::Kind::NoCache, {}};
        Time t{};
        try {
            t = from_asn1_time(next);
        } catch (const Error&) {
            return {Freshness::Kind::NoCache, {}};
        }
        earliest = earliest ? std::min(*earliest, t) : t;
    }
    if (!earliest) return {Freshness::Kind::NoCache, {}};
    return {Freshness::Kind::Until, *earliest};
}

}  // namespace

std::string ocsp_cache_control(ByteView response_der, Time now) {
    // Decoding a response (and the responder certificate in it) costs far more than answering
    // from the responder's pre-signed cache, which hands out the same bytes again and again:
    // each thread remembers what it decoded, without a lock shared with the others.
    constexpr size_t kRemembered = 256;
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    thread_local std::unordered_map<std::string, Freshness, Hash, std::equal_to<>> seen;
    const std::string_view key = as_chars(response_der);
    auto it = seen.find(key);
    if (it == seen.end()) {
        if (seen.size() >= kRemembered) seen.clear();
        it = seen.emplace(std::string(key), freshness_of(response_der)).first;
    }
    const Freshness f = it->second;
    switch (f.kind) {
        case Freshness::Kind::NoStore: return "no-store";
        case Freshness::Kind::NoCache: return "no-cache";
        case Freshness::Kind::Until: break;
    }
    const auto seconds = std::max<Duration::rep>(0, (f.until - now).count());
    return "max-age=" + std::to_string(seconds) + ", public, no-transform, must-revalidate";
}

}  // namespace pkilab::web
