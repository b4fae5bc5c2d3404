// parse_dn on hostile text (both syntaxes), and the round trip through format_dn: what
// format_dn writes must parse back to the same name.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <openssl/x509.h>

#include "ca/x509/name.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pkilab;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz::accepts([&] {
        ossl::X509NamePtr name = parse_dn(text, "fuzz", "subject");
        const std::string formatted = format_dn(name.get());
        (void)dn_values(name.get(), NID_commonName);
        (void)dn_values(name.get(), NID_domainComponent);
        ossl::X509NamePtr again;
        const bool ok = fuzz::accepts([&] { again = parse_dn(formatted, "fuzz", "formatted"); });
        fuzz::require(ok, "format_dn output does not parse: " + formatted);
        fuzz::require(X509_NAME_cmp(name.get(), again.get()) == 0,
                      "format_dn output parses to another name: " + formatted);
    });
    ERR_clear_error();
    return 0;
}
