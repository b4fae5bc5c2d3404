#include "lab/cli/render.hpp"

#include <sstream>

#include "ca/errors.hpp"
#include "ca/finding_json.hpp"

namespace pkilab::cli {

std::string human_findings(const Findings& findings) {
    std::ostringstream out;
    for (const auto& f : findings) {
        out << "  " << to_string(f.severity) << "  [" << f.source << "] " << f.code;
        if (!f.field.empty()) out << " (" << f.field << ")";
        out << ": " << f.message << "\n";
        if (!f.hint.empty()) out << "      fix: " << f.hint << "\n";
    }
    return out.str();
}

std::string human(const IssuanceOutcome& o) {
    std::ostringstream out;
    out << "Request " << o.request_id << " on " << o.ca << ": " << to_string(o.state) << "\n";
    if (o.certificate) out << "  serial: " << o.certificate->serial << "\n";
    if (o.state != RequestState::Issued) out << "  " << o.disposition << "\n";
    if (o.state == RequestState::Pending)
        out << "  a CA officer approves it with: pkilab request approve " << o.request_id << " --ca " << o.ca << "\n";
    out << human_findings(o.findings);
    return out.str();
}

std::string human(const CertificateInfo& i) {
    std::ostringstream out;
    auto list = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
        return s.empty() ? std::string("-") : s;
    };
    std::vector<std::string> sans;
    for (const auto& n : i.sans) sans.push_back(to_string(n));
    out << "Serial:       " << i.serial << "\n"
        << "Subject:      " << i.subject << "\n"
        << "Issuer:       " << i.issuer << "\n"
        << "Valid:        " << format_time(i.not_before) << " to " << format_time(i.not_after) << "\n"
        << "Key:          " << i.key.description << "\n"
        << "Signature:    " << i.signature_algorithm << "\n"
        << "SANs:         " << list(sans) << "\n"
        << "Key usage:    " << list(i.key_usage) << "\n"
        << "EKU:          " << list(i.extended_key_usage) << "\n";
    if (i.is_ca) out << "CA:           " << (*i.is_ca ? "yes" : "no") << (i.path_length ? ", path length " + std::to_string(*i.path_length) : "") << "\n";
    out << "CDP:          " << list(i.crl_urls) << "\n"
        << "AIA:          " << list(i.ca_issuer_urls) << "\n"
        << "OCSP:         " << list(i.ocsp_urls) << "\n";
    if (!i.ms_template.empty()) out << "MS template:  " << i.ms_template << "\n";
    out << "SHA-256:      " << i.sha256_fingerprint << "\n";
    return out.str();
}

int exit_code_for(const IssuanceOutcome& o) { return o.state == RequestState::Denied ? kExitRefused : kExitOk; }

}  // namespace pkilab::cli
