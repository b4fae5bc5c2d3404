// parse_lab_config on hostile YAML text, then what `pkilab` does with an accepted lab file:
// look up CAs and templates and expand every URL pattern.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ca/config/lab_config.hpp"
#include "ca/config/url_tokens.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pkilab;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz::accepts([&] {
        const LabConfig lab = parse_lab_config(text, "fuzz.yaml");
        // Every policy chain names a loaded instance; every instance's settings are text.
        auto loaded = [&](const std::string& n) {
            for (const auto& p : lab.plugins.load)
                if (p.name == n) return true;
            return false;
        };
        for (const CaConfig& ca : lab.cas)
            for (const auto& p : ca.policy) fuzz::require(loaded(p), "a CA's policy names a plugin not loaded: " + p);
        for (const auto& t : lab.templates)
            for (const auto& p : t.policy) fuzz::require(loaded(p), "a template's policy names a plugin not loaded: " + p);
        for (const auto& p : lab.plugins.load) fuzz::require(!p.settings_json.empty(), "plugin settings without JSON");
        for (const CaConfig& ca : lab.cas) {
            fuzz::require(lab.find_ca(ca.name) != nullptr, "find_ca misses a CA: " + ca.name);
            if (ca.parent) fuzz::require(lab.find_ca(*ca.parent) != nullptr, "a CA's parent is not in the lab");
            for (const std::string& t : ca.templates)
                fuzz::require(lab.find_template(t) != nullptr, "a CA's template is not in the lab: " + t);
            const UrlTokenValues values{lab.server_dns_name, ca.name, 1, true};
            for (const auto* urls : {&ca.cdp_urls, &ca.aia_urls, &ca.ocsp_urls})
                for (const std::string& url : *urls)
                    fuzz::require(fuzz::accepts([&] { (void)expand_url_tokens(url, values, "fuzz.yaml"); }),
                                  "an accepted URL pattern does not expand: " + url);
        }
    });
    ERR_clear_error();
    return 0;
}
