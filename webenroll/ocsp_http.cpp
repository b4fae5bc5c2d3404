#include "webenroll/ocsp_http.hpp"

#include <algorithm>
#include <optional>

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

std::string ocsp_cache_control(ByteView response_der, Time now) {
    const unsigned char* p = response_der.data();
    ossl::Ptr<OCSP_RESPONSE, OCSP_RESPONSE_free> response(
        d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(response_der.size())));
    if (!response || OCSP_response_status(response.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) return "no-store";
    ossl::Ptr<OCSP_BASICRESP, OCSP_BASICRESP_free> basic(OCSP_response_get1_basic(response.get()));
    if (!basic) return "no-store";
    std::optional<Time> earliest;
    const int n = OCSP_resp_count(basic.get());
    for (int i = 0; i < n; ++i) {
        ASN1_GENERALIZEDTIME* next = nullptr;
        OCSP_single_get0_status(OCSP_resp_get0(basic.get(), i), nullptr, nullptr, nullptr, &next);
        if (next == nullptr) return "no-cache";
        Time t{};
        try {
            t = from_asn1_time(next);
        } catch (const Error&) {
            return "no-cache";
        }
        earliest = earliest ? std::min(*earliest, t) : t;
    }
    if (!earliest) return "no-cache";
    const auto seconds = std::max<Duration::rep>(0, (*earliest - now).count());
    return "max-age=" + std::to_string(seconds) + ", public, no-transform, must-revalidate";
}

}  // namespace pkilab::web
