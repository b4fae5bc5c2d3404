#include "ca/config/acme_config.hpp"

#include <arpa/inet.h>

#include "ca/config/lab_config.hpp"
#include "ca/config/protocols_config.hpp"
#include "ca/text.hpp"

namespace pkilab {

namespace {

bool is_address(const std::string& s) {
    unsigned char buf[16];
    return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool is_segment(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return false;
    return s != "directory" && s != "test-resolver" && s != "." && s != "..";
}

AcmeEndpointConfig read_endpoint(const yaml::Node& n, const LabConfig& lab) {
    n.expect_map({"name", "template", "ca", "eab"});
    AcmeEndpointConfig e;
    e.name = n.require("name").str();
    if (!is_segment(e.name))
        n.require("name").fail("'" + e.name + "' cannot be a URL segment", "use letters, digits, '-', '_' or '.' (not 'directory' or 'test-resolver')");
    if (auto t = n.get("template")) {
        e.template_name = read_lab_template(*t, lab);
    } else {
        e.template_name = read_lab_template(n.require("name"), lab);  // the endpoint is named after its template
    }
    if (auto c = n.get("ca")) {
        const CaConfig& ca = read_lab_ca(*c, lab);
        e.ca = ca.name;
        check_publishes(*c, ca, e.template_name);
    }
    if (auto b = n.get("eab")) e.eab_required = b->boolean();
    return e;
}

}  // namespace

AcmeConfig read_acme_config(const yaml::Node& node, const LabConfig& lab) {
    node.expect_map({"enabled", "http01_port", "hosts", "default_address", "endpoints", "default_endpoint"});
    AcmeConfig c;
    c.where = node.where();
    if (auto e = node.get("enabled")) c.enabled = e->boolean();
    if (auto p = node.get("http01_port")) c.http01_port = static_cast<int>(p->integer(1, 65535));
    if (auto a = node.get("default_address")) {
        c.default_address = a->str();
        if (!is_address(c.default_address)) a->fail("'" + c.default_address + "' is not an IP address");
    }
    if (auto h = node.get("hosts")) {
        for (const auto& [key, value] : h->entries()) {
            const std::string name = ascii_lower(key);
            const std::string address = value.str();
            if (!is_address(address)) value.fail("'" + address + "' (for " + name + ") is not an IP address");
            c.hosts.emplace_back(name, address);
        }
    }
    if (auto list = node.get("endpoints")) {
        for (const auto& n : list->list()) {
            AcmeEndpointConfig e = read_endpoint(n, lab);
            for (const auto& other : c.endpoints)
                if (other.name == e.name) n.fail("a second endpoint named '" + e.name + "'");
            c.endpoints.push_back(std::move(e));
        }
    }
    if (auto d = node.get("default_endpoint")) {
        c.default_endpoint = d->str();
        bool found = c.endpoints.empty() && lab.find_template(c.default_endpoint);
        for (const auto& e : c.endpoints) found = found || e.name == c.default_endpoint;
        if (!found) d->fail("no endpoint named '" + c.default_endpoint + "'");
    }
    return c;
}

}  // namespace pkilab
