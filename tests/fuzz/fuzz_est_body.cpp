// An EST enrollment body (webenroll/est/est_body.hpp) on hostile bytes, then the CSR checks the
// pipeline runs on what it yields.
//
// Input: "CONTENT-TYPE\nCONTENT-TRANSFER-ENCODING\nBODY".
//
// Properties, on every input:
//  - no crash; refusals are InputErrors only;
//  - what decodes survives our own base64 answer encoding (base64_lines) unchanged;
//  - a CSR that parses from the decoded bytes keeps exactly those bytes as its DER, when they
//    were DER (PEM bodies are decoded by OpenSSL's PEM reader).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <openssl/err.h>

#include "ca/x509/csr.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "webenroll/est/est_body.hpp"

namespace {

using namespace pkilab;

std::string_view take_line(std::string_view& rest) {
    const size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    const std::string_view content_type = take_line(rest);
    const std::string_view encoding = take_line(rest);
    fuzz::accepts([&] {
        const Bytes der = web::est::decode_csr_body(content_type, encoding, rest);
        fuzz::require(base64_decode(web::est::base64_lines(der)) == der, "base64_lines does not decode to its input");
        fuzz::accepts([&] {
            const ParsedCsr csr = parse_csr(der);
            if (!der.empty() && der.front() == 0x30) fuzz::require(csr.der == der, "the CSR's DER is not the body's");
        });
    });
    ERR_clear_error();
    return 0;
}
