#include "ca/config/lab_config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "ca/config/url_tokens.hpp"
#include "ca/config/web_config.hpp"
#include "ca/config/yaml_reader.hpp"
#include "ca/errors.hpp"
#include "ca/template/template_yaml.hpp"
#include "ca/x509/extensions.hpp"
#include "ca/x509/name.hpp"

namespace pkilab {

namespace {

using yaml::Node;

using yaml::at;

// A CA as read, with the nodes needed for the checks that span several CAs.
struct CaEntry {
    CaConfig config;
    Node name_node;
    std::optional<Node> parent_node;
    std::vector<Node> template_nodes;
};

std::string line_col(const Node& n) {
    // "FILE:LINE:COL" -> "LINE:COL" for "first defined at" remarks.
    const std::string w = n.where();
    const size_t c2 = w.rfind(':');
    const size_t c1 = c2 == std::string::npos ? std::string::npos : w.rfind(':', c2 - 1);
    return c1 == std::string::npos ? w : "line " + w.substr(c1 + 1, c2 - c1 - 1);
}

void read_lab_section(const Node& n, LabConfig& cfg) {
    n.expect_map({"name", "server_dns_name", "state"});
    if (auto state = n.get("state")) {
        const std::string dir = state->str();
        if (dir.empty() || dir.find('\0') != std::string::npos)
            state->fail("state must name a folder", "write e.g. state: ./pkilab-state (relative to this file)");
        cfg.state_dir = dir;
    }
    if (auto name = n.get("name")) {
        check_identifier(*name, "lab");
        cfg.name = name->str();
    }
    if (auto dns = n.get("server_dns_name")) {
        const std::string host = dns->str();
        const bool ip = !host.empty() && (host.find(':') != std::string::npos ||
                                          host.find_first_not_of("0123456789.") == std::string::npos);
        if (host.find('*') != std::string::npos)
            dns->fail("server_dns_name cannot be a wildcard", "write the host name clients use, e.g. pki.lab.test");
        at(*dns, [&] { parse_general_name((ip ? "ip:" : "dns:") + host, dns->where()); });
        cfg.server_dns_name = host;
    }
}

std::vector<std::string> read_urls(const Node& n) {
    std::vector<std::string> out;
    for (const auto& item : n.list()) {
        std::string url = item.str();
        at(item, [&] { check_url_pattern(url, item.where()); });
        out.push_back(std::move(url));
    }
    return out;
}

// Constraint bases are not names: ".lab.test", an email domain and "10.0.0.0/8" are valid bases
// but not valid names, so each is checked by building a constraint from it alone.
std::vector<GeneralName> read_constraint_bases(const Node& n) {
    std::vector<GeneralName> out;
    for (const auto& item : n.list()) {
        const std::string text = item.str();
        const size_t colon = text.find(':');
        if (colon == std::string::npos || colon + 1 == text.size())
            item.fail("'" + text + "' is not TYPE:VALUE", "write e.g. dns:lab.test, email:lab.test, ip:10.0.0.0/8");
        GeneralName base;
        base.type = at(item, [&] { return parse_name_type(text.substr(0, colon), item.where()); });
        base.value = text.substr(colon + 1);
        at(item, [&] { make_name_constraints({base}, {}); });
        out.push_back(std::move(base));
    }
    return out;
}

Duration read_positive_duration(const Node& n, Duration min, Duration max, std::string_view example) {
    const Duration d = at(n, [&] { return parse_duration(n.str(), n.path()); });
    if (d < min || d > max)
        n.fail("must be between " + format_duration(min) + " and " + format_duration(max),
               "write e.g. " + std::string(example));
    return d;
}

CrlConfig read_crl(const Node& n) {
    n.expect_map({"period", "delta_period", "overlap", "delta_overlap", "publish_on_revoke", "publish_dirs",
                  "issuing_distribution_point", "next_publish_extension", "keep_expired", "hold_instruction"});
    CrlConfig c;
    // An hour at least: a CRL that expires faster than clients fetch it helps nobody; AD CS
    // itself refuses periods under an hour.
    if (auto p = n.get("period")) c.period = read_positive_duration(*p, std::chrono::hours{1}, std::chrono::days{3650}, "1w");
    if (auto p = n.get("delta_period")) {
        c.delta_period = p->str() == "0" ? Duration{0} : at(*p, [&] { return parse_duration(p->str(), p->path()); });
        if (c.delta_period.count() != 0 && c.delta_period < std::chrono::hours{1})
            p->fail("must be 0 (no delta CRLs) or at least 1h", "write e.g. 1d");
    }
    if (c.deltas() && c.delta_period >= c.period)
        n.require("delta_period")
            .fail("the delta period (" + format_duration(c.delta_period) + ") must be shorter than the CRL period (" +
                      format_duration(c.period) + ")",
                  "a delta CRL is published between base CRLs; set e.g. period: 1w, delta_period: 1d, or 0 for none");
    if (auto o = n.get("overlap")) c.overlap = read_positive_duration(*o, Duration{0}, c.period, "12h");
    if (auto o = n.get("delta_overlap")) {
        if (!c.deltas()) o->fail("delta_overlap needs delta CRLs", "remove it, or set delta_period");
        c.delta_overlap = read_positive_duration(*o, Duration{0}, c.delta_period, "2h");
    }
    if (auto b = n.get("publish_on_revoke")) {
        const std::string v = b->str();
        if (v == "base" || v == "true") c.publish_on_revoke = CrlConfig::OnRevoke::Base;
        else if (v == "delta") c.publish_on_revoke = CrlConfig::OnRevoke::Delta;
        else if (v == "false") c.publish_on_revoke = CrlConfig::OnRevoke::Nothing;
        else
            b->fail("publish_on_revoke is '" + v + "'",
                    "use base (a new base CRL, and its delta), delta (a delta CRL only) or false (wait for the schedule)");
        if (c.publish_on_revoke == CrlConfig::OnRevoke::Delta && !c.deltas())
            b->fail("publish_on_revoke: delta needs delta CRLs", "set delta_period, or use publish_on_revoke: base");
    }
    if (auto d = n.get("publish_dirs")) {
        for (const auto& item : d->list()) {
            const std::string dir = item.str();
            if (dir.empty()) item.fail("a folder name is empty");
            c.publish_dirs.push_back(dir);
        }
    }
    if (auto b = n.get("issuing_distribution_point")) c.issuing_distribution_point = b->boolean();
    if (auto b = n.get("next_publish_extension")) c.next_publish_extension = b->boolean();
    if (auto b = n.get("keep_expired")) c.keep_expired = b->boolean();
    if (auto h = n.get("hold_instruction")) {
        c.hold_instruction = h->str();
        if (c.hold_instruction != "none" && c.hold_instruction != "call-issuer" && c.hold_instruction != "reject")
            h->fail("unknown hold instruction '" + c.hold_instruction + "'",
                    "use none, call-issuer or reject (RFC 3280 5.3.2), or leave it out to write no hold instruction");
    }
    return c;
}

OcspConfig read_ocsp_responder(const Node& n) {
    n.expect_map({"signer", "response_validity"});
    OcspConfig o;
    if (auto s = n.get("signer")) {
        const std::string v = s->str();
        if (v == "delegated") o.delegated = true;
        else if (v == "ca") o.delegated = false;
        else s->fail("unknown signer '" + v + "'", "use delegated (an OCSP signing certificate) or ca (the CA key)");
    }
    if (auto v = n.get("response_validity"))
        o.response_validity = read_positive_duration(*v, std::chrono::minutes{5}, std::chrono::days{30}, "1d");
    return o;
}

CaEntry read_ca(const Node& n) {
    n.expect_map({"name", "subject", "key", "hash", "rsa_pss", "legacy_sha1", "legacy_rsa1024", "validity", "parent",
                  "path_length", "policy",
                  "name_constraints", "cdp", "aia", "ocsp", "templates", "key_passphrase", "crl",
                  "ocsp_responder"});
    CaEntry e{CaConfig{}, n.require("name"), n.get("parent"), {}};
    CaConfig& ca = e.config;
    check_identifier(e.name_node, "CA");
    ca.name = e.name_node.str();

    const Node subject = n.require("subject");
    ca.subject = subject.str();
    const auto parsed = at(subject, [&] { return parse_dn(ca.subject, subject.where(), subject.path()); });
    if (X509_NAME_entry_count(parsed.get()) == 0)
        subject.fail("a CA needs a non-empty subject", "write e.g. \"CN=Lab Issuing CA, O=Example Lab, C=US\"");

    if (auto k = n.get("key")) ca.key = at(*k, [&] { return parse_key_spec(k->str(), k->path()); });
    else ca.key = KeySpec{KeyAlgorithm::Ec, 0, "P-256"};
    if (auto l = n.get("legacy_rsa1024")) ca.legacy_rsa1024 = l->boolean();
    if (ca.key.algorithm == KeyAlgorithm::Rsa && ca.key.bits < 2048 && !ca.legacy_rsa1024)
        n.require("key").fail("an RSA-1024 CA key needs legacy_rsa1024: true",
                              "RSA-1024 is factorable by well-funded attackers; use rsa2048 or larger, or set "
                              "legacy_rsa1024: true to simulate a legacy CA");

    bool legacy_sha1 = false;
    if (auto l = n.get("legacy_sha1")) legacy_sha1 = l->boolean();
    if (auto h = n.get("hash")) {
        ca.signature.hash = at(*h, [&] { return parse_hash(h->str(), h->where()); });
        if (ca.signature.hash == HashAlgorithm::Sha1 && !legacy_sha1)
            h->fail("SHA-1 signatures need legacy_sha1: true",
                    "SHA-1 is broken for signatures; use sha256, or set legacy_sha1: true to simulate a legacy CA");
    }
    if (auto p = n.get("rsa_pss")) {
        ca.signature.rsa_pss = p->boolean();
        if (ca.signature.rsa_pss && ca.key.algorithm != KeyAlgorithm::Rsa)
            p->fail("rsa_pss needs an RSA key, but key is " + to_string(ca.key),
                    "use key: rsa3072 (or another RSA size), or remove rsa_pss");
    }
    if (auto v = n.get("validity")) {
        ca.validity = at(*v, [&] { return parse_duration(v->str(), v->path()); });
        if (ca.validity.count() == 0) v->fail("must be longer than zero", "write e.g. 10y");
    }
    if (e.parent_node) ca.parent = e.parent_node->str();
    if (auto p = n.get("path_length")) ca.path_length = static_cast<int>(p->integer(0, 100));
    if (auto nc = n.get("name_constraints")) {
        nc->expect_map({"permitted", "excluded"});
        if (auto p = nc->get("permitted")) ca.permitted_names = read_constraint_bases(*p);
        if (auto x = nc->get("excluded")) ca.excluded_names = read_constraint_bases(*x);
    }
    if (auto u = n.get("cdp")) ca.cdp_urls = read_urls(*u);
    if (auto u = n.get("aia")) ca.aia_urls = read_urls(*u);
    if (auto u = n.get("ocsp")) ca.ocsp_urls = read_urls(*u);
    if (auto t = n.get("templates")) {
        for (const auto& item : t->list()) {
            ca.templates.push_back(item.str());
            e.template_nodes.push_back(item);
        }
    }
    if (auto kp = n.get("key_passphrase")) {
        ca.key_passphrase.spec = kp->str();
        at(*kp, [&] { check_passphrase_source(ca.key_passphrase.spec, kp->where()); });
    }
    if (auto c = n.get("crl")) ca.crl = read_crl(*c);
    if (auto o = n.get("ocsp_responder")) ca.ocsp = read_ocsp_responder(*o);
    return e;
}

// A `policy:` list: plugin instances that plugins.load defines, each once.
std::vector<std::string> read_policy_refs(const Node& n, const LabConfig& cfg) {
    std::vector<std::string> out;
    std::vector<std::string_view> names;
    for (const auto& p : cfg.plugins.load) names.push_back(p.name);
    for (const auto& item : n.list()) {
        const std::string name = item.str();
        const bool known = std::any_of(cfg.plugins.load.begin(), cfg.plugins.load.end(),
                                       [&](const PluginConfig& p) { return p.name == name; });
        if (!known) {
            std::string hint = names.empty() ? std::string("load it under plugins.load first")
                                             : "plugins loaded: " + [&] {
                                                   std::string l;
                                                   for (auto x : names) l += (l.empty() ? "" : ", ") + std::string(x);
                                                   return l;
                                               }();
            const std::string near = yaml::closest_word(name, names);
            if (!near.empty()) hint = "did you mean '" + near + "'? " + hint;
            item.fail("policy plugin '" + name + "' is not loaded", hint);
        }
        if (std::find(out.begin(), out.end(), name) != out.end()) item.fail("'" + name + "' is listed twice", "list it once");
        out.push_back(name);
    }
    return out;
}

void read_plugins(const Node& n, LabConfig& cfg) {
    n.expect_map({"directories", "load"});
    if (auto d = n.get("directories")) {
        cfg.plugins.directories.clear();
        for (const auto& item : d->list()) {
            const std::string dir = item.str();
            if (dir.empty()) item.fail("empty directory", "write builtin, or a folder (relative to this file)");
            cfg.plugins.directories.push_back(dir);
        }
    }
    if (auto l = n.get("load")) {
        for (const auto& item : l->list()) {
            item.expect_map({"name", "file", "mode", "timeout_ms", "memory_mb", "config"});
            PluginConfig pc;
            const Node name = item.require("name");
            check_identifier(name, "plugin instance");
            pc.name = name.str();
            for (const auto& prev : cfg.plugins.load)
                if (prev.name == pc.name) name.fail("plugin '" + pc.name + "' is loaded twice", "give each instance its own name");
            const Node file = item.require("file");
            pc.file = file.str();
            if (pc.file.empty() || pc.file.find('\0') != std::string::npos)
                file.fail("empty plugin file", "name the plugin's shared library, e.g. libpkilab_key_policy.so");
            if (auto mode = item.get("mode")) {
                const std::string m = mode->str();
                if (m != "in-process" && m != "isolated") mode->fail("unknown mode '" + m + "'", "use in-process or isolated");
                pc.isolated = m == "isolated";
            }
            // Limits only a helper process can enforce: an in-process plugin is the CA itself.
            auto limit = [&](const char* key, std::uint32_t lo, std::uint32_t hi, std::uint32_t& out) {
                auto value = item.get(key);
                if (!value) return;
                if (!pc.isolated)
                    value->fail(std::string(key) + " applies to isolated plugins only", "add mode: isolated, or remove it");
                out = static_cast<std::uint32_t>(value->integer(lo, hi));
            };
            limit("timeout_ms", 10, 600'000, pc.timeout_ms);
            limit("memory_mb", 16, 1'048'576, pc.memory_mb);
            pc.where = item.where();
            if (auto c = item.get("config")) {
                pc.settings = c->flattened();
                pc.settings_json = c->json_text();
            }
            cfg.plugins.load.push_back(std::move(pc));
        }
    }
}

void read_templates(const Node& list, LabConfig& cfg) {
    std::vector<CertificateTemplate>& all = cfg.templates;
    const std::vector<CertificateTemplate>& builtins = builtin_templates();
    const TemplateLookup lookup = [&all](std::string_view name) -> const CertificateTemplate* {
        auto it = std::find_if(all.begin(), all.end(), [&](const auto& t) { return t.name == name; });
        return it == all.end() ? nullptr : &*it;
    };
    std::map<std::string, Node> defined;  // the file's templates, by name
    for (const auto& item : list.list()) {
        CertificateTemplate t = parse_template(item, lookup);
        if (auto p = item.get("policy")) t.policy = read_policy_refs(*p, cfg);
        const Node name = item.require("name");
        const auto replace_node = item.get("replace");
        const bool replace = replace_node && replace_node->boolean();
        if (auto prev = defined.find(t.name); prev != defined.end())
            name.fail("template '" + t.name + "' is defined twice (first at " + line_col(prev->second) + ")",
                      "give each template its own name");
        defined.emplace(t.name, name);
        const bool is_builtin = std::any_of(builtins.begin(), builtins.end(), [&](const auto& b) { return b.name == t.name; });
        if (is_builtin && !replace)
            name.fail("'" + t.name + "' is the name of a built-in template",
                      "to customise it, name yours differently and add base: " + t.name +
                          "; to replace the built-in, add replace: true");
        if (!is_builtin && replace)
            replace_node->fail("replace: true, but there is no built-in template named '" + t.name + "'",
                               "remove replace (it is only for overriding a built-in)");
        if (replace) {
            auto it = std::find_if(all.begin(), all.end(), [&](const auto& b) { return b.name == t.name; });
            *it = std::move(t);
        } else {
            all.push_back(std::move(t));
        }
    }
}

void check_template_refs(const CaEntry& e, const LabConfig& cfg) {
    std::vector<std::string_view> names;
    for (const auto& t : cfg.templates) names.push_back(t.name);
    for (size_t i = 0; i < e.config.templates.size(); ++i) {
        const std::string& name = e.config.templates[i];
        const Node& node = e.template_nodes[i];
        if (!cfg.find_template(name)) {
            std::string hint = "defined templates: ";
            for (size_t j = 0; j < names.size(); ++j) hint += (j ? ", " : "") + std::string(names[j]);
            const std::string near = yaml::closest_word(name, names);
            if (!near.empty()) hint = "did you mean '" + near + "'? " + hint;
            node.fail("template '" + name + "' is not defined", hint);
        }
        for (size_t j = 0; j < i; ++j)
            if (e.config.templates[j] == name) node.fail("template '" + name + "' is listed twice", "list it once");
    }
}

// Parent links: every parent exists, no cycles, and each ancestor's path_length leaves room.
void check_hierarchy(const std::vector<CaEntry>& cas) {
    auto find = [&](const std::string& name) -> const CaEntry* {
        for (const auto& c : cas)
            if (c.config.name == name) return &c;
        return nullptr;
    };
    for (const auto& c : cas) {
        if (!c.config.parent) continue;
        const Node& parent_node = *c.parent_node;
        if (!find(*c.config.parent)) {
            std::vector<std::string_view> names;
            std::string hint = "defined CAs: ";
            for (const auto& o : cas) {
                names.push_back(o.config.name);
                hint += (names.size() > 1 ? ", " : "") + o.config.name;
            }
            const std::string near = yaml::closest_word(*c.config.parent, names);
            if (!near.empty()) hint = "did you mean '" + near + "'? " + hint;
            parent_node.fail("parent CA '" + *c.config.parent + "' is not defined", hint + "; a root has no parent");
        }
        std::string chain = c.config.name;
        std::vector<std::string> seen{c.config.name};
        int depth = 0;
        for (const CaEntry* a = find(*c.config.parent); a; a = a->config.parent ? find(*a->config.parent) : nullptr) {
            ++depth;
            chain += " -> " + a->config.name;
            if (std::find(seen.begin(), seen.end(), a->config.name) != seen.end())
                parent_node.fail("parent cycle: " + chain, "every chain of parents must end at a root CA without parent");
            seen.push_back(a->config.name);
            if (a->config.path_length && *a->config.path_length < depth)
                parent_node.fail("CA '" + c.config.name + "' is " + std::to_string(depth) + " CA level(s) below '" +
                                     a->config.name + "', whose path_length " +
                                     std::to_string(*a->config.path_length) + " forbids it",
                                 "raise path_length on '" + a->config.name + "' or remove it");
        }
    }
}

// Parents before children, otherwise in file order.
std::vector<CaConfig> parents_first(std::vector<CaEntry>& cas) {
    std::vector<CaConfig> out;
    std::vector<bool> done(cas.size(), false);
    while (out.size() < cas.size()) {
        for (size_t i = 0; i < cas.size(); ++i) {
            if (done[i]) continue;
            const auto& parent = cas[i].config.parent;
            const bool ready = !parent || std::any_of(out.begin(), out.end(), [&](const auto& o) { return o.name == *parent; });
            if (ready) {
                out.push_back(std::move(cas[i].config));
                done[i] = true;
                break;  // restart so that file order wins among the ready ones
            }
        }
    }
    return out;
}

}  // namespace

namespace {
// AD CS: the overlap defaults to 10% of the period, and never more than 12 hours.
Duration default_overlap(Duration period) {
    return std::min<Duration>(period / 10, std::chrono::hours{12});
}
}  // namespace

Duration CrlConfig::base_overlap() const { return overlap ? *overlap : default_overlap(period); }
Duration CrlConfig::delta_overlap_or_default() const {
    return delta_overlap ? *delta_overlap : default_overlap(delta_period);
}

const CaConfig* LabConfig::find_ca(std::string_view ca_name) const {
    auto it = std::find_if(cas.begin(), cas.end(), [&](const auto& c) { return c.name == ca_name; });
    return it == cas.end() ? nullptr : &*it;
}

const CertificateTemplate* LabConfig::find_template(std::string_view template_name) const {
    auto it = std::find_if(templates.begin(), templates.end(), [&](const auto& t) { return t.name == template_name; });
    return it == templates.end() ? nullptr : &*it;
}

LabConfig parse_lab_config(std::string_view yaml_text, std::string_view filename) {
    const Node root = Node::parse(yaml_text, filename);
    if (root.is_null())
        throw InputError(root.where(), "", "the lab file is empty",
                         "define at least one CA under cas: (see lab/default/lab.yaml)");
    root.expect_map({"lab", "cas", "templates", "plugins", "web", "protocols"});

    LabConfig cfg;
    if (auto lab = root.get("lab")) read_lab_section(*lab, cfg);

    if (auto p = root.get("plugins")) read_plugins(*p, cfg);  // before templates and CAs name them
    cfg.templates = builtin_templates();
    if (auto t = root.get("templates")) read_templates(*t, cfg);

    const auto cas_node = root.get("cas");
    if (!cas_node)
        throw InputError(root.where(), "cas", "no CA is defined", "add a cas: list with at least a root CA");
    std::vector<CaEntry> cas;
    // A lab is a handful of CAs; the hierarchy checks are quadratic in their number.
    if (cas_node->list().size() > kMaxCas)
        cas_node->fail("the lab defines " + std::to_string(cas_node->list().size()) + " CAs; at most " +
                           std::to_string(kMaxCas) + " are allowed",
                       "split the lab into several labs");
    for (const auto& item : cas_node->list()) {
        CaEntry e = read_ca(item);
        if (auto p = item.get("policy")) e.config.policy = read_policy_refs(*p, cfg);
        for (const auto& prev : cas)
            if (prev.config.name == e.config.name)
                e.name_node.fail("CA '" + e.config.name + "' is defined twice (first at " + line_col(prev.name_node) + ")",
                                 "give each CA its own name");
        check_template_refs(e, cfg);
        cas.push_back(std::move(e));
    }
    if (cas.empty()) cas_node->fail("no CA is defined", "add at least a root CA");
    check_hierarchy(cas);
    cfg.cas = parents_first(cas);
    // After the CAs (certsrv_ca names one); then the templates' enroll lists can name its users.
    if (auto w = root.get("web")) cfg.web = read_web_config(*w, cfg.cas);
    if (auto t = root.get("templates")) check_enroll_names(*t, cfg.web);
    if (auto p = root.get("protocols")) read_protocols_config(*p, cfg);
    return cfg;
}

LabConfig load_lab_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw InputError(path.string(), "", "is a directory, not a lab file", "name the YAML file, e.g. lab/default/lab.yaml");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path.string(), "", std::string("cannot open the lab file: ") + std::strerror(errno),
                         "check the path and its permissions");
    // Read at most one byte past the limit: a device or an endless pipe must not fill memory.
    std::string text(kMaxLabFileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad())
        throw InputError(path.string(), "", std::string("cannot read the lab file: ") + std::strerror(errno));
    text.resize(static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxLabFileBytes)
        throw InputError(path.string(), "", "the lab file is larger than " + std::to_string(kMaxLabFileBytes / 1024) + " KiB",
                         "a lab file is a few kilobytes of YAML: check that the right file was named");
    LabConfig cfg = parse_lab_config(text, path.string());
    cfg.source = path;
    return cfg;
}

}  // namespace pkilab
