// parse_general_name on hostile text ("dns:...", "ip:...", "upn:...", ...), and the round
// trips a SAN goes through: to_string and back, to OpenSSL and back.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ca/x509/general_name.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pkilab;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz::accepts([&] { (void)parse_name_type(text, "fuzz"); });
    fuzz::accepts([&] {
        const GeneralName name = parse_general_name(text, "fuzz");
        const std::string written = to_string(name);
        GeneralName again;
        fuzz::require(fuzz::accepts([&] { again = parse_general_name(written, "fuzz"); }),
                      "to_string output does not parse: " + written);
        fuzz::require(again == name, "to_string output parses to another name: " + written);

        // "ip:10.0.0.0/8" is a name-constraint base (address and mask, 8 or 32 octets), which
        // from_openssl rightly refuses as a subject alternative name.
        if (name.type == NameType::Ip && written.find('/') != std::string::npos) return;
        ossl::GeneralNamePtr native = to_openssl(name);
        GeneralName back;
        fuzz::require(fuzz::accepts([&] { back = from_openssl(native.get(), "fuzz"); }),
                      "from_openssl refuses what to_openssl made: " + written);
        fuzz::require(back == name, "to_openssl/from_openssl changes the name: " + written + " -> " + to_string(back));
    });
    ERR_clear_error();
    return 0;
}
