#pragma once
// Internal to ca/x509 and ca/lint: the key usage bit names and the Microsoft extensions, shared
// by the extension builders, describe_certificate, the CSR parser and lint, so that reading and
// writing agree.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ca/bytes.hpp"
#include "ca/ossl/ptr.hpp"

namespace pkilab::x509_detail {

struct KeyUsageBit {
    std::string_view name;  // as OpenSSL spells it
    int bit;                // RFC 5280 4.2.1.3 bit number
};

// The first entry for a bit is its canonical name; "contentCommitment" is an alias.
inline constexpr KeyUsageBit kKeyUsageBits[] = {
    {"digitalSignature", 0}, {"nonRepudiation", 1}, {"contentCommitment", 1},
    {"keyEncipherment", 2},  {"dataEncipherment", 3}, {"keyAgreement", 4},
    {"keyCertSign", 5},      {"cRLSign", 6},          {"encipherOnly", 7},
    {"decipherOnly", 8},
};

// Canonical names of the bits set, in bit order.
std::vector<std::string> key_usage_names(const ASN1_BIT_STRING* bits);

inline constexpr std::string_view kMsTemplateNameOid = "1.3.6.1.4.1.311.20.2";
inline constexpr std::string_view kMsTemplateV2Oid = "1.3.6.1.4.1.311.21.7";
inline constexpr std::string_view kMsApplicationPoliciesOid = "1.3.6.1.4.1.311.21.10";

// Extensions OpenSSL has no method for but the CA understands.
bool is_known_microsoft_extension(std::string_view oid);

// The template name from a 1.3.6.1.4.1.311.20.2 value ("WebServer"); nullopt if it does not
// decode.
std::optional<std::string> decode_ms_template_name(ByteView der);
// "1.3.6.1.4.1.311.21.8.x v100.4" from a 1.3.6.1.4.1.311.21.7 value; nullopt if it does not
// decode.
std::optional<std::string> decode_ms_template_v2(ByteView der);

}  // namespace pkilab::x509_detail
