#include "webenroll/ocsp_http.hpp"

#include <algorithm>
#include <optional>

#include <openssl/ocsp.h>

#include "ca/errors.hpp"

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

std::string ocsp_cache_control(int status, std::optional<Time> next_update, Time now) {
    if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL) return "no-store";
    if (!next_update) return "no-cache";
    const auto seconds = std::max<Duration::rep>(0, (*next_update - now).count());
    return "max-age=" + std::to_string(seconds) + ", public, no-transform, must-revalidate";
}

}  // namespace pkilab::web
