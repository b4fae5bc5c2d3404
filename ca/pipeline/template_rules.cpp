#include "ca/pipeline/template_rules.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "ca/x509/name.hpp"

namespace pkilab {

namespace {

Finding refusal(std::string code, std::string field, std::string message, std::string hint) {
    return Finding{"template", std::move(code), Severity::Error, std::move(field), std::move(message),
                   std::move(hint)};
}

char fold(char c, bool ci) { return ci ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c; }

void check_subject(const ParsedCsr& csr, const CertificateTemplate& tmpl, Findings& out) {
    if (tmpl.subject_source == SubjectSource::Template) return;  // the template supplies it
    const X509_NAME* subject = X509_REQ_get_subject_name(csr.req.get());
    for (const auto& attr : tmpl.required_subject_attributes) {
        int nid = OBJ_txt2nid(attr == "E" ? "emailAddress" : attr.c_str());
        if (nid == NID_undef || X509_NAME_get_index_by_NID(subject, nid, -1) < 0)
            out.push_back(refusal("template.subject.missing_attribute", "subject." + attr,
                                  "template " + tmpl.name + " requires " + attr + " in the subject",
                                  "put " + attr + "=... in the request's subject"));
    }
    if (X509_NAME_entry_count(subject) == 0 && csr.sans.empty())
        out.push_back(refusal("template.subject.empty", "subject",
                              "the request has neither a subject nor subject alternative names",
                              "supply a subject DN or at least one SAN"));
}

void check_names(const ParsedCsr& csr, const CertificateTemplate& tmpl, Findings& out) {
    if (!tmpl.san_from_request_extension) return;
    if (csr.sans.size() > tmpl.max_sans)
        out.push_back(refusal("template.san.too_many", "san",
                              "the request has " + std::to_string(csr.sans.size()) + " names; template " +
                                  tmpl.name + " allows " + std::to_string(tmpl.max_sans),
                              "split the names over several certificates"));
    std::map<NameType, size_t> per_type;
    for (size_t i = 0; i < csr.sans.size(); ++i) {
        const GeneralName& n = csr.sans[i];
        const std::string field = "san[" + std::to_string(i) + "]";
        auto rule = std::find_if(tmpl.san_rules.begin(), tmpl.san_rules.end(),
                                 [&](const SanRule& r) { return r.type == n.type; });
        if (rule == tmpl.san_rules.end()) {
            out.push_back(refusal("template.san.type_not_allowed", field,
                                  std::string(to_string(n.type)) + " names are not allowed by template " + tmpl.name +
                                      " (" + to_string(n) + ")",
                                  "remove this name or use a template that allows " + std::string(to_string(n.type)) +
                                      " names"));
            continue;
        }
        ++per_type[n.type];
        if (!rule->patterns.empty()) {
            bool ci = n.type == NameType::Dns || n.type == NameType::Email || n.type == NameType::Upn;
            bool ok = std::any_of(rule->patterns.begin(), rule->patterns.end(),
                                  [&](const std::string& p) { return glob_match(p, n.value, ci); });
            if (!ok) {
                std::string allowed;
                for (const auto& p : rule->patterns) allowed += (allowed.empty() ? "" : ", ") + p;
                out.push_back(refusal("template.san.pattern", field,
                                      to_string(n) + " does not match the names template " + tmpl.name + " allows",
                                      "use a name matching one of: " + allowed));
            }
        }
    }
    for (const auto& rule : tmpl.san_rules) {
        size_t count = per_type[rule.type];
        if (rule.required && count == 0)
            out.push_back(refusal("template.san.required", "san",
                                  "template " + tmpl.name + " requires at least one " + to_string(rule.type) +
                                      " name in the subject alternative names",
                                  std::string("add a ") + to_string(rule.type) + " SAN to the request"));
        if (rule.max != 0 && count > rule.max)
            out.push_back(refusal("template.san.too_many", "san",
                                  "the request has " + std::to_string(count) + " " + to_string(rule.type) +
                                      " names; template " + tmpl.name + " allows " + std::to_string(rule.max),
                                  "remove names or split them over several certificates"));
    }
}

void check_key(const ParsedCsr& csr, const CertificateTemplate& tmpl, Findings& out) {
    const KeyInfo& k = csr.key;
    const KeyPolicy& p = tmpl.keys;
    switch (k.algorithm) {
        case KeyAlgorithm::Rsa:
            if (p.rsa_min_bits == 0) {
                out.push_back(refusal("template.key.algorithm", "key", "template " + tmpl.name + " does not accept RSA keys",
                                      "make the key with an allowed algorithm"));
            } else if (k.bits < p.rsa_min_bits || (k.bits < 2048 && !p.allow_rsa_1024)) {
                out.push_back(refusal("template.key.size", "key",
                                      k.description + " is smaller than the " +
                                          std::to_string(std::max(p.rsa_min_bits, p.allow_rsa_1024 ? 1024 : 2048)) +
                                          " bits template " + tmpl.name + " requires",
                                      "make a larger key, e.g. openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072"));
            } else if (k.bits > 16384) {
                out.push_back(refusal("template.key.size", "key", k.description + " is larger than 16384 bits",
                                      "use a 2048 to 4096-bit key"));
            }
            // Small exponents invite signature forgery on careless verifiers (Bleichenbacher 2006).
            if (k.rsa_exponent != 0 && k.rsa_exponent < 65537)
                out.push_back(refusal("template.key.rsa_exponent", "key",
                                      "RSA public exponent " + std::to_string(k.rsa_exponent) + " is below 65537",
                                      "generate the key with exponent 65537 (the default of every modern tool)"));
            break;
        case KeyAlgorithm::Ec:
            if (std::find(p.ec_curves.begin(), p.ec_curves.end(), k.curve) == p.ec_curves.end()) {
                std::string allowed;
                for (const auto& c : p.ec_curves) allowed += (allowed.empty() ? "" : ", ") + c;
                out.push_back(refusal("template.key.curve", "key",
                                      k.description + " is not accepted by template " + tmpl.name,
                                      allowed.empty() ? "use an RSA key" : "use one of these curves: " + allowed));
            }
            break;
        case KeyAlgorithm::Ed25519:
            if (!p.allow_ed25519)
                out.push_back(refusal("template.key.algorithm", "key", "template " + tmpl.name + " does not accept Ed25519 keys",
                                      "make an RSA or ECDSA key"));
            break;
    }
}

void check_ca_request(const ParsedCsr& csr, const CertificateTemplate& tmpl, Findings& out) {
    if (csr.requests_ca && !tmpl.is_ca)
        out.push_back(refusal("template.basic_constraints.ca_requested", "extensions.basicConstraints",
                              "the request asks for a CA certificate (cA=TRUE) but template " + tmpl.name +
                                  " issues end-entity certificates",
                              "remove basicConstraints from the request, or use the SubCA template"));
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool ci) {
    // Iterative matcher with single-star backtracking: linear in practice, no recursion.
    size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || fold(pattern[p], ci) == fold(text[t], ci))) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

Findings check_request_against_template(const ParsedCsr& csr, const CertificateTemplate& tmpl) {
    Findings out;
    check_subject(csr, tmpl, out);
    check_names(csr, tmpl, out);
    check_key(csr, tmpl, out);
    check_ca_request(csr, tmpl, out);
    return out;
}

}  // namespace pkilab
