#pragma once
// Which template (and CA) each EST path enrolls for: /.well-known/est/OP is the default
// endpoint, /.well-known/est/LABEL/OP a label (RFC 7030 §3.2.2), from protocols.est.
#include <string>
#include <string_view>
#include <vector>

#include "ca/config/lab_config.hpp"

namespace pkilab::web::est {

struct Endpoint {
    std::string label;  // empty for the default endpoint
    std::string template_name;
    std::string ca;
};

class Endpoints {
public:
    // The lab's endpoints: `certsrv_ca` is the CA when protocols.est names none. Labels from
    // protocols.est.labels first; then, with template_labels, every end-entity template the CA
    // publishes by its lower-case name (SubCA and OCSP signing ones are not for EST clients),
    // unless a label of the file has that name or two templates would share it. InputError
    // when the CA does not publish the default template or publishes no end-entity template.
    static Endpoints resolve(const LabConfig& config, const std::string& certsrv_ca);

    const Endpoint& default_endpoint() const { return default_; }
    const std::vector<Endpoint>& labels() const { return labels_; }
    const Endpoint* find(std::string_view label) const;  // exact match; null when unknown

private:
    Endpoint default_;
    std::vector<Endpoint> labels_;
};

// A template an EST device may enroll for: not a CA's, not an OCSP responder's.
bool end_entity_template(const CertificateTemplate& t);

}  // namespace pkilab::web::est
