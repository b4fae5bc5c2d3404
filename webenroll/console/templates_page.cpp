// GET /console/templates: every template the lab knows (the built-in ones and the lab file's),
// who publishes it and what it lets a request have: the questions an officer asks before
// approving or an auditor before signing off.
#include "webenroll/console/console_page.hpp"
#include "webenroll/console/console_pages.hpp"
#include "webenroll/pages/html.hpp"

namespace pkilab::web::console {

namespace {

using httplib::Response;

std::string joined(const std::vector<std::string>& items, const char* none) {
    if (items.empty()) return "<span class=\"muted\">" + std::string(none) + "</span>";
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + html_escape(item);
    return out;
}

std::string key_rules(const KeyPolicy& k) {
    std::vector<std::string> rules;
    if (k.rsa_min_bits > 0)
        rules.push_back("RSA&nbsp;&ge;&nbsp;" + std::to_string(k.rsa_min_bits) + (k.allow_rsa_1024 ? " (1024 allowed: legacy)" : ""));
    if (!k.ec_curves.empty()) {
        std::string ec = "ECDSA ";
        for (std::size_t i = 0; i < k.ec_curves.size(); ++i) ec += (i ? ", " : "") + html_escape(k.ec_curves[i]);
        rules.push_back(ec);
    }
    if (k.allow_ed25519) rules.push_back("Ed25519");
    if (rules.empty()) return "<span class=\"error-text\">no key is allowed</span>";
    std::string out;
    for (const auto& r : rules) out += (out.empty() ? "" : "<br>") + r;  // each piece escaped above
    return out;
}

std::string subject_rule(const CertificateTemplate& t) {
    if (t.subject_source == SubjectSource::Template) return "fixed: " + html_escape(t.subject);
    std::string out = "from the request";
    if (!t.required_subject_attributes.empty()) out += ", requires " + joined(t.required_subject_attributes, "");
    return out;
}

std::string san_rules(const CertificateTemplate& t) {
    if (t.san_rules.empty()) return "<span class=\"muted\">no SAN allowed</span>";
    std::string out;
    for (const auto& rule : t.san_rules) {
        out += (out.empty() ? "" : "<br>") + std::string("<code>") + to_string(rule.type) + "</code>";
        std::vector<std::string> parts;
        if (rule.required) parts.push_back("required");
        if (!rule.patterns.empty()) {
            std::string p;
            for (const auto& pattern : rule.patterns) p += (p.empty() ? "" : " ") + html_escape(pattern);
            parts.push_back(p);
        }
        if (rule.max > 0) parts.push_back("at most " + std::to_string(rule.max));
        if (!parts.empty()) {
            out += " <span class=\"muted\">";
            for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];  // escaped above
            out += "</span>";
        }
    }
    if (!t.san_from_request_extension) out += "<br><span class=\"muted\">SANs in the CSR are ignored</span>";
    return out;
}

std::string enroll_rule(const CertificateTemplate& t) {
    if (t.enroll.empty()) return "enrollee, officer, admin <span class=\"muted\">(default)</span>";
    return joined(t.enroll, "");
}

std::string purposes(const CertificateTemplate& t) {
    std::string out = joined(t.extended_key_usage, "no EKU");
    if (t.is_ca)
        out += "<br>" + badge("ca", "CA") +
               (t.path_length ? " pathLen " + std::to_string(*t.path_length) : std::string());
    if (!t.key_usage.empty()) out += "<br><span class=\"muted\">KU " + joined(t.key_usage, "") + "</span>";
    return out;
}

void templates(const WebServices& s, const WebRequest& r, Response& res) {
    const Lab& lab = s.lab;
    std::string body = "<p class=\"muted\">The built-in templates and the lab file's. A template does nothing until a CA "
                       "publishes it (the CA's <code>templates:</code> in the lab file).</p>";
    body += "<table><thead><tr><th>Template</th><th>Published by</th><th>Subject</th><th>SANs</th><th>Keys</th>"
            "<th>Validity</th><th>Purposes (EKU)</th><th>Issuance</th><th>Who may enroll</th></tr></thead><tbody>";
    for (const auto& t : lab.config().templates) {
        std::vector<std::string> publishers;
        for (const auto& ca : lab.cas())
            if (ca.publishes(t.name)) publishers.push_back(ca.name());
        body += "<tr id=\"t-" + html_escape(t.name) + "\"><td><strong>" + html_escape(t.name) + "</strong> <span class=\"muted\">v" +
                html_escape(t.version_string()) + "</span>";
        if (!t.display_name.empty() && t.display_name != t.name)
            body += "<br><span class=\"muted\">" + html_escape(t.display_name) + "</span>";
        body += "</td><td>" + joined(publishers, "no CA") + "</td><td>" + subject_rule(t) + "</td><td>" + san_rules(t) +
                "</td><td>" + key_rules(t.keys) + "</td><td>" + html_escape(format_duration(t.validity)) + "</td><td>" +
                purposes(t) + "</td><td>" +
                (t.pend_all_requests ? badge("pending", "officer approval") : badge("ok", "automatic"));
        if (!t.policy.empty()) body += "<br><span class=\"muted\">plugins " + joined(t.policy, "") + "</span>";
        if (t.allow_csr_extensions) body += "<br>" + badge("warning", "copies CSR extensions");
        if (t.allow_server_keygen) body += "<br><span class=\"muted\">server key generation</span>";
        body += "</td><td>" + enroll_rule(t) + "</td></tr>";
    }
    body += "</tbody></table>";
    send_console_page(res, r, Tab::Templates, "Templates", body);
}

}  // namespace

void add_templates_page(Router& router, WebServices& s) {
    router.add({"GET", "/console/templates", Access::Read, RouteStyle::Console,
                "Every template: publishers, key rules, validity, EKU, approval, enroll permissions",
                [&s](const WebRequest& r, Response& res) { templates(s, r, res); }});
}

}  // namespace pkilab::web::console
