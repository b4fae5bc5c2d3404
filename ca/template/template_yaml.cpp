#include "ca/template/template_yaml.hpp"
#include "ca/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <set>

#include "ca/config/web_config.hpp"
#include "ca/errors.hpp"
#include "ca/x509/name.hpp"

namespace pkilab {

namespace {

using yaml::Node;

using yaml::at;

// Extensions the CA writes itself from other template keys; a raw copy would duplicate them.
constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kManagedExtensions{{
    {"2.5.29.14", "subjectKeyIdentifier (always written)"},
    {"2.5.29.15", "keyUsage (use key_usage)"},
    {"2.5.29.17", "subjectAltName (use san)"},
    {"2.5.29.18", "issuerAltName"},
    {"2.5.29.19", "basicConstraints (use basic_constraints)"},
    {"2.5.29.30", "nameConstraints (set on the CA)"},
    {"2.5.29.31", "cRLDistributionPoints (use include.cdp and the CA's cdp)"},
    {"2.5.29.32", "certificatePolicies (use certificate_policies)"},
    {"2.5.29.35", "authorityKeyIdentifier (always written)"},
    {"2.5.29.37", "extKeyUsage (use extended_key_usage)"},
    {"2.5.29.46", "freshestCRL (use include.freshest_crl)"},
    {"1.3.6.1.5.5.7.1.1", "authorityInfoAccess (use include.aia/include.ocsp)"},
    {"1.3.6.1.5.5.7.48.1.5", "OCSP no-check (use ocsp_no_check)"},
    {"1.3.6.1.4.1.311.20.2", "Microsoft template name (use microsoft.template_name)"},
    {"1.3.6.1.4.1.311.21.7", "Microsoft template information (use microsoft.template_oid)"},
}};

std::pair<int, int> parse_version(const Node& node) {
    const std::string s = node.str();
    const size_t dot = s.find('.');
    auto number = [&](std::string_view part, int& out) {
        if (part.empty() || part.size() > 9) return false;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
        return ec == std::errc() && end == part.data() + part.size() && part[0] != '-' && part[0] != '+';
    };
    int major = 0, minor = 0;
    if (dot == std::string::npos || !number(std::string_view(s).substr(0, dot), major) ||
        !number(std::string_view(s).substr(dot + 1), minor))
        node.fail("'" + s + "' is not a version", "write \"major.minor\" with whole numbers, e.g. \"4.1\" (quoted)");
    return {major, minor};
}

Duration parse_positive_duration(const Node& node, bool allow_zero) {
    const Duration d = at(node, [&] { return parse_duration(node.str(), node.path()); });
    if (d.count() == 0 && !allow_zero) node.fail("must be longer than zero", "write e.g. 1y, 90d or 12h");
    return d;
}

std::string normalize_curve(const Node& node) {
    const std::string word = ascii_lower(node.str());
    if (word == "p-256" || word == "p256" || word == "secp256r1" || word == "prime256v1") return "P-256";
    if (word == "p-384" || word == "p384" || word == "secp384r1") return "P-384";
    if (word == "p-521" || word == "p521" || word == "secp521r1") return "P-521";
    node.fail("unknown EC curve '" + node.str() + "'", "the CA supports P-256, P-384 and P-521");
}

bool key_allowed(const KeyPolicy& policy, const KeySpec& spec) {
    switch (spec.algorithm) {
        case KeyAlgorithm::Rsa:
            return policy.rsa_min_bits > 0 && spec.bits >= policy.rsa_min_bits &&
                   (spec.bits >= 2048 || policy.allow_rsa_1024);
        case KeyAlgorithm::Ec:
            return std::find(policy.ec_curves.begin(), policy.ec_curves.end(), spec.curve) != policy.ec_curves.end();
        case KeyAlgorithm::Ed25519: return policy.allow_ed25519;
    }
    return false;
}

void read_subject(const Node& n, CertificateTemplate& t) {
    n.expect_map({"source", "dn", "require"});
    if (auto s = n.get("source")) {
        const std::string v = s->str();
        if (v == "request") t.subject_source = SubjectSource::Request;
        else if (v == "template") t.subject_source = SubjectSource::Template;
        else s->fail("unknown subject source '" + v + "'",
                     "write request (AD CS \"Supply in the request\") or template (the fixed dn below)");
    }
    if (auto dn = n.get("dn")) {
        t.subject = dn->str();
        at(*dn, [&] { parse_dn(t.subject, dn->where(), dn->path()); });
    }
    if (auto req = n.get("require")) {
        t.required_subject_attributes.clear();
        for (const auto& item : req->list()) {
            const std::string name = ascii_upper(item.str());
            // parse_dn owns the attribute table; a throwaway value checks the name against it.
            at(item, [&] { parse_dn(name + "=AA", item.where(), item.path()); });
            t.required_subject_attributes.push_back(name);
        }
    }
    if (t.subject_source == SubjectSource::Request && !n.has("dn")) t.subject.clear();
    if (t.subject_source == SubjectSource::Template && t.subject.empty())
        n.fail("source: template needs a dn", "add dn: \"CN=..., O=...\" or use source: request");
    if (t.subject_source == SubjectSource::Request && n.has("dn"))
        n.require("dn").fail("dn is only used with source: template",
                             "remove dn, or set source: template to force this subject");
}

SanRule read_san_rule(const Node& n, NameType type) {
    n.expect_map({"required", "patterns", "max"});
    SanRule rule;
    rule.type = type;
    if (auto r = n.get("required")) rule.required = r->boolean();
    if (auto m = n.get("max")) rule.max = static_cast<size_t>(m->integer(0, 10000));
    if (auto p = n.get("patterns")) {
        for (const auto& item : p->list()) {
            std::string pattern = item.str();
            if (pattern.empty()) item.fail("empty pattern", "write e.g. \"*.lab.test\"");
            // Check the pattern as a name, with each '*' standing for something that fits there.
            std::string sample = pattern;
            const std::string stand_in = type == NameType::Ip ? "1" : "x";
            for (size_t pos; (pos = sample.find('*')) != std::string::npos;) sample.replace(pos, 1, stand_in);
            at(item, [&] { parse_general_name(std::string(to_string(type)) + ":" + sample, item.where()); });
            rule.patterns.push_back(std::move(pattern));
        }
    }
    return rule;
}

void read_san(const Node& n, CertificateTemplate& t) {
    n.expect_map({"dns", "ip", "email", "uri", "upn", "max_total", "from_request"});
    // `san` replaces the base's SAN policy whole: a name type not listed here is refused.
    t.san_rules.clear();
    t.max_sans = 100;
    t.san_from_request_extension = true;
    for (std::string_view word : {"dns", "ip", "email", "uri", "upn"}) {
        if (auto r = n.get(word)) {
            const NameType type = at(*r, [&] { return parse_name_type(word, r->where()); });
            t.san_rules.push_back(read_san_rule(*r, type));
        }
    }
    if (auto m = n.get("max_total")) t.max_sans = static_cast<size_t>(m->integer(1, 10000));
    if (auto f = n.get("from_request")) t.san_from_request_extension = f->boolean();
}

void read_keys(const Node& n, CertificateTemplate& t) {
    n.expect_map({"rsa_min_bits", "allow_rsa_1024", "ec_curves", "ed25519"});
    if (auto b = n.get("rsa_min_bits")) t.keys.rsa_min_bits = static_cast<int>(b->integer(0, 16384));
    if (auto a = n.get("allow_rsa_1024")) t.keys.allow_rsa_1024 = a->boolean();
    if (auto c = n.get("ec_curves")) {
        t.keys.ec_curves.clear();
        for (const auto& item : c->list()) {
            std::string curve = normalize_curve(item);
            if (std::find(t.keys.ec_curves.begin(), t.keys.ec_curves.end(), curve) != t.keys.ec_curves.end())
                item.fail("curve " + curve + " is listed twice");
            t.keys.ec_curves.push_back(std::move(curve));
        }
    }
    if (auto e = n.get("ed25519")) t.keys.allow_ed25519 = e->boolean();

    const int bits = t.keys.rsa_min_bits;
    const Node& where = n.has("rsa_min_bits") ? n.require("rsa_min_bits") : n;
    if (bits != 0 && bits != 1024 && bits < 2048)
        where.fail("rsa_min_bits " + std::to_string(bits) + " is not a supported minimum",
                   "write 0 (no RSA), 1024 (legacy, with allow_rsa_1024: true) or 2048 and up");
    if (bits == 1024 && !t.keys.allow_rsa_1024)
        where.fail("rsa_min_bits 1024 needs allow_rsa_1024: true",
                   "RSA-1024 is broken; set allow_rsa_1024: true only to simulate a legacy template");
    if (bits == 0 && t.keys.ec_curves.empty() && !t.keys.allow_ed25519)
        n.fail("no key type is allowed", "allow RSA (rsa_min_bits), an EC curve (ec_curves) or ed25519");
}

void read_key_usage(const Node& n, CertificateTemplate& t) {
    n.expect_map({"usages", "critical"});
    if (auto u = n.get("usages")) {
        auto usages = u->str_list();
        // An empty list is allowed here: it removes a base template's key usage.
        if (!usages.empty()) at(*u, [&] { check_key_usage_names(usages, u->where()); });
        t.key_usage = std::move(usages);
    }
    if (auto c = n.get("critical")) t.key_usage_critical = c->boolean();
}

std::vector<std::string> read_eku_list(const Node& n) {
    std::vector<std::string> out;
    for (const auto& item : n.list()) {
        std::string name = item.str();
        const std::string oid = at(item, [&] { return resolve_eku(name, item.where()); });
        for (const auto& prev : out)
            if (at(item, [&] { return resolve_eku(prev, item.where()); }) == oid)
                item.fail(prev == name ? "'" + name + "' is listed twice" : "'" + name + "' is " + prev + " again",
                          "list each usage once");
        out.push_back(std::move(name));
    }
    return out;
}

void read_eku(const Node& n, CertificateTemplate& t) {
    n.expect_map({"usages", "critical"});
    if (auto u = n.get("usages")) t.extended_key_usage = read_eku_list(*u);
    if (auto c = n.get("critical")) t.extended_key_usage_critical = c->boolean();
}

void read_basic_constraints(const Node& n, CertificateTemplate& t) {
    n.expect_map({"ca", "path_length", "on_end_entity"});
    if (auto c = n.get("ca")) {
        t.is_ca = c->boolean();
        if (!t.is_ca) t.path_length.reset();
    }
    if (auto p = n.get("path_length")) {
        if (!t.is_ca) p->fail("path_length is only meaningful with ca: true", "set ca: true or remove path_length");
        t.path_length = static_cast<int>(p->integer(0, 100));
    }
    if (auto e = n.get("on_end_entity")) t.basic_constraints_on_end_entity = e->boolean();
}

std::vector<PolicyInfo> read_certificate_policies(const Node& n) {
    std::vector<PolicyInfo> out;
    for (const auto& item : n.list()) {
        item.expect_map({"oid", "cps", "notice"});
        PolicyInfo p;
        const Node oid = item.require("oid");
        p.oid = oid.str();
        if (p.oid == "anyPolicy") p.oid = "2.5.29.32.0";
        at(oid, [&] { check_oid(p.oid, oid.where()); });
        if (auto cps = item.get("cps")) {
            p.cps_uri = cps->str();
            at(*cps, [&] { validate_general_name(GeneralName{NameType::Uri, p.cps_uri}, cps->where()); });
        }
        if (auto notice = item.get("notice")) {
            p.user_notice = notice->str();
            // RFC 5280 4.2.1.4: explicitText is at most 200 characters.
            if (p.user_notice.empty() || p.user_notice.size() > 200)
                notice->fail("a notice must be 1 to 200 characters", "shorten the text (RFC 5280 4.2.1.4)");
        }
        for (const auto& prev : out)
            if (prev.oid == p.oid) oid.fail("policy " + p.oid + " is listed twice");
        out.push_back(std::move(p));
    }
    return out;
}

void read_include(const Node& n, CertificateTemplate& t) {
    n.expect_map({"cdp", "aia", "ocsp", "freshest_crl"});
    if (auto v = n.get("cdp")) t.include_cdp = v->boolean();
    if (auto v = n.get("aia")) t.include_aia = v->boolean();
    if (auto v = n.get("ocsp")) t.include_ocsp = v->boolean();
    if (auto v = n.get("freshest_crl")) t.include_freshest_crl = v->boolean();
}

std::vector<CustomExtension> read_custom_extensions(const Node& n) {
    std::vector<CustomExtension> out;
    for (const auto& item : n.list()) {
        item.expect_map({"oid", "der_hex", "critical"});
        CustomExtension ext;
        const Node oid = item.require("oid");
        ext.oid = oid.str();
        at(oid, [&] { check_oid(ext.oid, oid.where()); });
        for (const auto& [managed, what] : kManagedExtensions)
            if (ext.oid == managed)
                oid.fail("extension " + ext.oid + " is written by the CA itself: " + std::string(what),
                         "use the template key named above instead of a custom extension");
        for (const auto& prev : out)
            if (prev.oid == ext.oid) oid.fail("extension " + ext.oid + " is listed twice", "an extension may appear once");
        if (auto c = item.get("critical")) ext.critical = c->boolean();
        const Node hex = item.require("der_hex");
        ext.value = at(hex, [&] { return from_hex(hex.str(), hex.path()); });
        // Building it once checks that the value is one complete DER element.
        at(hex, [&] { make_raw_extension(ext.oid, ext.value, ext.critical, hex.where()); });
        out.push_back(std::move(ext));
    }
    return out;
}

void read_microsoft(const Node& n, CertificateTemplate& t) {
    n.expect_map({"template_name", "template_oid", "major", "minor"});
    if (auto name = n.get("template_name")) {
        t.ms_template_name = name->str();
        if (t.ms_template_name.empty()) name->fail("empty template name");
        at(*name, [&] { make_ms_template_name(t.ms_template_name); });
    }
    if (auto oid = n.get("template_oid")) {
        MsTemplateV2 v2 = t.ms_template_v2.value_or(MsTemplateV2{});
        v2.oid = oid->str();
        at(*oid, [&] { check_oid(v2.oid, oid->where()); });
        t.ms_template_v2 = v2;
    }
    const auto major = n.get("major");
    const auto minor = n.get("minor");
    if ((major || minor) && !t.ms_template_v2)
        (major ? *major : *minor).fail("major/minor need a template_oid", "add template_oid: 1.3.6.1.4.1.311.21.8...");
    if (major) t.ms_template_v2->major = static_cast<int>(major->integer(0, 2147483647));
    if (minor) t.ms_template_v2->minor = static_cast<int>(minor->integer(0, 2147483647));
}

void read_issuance(const Node& n, CertificateTemplate& t) {
    n.expect_map({"pend_all_requests", "allow_csr_extensions"});
    if (auto v = n.get("pend_all_requests")) t.pend_all_requests = v->boolean();
    if (auto v = n.get("allow_csr_extensions")) t.allow_csr_extensions = v->boolean();
}

void read_server_keygen(const Node& n, CertificateTemplate& t) {
    n.expect_map({"allowed", "key"});
    if (auto v = n.get("allowed")) t.allow_server_keygen = v->boolean();
    if (auto k = n.get("key")) t.server_keygen_key = at(*k, [&] { return parse_key_spec(k->str(), k->path()); });
}

std::vector<std::string> read_enroll(const Node& n) {
    const std::vector<Node> items = n.list();
    // Empty already means the default, so [] would not keep anyone out, as it seems to say.
    if (items.empty())
        n.fail("enroll is an empty list",
               "leave enroll out for the default (enrollee, officer and admin), or list the roles and users who may enroll");
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& item : items) {
        check_web_name(item, "role or user");
        std::string name = item.str();
        if (!seen.insert(name).second) item.fail("'" + name + "' is listed twice", "list it once");
        out.push_back(std::move(name));
    }
    return out;
}

// Rules that tie several keys together, checked on the merged result (a base may supply half).
void check_consistency(const Node& n, const CertificateTemplate& t) {
    auto node_for = [&](std::string_view key) { return n.has(key) ? n.require(key) : n; };
    const bool cert_sign = std::any_of(t.key_usage.begin(), t.key_usage.end(),
                                       [](const std::string& u) { return ascii_lower(u) == "keycertsign"; });
    // RFC 5280 4.2.1.9: keyCertSign if and only if cA.
    if (cert_sign && !t.is_ca)
        node_for("key_usage").fail("keyCertSign needs basic_constraints.ca: true (RFC 5280 4.2.1.9)",
                                   "remove keyCertSign, or set basic_constraints: {ca: true}");
    if (t.is_ca && !cert_sign)
        node_for("basic_constraints").fail("a CA template needs keyCertSign in key_usage (RFC 5280 4.2.1.3)",
                                           "add keyCertSign (and usually cRLSign) to key_usage.usages");
    if (t.allow_server_keygen && !key_allowed(t.keys, t.server_keygen_key))
        node_for("server_keygen").fail("server_keygen.key " + to_string(t.server_keygen_key) +
                                           " is not allowed by this template's keys policy",
                                       "pick a key the keys section allows");
    if (t.backdate >= t.validity)
        node_for("backdate").fail("backdate " + format_duration(t.backdate) + " is not shorter than validity " +
                                      format_duration(t.validity),
                                  "backdate is usually an hour or so");
}

}  // namespace

void check_identifier(const Node& node, std::string_view what) {
    const std::string s = node.str();
    auto ok_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    };
    if (s.empty() || s.size() > 64 || !std::isalnum(static_cast<unsigned char>(s[0])) ||
        !std::all_of(s.begin(), s.end(), ok_char))
        node.fail("'" + s + "' is not a valid " + std::string(what) + " name",
                  "use 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit");
}

CertificateTemplate parse_template(const Node& node, const TemplateLookup& bases) {
    node.expect_map({"name", "display_name", "description", "version", "base", "replace", "subject", "san",
                     "keys", "key_usage", "extended_key_usage", "application_policies", "basic_constraints",
                     "certificate_policies", "validity", "backdate", "include", "ocsp_no_check",
                     "custom_extensions", "microsoft", "issuance", "server_keygen", "policy", "enroll"});
    const Node name_node = node.require("name");
    check_identifier(name_node, "template");
    const std::string name = name_node.str();

    CertificateTemplate t;
    if (auto b = node.get("base")) {
        const std::string base_name = b->str();
        const CertificateTemplate* base = bases ? bases(base_name) : nullptr;
        if (!base) b->fail("base template '" + base_name + "' is not defined",
                           "name a built-in (WebServer, Computer, User, SubCA, LyncServer, OCSPResponseSigning) "
                           "or a template defined earlier in the file");
        t = *base;
        // A derived template is a new template: it keeps the base's policy but not its identity.
        if (base->name != name) {
            t.display_name.clear();
            t.description.clear();
            t.major_version = 1;
            t.minor_version = 0;
            t.ms_template_name.clear();
            t.ms_template_v2.reset();
        }
    }
    t.name = name;
    if (auto d = node.get("display_name")) t.display_name = d->str();
    if (t.display_name.empty()) t.display_name = name;
    if (auto d = node.get("description")) t.description = d->str();
    if (auto v = node.get("version")) std::tie(t.major_version, t.minor_version) = parse_version(*v);
    if (auto r = node.get("replace")) r->boolean();

    if (auto s = node.get("subject")) read_subject(*s, t);
    if (auto s = node.get("san")) read_san(*s, t);
    if (auto k = node.get("keys")) read_keys(*k, t);
    if (auto k = node.get("key_usage")) read_key_usage(*k, t);
    if (auto e = node.get("extended_key_usage")) read_eku(*e, t);
    if (auto a = node.get("application_policies")) t.application_policies = read_eku_list(*a);
    if (auto b = node.get("basic_constraints")) read_basic_constraints(*b, t);
    if (auto p = node.get("certificate_policies")) t.certificate_policies = read_certificate_policies(*p);
    if (auto v = node.get("validity")) t.validity = parse_positive_duration(*v, false);
    if (auto b = node.get("backdate")) t.backdate = parse_positive_duration(*b, true);
    if (auto i = node.get("include")) read_include(*i, t);
    if (auto o = node.get("ocsp_no_check")) t.ocsp_no_check = o->boolean();
    if (auto c = node.get("custom_extensions")) t.custom_extensions = read_custom_extensions(*c);
    if (auto m = node.get("microsoft")) read_microsoft(*m, t);
    if (auto i = node.get("issuance")) read_issuance(*i, t);
    if (auto s = node.get("server_keygen")) read_server_keygen(*s, t);
    if (auto p = node.get("policy")) t.policy = p->str_list();  // names are checked against plugins.load by the lab file
    if (auto e = node.get("enroll")) t.enroll = read_enroll(*e);    // against roles and web.users, by the lab file too

    check_consistency(node, t);
    return t;
}

CertificateTemplate parse_template_text(std::string_view yaml_text, std::string_view filename,
                                        const TemplateLookup& bases) {
    const Node root = Node::parse(yaml_text, filename);
    if (root.is_null()) throw InputError(root.where(), "", "the template is empty", "write a mapping with at least name:");
    return parse_template(root, bases);
}

}  // namespace pkilab
