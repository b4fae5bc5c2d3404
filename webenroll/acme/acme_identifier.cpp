#include "webenroll/acme/acme_identifier.hpp"

#include <arpa/inet.h>

#include "ca/text.hpp"
#include "webenroll/acme/acme_problem.hpp"

namespace pkilab::acme {

namespace {

bool is_dns_name(const std::string& s) {
    if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.') return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-') return false;
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
        if (c == '-' && label == 0) return false;
        if (++label > 63) return false;
    }
    return true;
}

}  // namespace

// The textual form the CA's SAN parser gives an IP, or empty when `s` is none.
std::string canonical_ip(const std::string& s) {
    unsigned char buf[16];
    char text[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET, s.c_str(), buf) == 1) return inet_ntop(AF_INET, buf, text, sizeof text) ? text : "";
    if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return inet_ntop(AF_INET6, buf, text, sizeof text) ? text : "";
    return {};
}

Identifier read_identifier(const nlohmann::json& j) {
    if (!j.is_object() || !j.contains("type") || !j.contains("value") || !j["type"].is_string() || !j["value"].is_string())
        malformed("an identifier must be {\"type\": ..., \"value\": ...}");
    const std::string type = j["type"].get<std::string>();
    const std::string value = j["value"].get<std::string>();
    if (type == "dns") {
        const std::string v = ascii_lower(value);
        if (!is_dns_name(v.starts_with("*.") ? v.substr(2) : v)) throw AcmeError(400, "rejectedIdentifier", "'" + printable(value.substr(0, 64)) + "' is not a DNS name");
        return {"dns", v};
    }
    if (type == "ip") {
        const std::string v = canonical_ip(value);
        if (v.empty()) throw AcmeError(400, "rejectedIdentifier", "'" + printable(value.substr(0, 64)) + "' is not an IP address");
        return {"ip", v};
    }
    throw AcmeError(400, "unsupportedIdentifier", "identifier type '" + printable(type.substr(0, 16)) + "' is not supported (dns, ip)");
}

}  // namespace pkilab::acme
