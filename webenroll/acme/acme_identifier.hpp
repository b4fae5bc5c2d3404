#pragma once
// The identifiers an order may name (RFC 8555 §9.7.7 dns, RFC 8738 ip).
#include <string>

#include <nlohmann/json.hpp>

#include "webenroll/acme/acme_model.hpp"

namespace pkilab::acme {

// The textual form the CA's SAN parser gives an IP (RFC 5952 for v6), or empty when `s` is none.
std::string canonical_ip(const std::string& s);
// {"type": "dns"|"ip", "value": ...}, normalized (lower case, canonical address). AcmeError
// (malformed, rejectedIdentifier, unsupportedIdentifier) otherwise. A wildcard is "*." and a
// name (its authorization offers dns-01 only).
Identifier read_identifier(const nlohmann::json& j);

}  // namespace pkilab::acme
