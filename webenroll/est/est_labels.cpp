#include "webenroll/est/est_labels.hpp"

#include <algorithm>
#include <map>

#include "ca/config/est_config.hpp"
#include "ca/errors.hpp"
#include "ca/text.hpp"

namespace pkilab::web::est {

namespace {

bool publishes(const CaConfig& ca, const std::string& template_name) {
    return std::find(ca.templates.begin(), ca.templates.end(), template_name) != ca.templates.end();
}

}  // namespace

bool end_entity_template(const CertificateTemplate& t) {
    if (t.is_ca || t.ocsp_no_check) return false;
    return std::none_of(t.extended_key_usage.begin(), t.extended_key_usage.end(), [](const std::string& u) {
        const std::string l = ascii_lower(u);
        return l == "ocspsigning" || l == "1.3.6.1.5.5.7.3.9";
    });
}

Endpoints Endpoints::resolve(const LabConfig& config, const std::string& certsrv_ca) {
    const EstConfig& est = config.protocols.est;
    const std::string where = est.where.empty() ? config.source.string() : est.where;
    const std::string ca_name = est.ca.empty() ? certsrv_ca : est.ca;
    const CaConfig* ca = config.find_ca(ca_name);
    if (!ca) throw InputError(where, "protocols.est.ca", "names no CA of the lab: " + ca_name);

    Endpoints out;
    out.default_.ca = ca->name;
    if (!est.template_name.empty()) {
        if (!publishes(*ca, est.template_name))
            throw InputError(where, "protocols.est.template",
                             "CA " + ca->name + " does not publish template " + est.template_name,
                             "add it to the CA's templates, or set protocols.est.ca");
        out.default_.template_name = est.template_name;
    } else if (publishes(*ca, "WebServer")) {
        out.default_.template_name = "WebServer";
    } else {
        for (const std::string& name : ca->templates) {
            const CertificateTemplate* t = config.find_template(name);
            if (t && end_entity_template(*t)) {
                out.default_.template_name = name;
                break;
            }
        }
        if (out.default_.template_name.empty())
            throw InputError(where, "protocols.est", "CA " + ca->name + " publishes no end-entity template for EST",
                             "set protocols.est.ca and protocols.est.template, or protocols.est.enabled: false");
    }

    for (const EstLabel& l : est.labels) {
        const std::string label_ca = l.ca.empty() ? ca->name : l.ca;
        const CaConfig* c = config.find_ca(label_ca);
        if (!c || !publishes(*c, l.template_name))
            throw InputError(l.where.empty() ? where : l.where, "protocols.est.labels",
                             "label " + l.label + ": CA " + label_ca + " does not publish template " + l.template_name,
                             "add it to the CA's templates, or give the label a ca: that publishes it");
        out.labels_.push_back({l.label, l.template_name, label_ca});
    }
    if (est.template_labels) {
        std::map<std::string, int> uses;
        for (const std::string& name : ca->templates) ++uses[ascii_lower(name)];
        for (const std::string& name : ca->templates) {
            const CertificateTemplate* t = config.find_template(name);
            const std::string label = ascii_lower(name);
            const bool taken = std::any_of(out.labels_.begin(), out.labels_.end(),
                                           [&](const Endpoint& e) { return ascii_lower(e.label) == label; });
            if (t && end_entity_template(*t) && uses[label] == 1 && !taken && est_label_problem(label).empty())
                out.labels_.push_back({label, name, ca->name});
        }
    }
    return out;
}

const Endpoint* Endpoints::find(std::string_view label) const {
    for (const auto& e : labels_)
        if (e.label == label) return &e;
    return nullptr;
}

}  // namespace pkilab::web::est
