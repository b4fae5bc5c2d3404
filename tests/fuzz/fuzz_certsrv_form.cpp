// certsrv's form and query parsing on hostile input (every field reaches it from any user the
// lab file names). The first byte chooses the parser, the rest is the field's text. Properties:
// only InputError rejects; a CSR text accepted is a DER SEQUENCE that its own PEM and bare
// base64 forms give back; parsed attributes keep within their bounds; ids and renewals print
// back as they parsed.
//
// The parser is compiled in from its source: this target links pkilab_ca alone, and
// certsrv_forms.cpp needs nothing more (it knows neither HTTP nor the CA).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ca/x509/pem.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "webenroll/certsrv/certsrv_forms.cpp"

namespace pkilab::web::certsrv {
namespace {

enum class Parser : std::uint8_t { CsrText, CertAttrib, TemplateField, RequestId, Renewal, Encoding, CrlType, Count };

void csr_text(std::string_view text) {
    fuzz::accepts([&] {
        const Bytes der = normalize_csr_text(text);
        fuzz::require(!der.empty() && der.front() == 0x30, "normalize_csr_text gave no DER SEQUENCE");
        for (const std::string& again : {pem_encode("CERTIFICATE REQUEST", der), base64_encode(der)}) {
            Bytes back;
            const bool ok = fuzz::accepts([&] { back = normalize_csr_text(again); });
            fuzz::require(ok, "the PEM or base64 form of an accepted CSR is refused: " + again);
            fuzz::require(back == der, "the PEM or base64 form of an accepted CSR gives other bytes");
        }
    });
}

bool control_free(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
    return true;
}

void cert_attrib(std::string_view text) {
    fuzz::accepts([&] {
        const CertAttributes a = parse_cert_attrib(text);
        fuzz::require(a.template_name.size() <= kMaxTemplateNameChars && control_free(a.template_name),
                      "template name out of bounds");
        fuzz::require(a.san.size() <= kMaxSanEntries, "more SAN names than allowed");
        for (const auto& e : a.san) {
            bool known = false;
            for (auto t : kSanTypes) known = known || e.type == t;
            fuzz::require(known && !e.value.empty(), "SAN name of an unknown type or without value");
        }
        fuzz::require(a.san_text.empty() == a.san.empty(), "SAN text and names disagree");
        fuzz::require(a.other_names.size() <= kMaxAttributes, "more attributes than allowed");
    });
}

void template_field(std::string_view text) {
    fuzz::accepts([&] {
        const std::string name = parse_template_field(text);
        fuzz::require(!name.empty() && name.size() <= kMaxTemplateNameChars && control_free(name),
                      "template field out of bounds");
        fuzz::require(name.front() != ' ' && name.back() != ' ', "the template field was not trimmed");
    });
}

}  // namespace
}  // namespace pkilab::web::certsrv

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pkilab;
    using namespace pkilab::web::certsrv;
    if (size == 0) return 0;
    const auto parser = static_cast<Parser>(data[0] % static_cast<std::uint8_t>(Parser::Count));
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    switch (parser) {
        case Parser::CsrText: csr_text(text); break;
        case Parser::CertAttrib: cert_attrib(text); break;
        case Parser::TemplateField: template_field(text); break;
        case Parser::RequestId:
            fuzz::accepts([&] {
                const RequestIdParam p = parse_request_id_param(text);
                if (!p.ca_certificate) {
                    fuzz::require(p.id >= 1, "request id below 1");
                    fuzz::require(parse_request_id(std::to_string(p.id)) == p.id, "request id does not print back");
                }
            });
            break;
        case Parser::Renewal:
            fuzz::accepts([&] { fuzz::require(parse_renewal(text) <= 9999, "renewal above 9999"); });
            break;
        case Parser::Encoding: fuzz::accepts([&] { (void)parse_encoding(text, Encoding::Der); }); break;
        case Parser::CrlType: fuzz::accepts([&] { (void)parse_crl_type(text); }); break;
        case Parser::Count: break;
    }
    return 0;
}
