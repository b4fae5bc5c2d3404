#include "ca/plugin/plugin_wire.hpp"

#include <algorithm>
#include <cstdint>

#include "ca/plugin/finding_collector.hpp"

namespace pkilab::wire {

namespace {

using nlohmann::json;

// ---- views -> message ----

json str(pkilab_str s) { return s.len == 0 || s.ptr == nullptr ? std::string() : std::string(s.ptr, s.len); }

json bytes(pkilab_bytes b) {
    return json::binary(b.len == 0 || b.ptr == nullptr ? std::vector<std::uint8_t>() : std::vector<std::uint8_t>(b.ptr, b.ptr + b.len));
}

json names(const pkilab_name* n, size_t count) {
    json out = json::array();
    for (size_t i = 0; i < count; ++i) out.push_back(json::array({n[i].type, str(n[i].value)}));
    return out;
}

json strs(const pkilab_str* s, size_t count) {
    json out = json::array();
    for (size_t i = 0; i < count; ++i) out.push_back(str(s[i]));
    return out;
}

json extensions(const pkilab_extension* e, size_t count) {
    json out = json::array();
    for (size_t i = 0; i < count; ++i) out.push_back(json::array({str(e[i].oid), e[i].critical, bytes(e[i].value)}));
    return out;
}

json key(const pkilab_key& k) {
    return {{"algorithm", k.algorithm},         {"bits", k.bits},
            {"curve", str(k.curve)},            {"modulus", bytes(k.rsa_modulus)},
            {"exponent", bytes(k.rsa_exponent)}, {"spki", bytes(k.spki_der)}};
}

json csr(const pkilab_csr& c) {
    return {{"der", bytes(c.der)},
            {"subject", str(c.subject)},
            {"sans", names(c.sans, c.san_count)},
            {"key", key(c.key)},
            {"signature_algorithm", str(c.signature_algorithm)},
            {"extensions", extensions(c.extensions, c.extension_count)}};
}

json cert(const pkilab_cert& c) {
    return {{"der", bytes(c.der)},
            {"serial", str(c.serial)},
            {"subject", str(c.subject)},
            {"issuer", str(c.issuer)},
            {"sans", names(c.sans, c.san_count)},
            {"key", key(c.key)},
            {"not_before", c.not_before},
            {"not_after", c.not_after},
            {"has_key_usage", c.has_key_usage},
            {"key_usage", c.key_usage},
            {"eku", strs(c.extended_key_usage, c.extended_key_usage_count)},
            {"has_basic_constraints", c.has_basic_constraints},
            {"is_ca", c.is_ca},
            {"path_length", c.path_length},
            {"signature_algorithm", str(c.signature_algorithm)},
            {"crl_urls", strs(c.crl_urls, c.crl_url_count)},
            {"ca_issuer_urls", strs(c.ca_issuer_urls, c.ca_issuer_url_count)},
            {"ocsp_urls", strs(c.ocsp_urls, c.ocsp_url_count)},
            {"policies", strs(c.policies, c.policy_count)},
            {"extensions", extensions(c.extensions, c.extension_count)},
            {"issuer_not_after", c.issuer_not_after}};
}

// ---- message -> views (helper side; the message comes from the host) ----

pkilab_str view_str(const json& j) {
    const auto& s = j.get_ref<const std::string&>();
    return {s.data(), s.size()};
}

pkilab_bytes view_bytes(const json& j) {
    const auto& b = j.get_binary();
    return {b.data(), b.size()};
}

pkilab_key view_key(const json& k) {
    return {k.at("algorithm").get<std::uint32_t>(), k.at("bits").get<std::uint32_t>(), view_str(k.at("curve")),
            view_bytes(k.at("modulus")),           view_bytes(k.at("exponent")),    view_bytes(k.at("spki"))};
}

// Each fills `store` from a list and points the view's array and count at it.
void view_names(const json& list, std::vector<pkilab_name>& store, const pkilab_name*& items, size_t& count) {
    for (const auto& n : list) store.push_back({n.at(0).get<std::uint32_t>(), view_str(n.at(1))});
    items = store.data();
    count = store.size();
}

void view_strs(const json& list, std::vector<pkilab_str>& store, const pkilab_str*& items, size_t& count) {
    for (const auto& s : list) store.push_back(view_str(s));
    items = store.data();
    count = store.size();
}

void view_extensions(const json& list, std::vector<pkilab_extension>& store, const pkilab_extension*& items, size_t& count) {
    for (const auto& e : list) store.push_back({view_str(e.at(0)), e.at(1).get<std::uint32_t>(), view_bytes(e.at(2))});
    items = store.data();
    count = store.size();
}

// Helper -> host: a string field that must be there and be text of bounded size.
bool text_field(const json& m, const char* key, std::size_t max, std::string& out) {
    auto it = m.find(key);
    if (it == m.end() || !it->is_string()) return false;
    const auto& s = it->get_ref<const std::string&>();
    if (s.size() > max) return false;
    out = s;
    return true;
}

// A non-negative integer, however it was encoded (CBOR decodes as unsigned, a json built in
// memory from an int literal is signed).
bool count_field(const json& j, std::uint64_t max, std::uint64_t& out) {
    if (j.is_number_unsigned()) {
        out = j.get<std::uint64_t>();
    } else if (j.is_number_integer() && j.get<std::int64_t>() >= 0) {
        out = static_cast<std::uint64_t>(j.get<std::int64_t>());
    } else {
        return false;
    }
    return out <= max;
}

bool has_type(const json& m, const char* t) {
    if (!m.is_object()) return false;
    auto it = m.find("t");
    return it != m.end() && it->is_string() && it->get_ref<const std::string&>() == t;
}

}  // namespace

Bytes encode(const Message& m) { return json::to_cbor(m); }

Message decode(const Bytes& b) { return json::from_cbor(b, /*strict=*/true, /*allow_exceptions=*/true); }

Message load_message(const std::filesystem::path& file, const PluginConfig& c, std::uint64_t memory_bytes) {
    json settings = json::array();
    for (const auto& [k, v] : c.settings) settings.push_back(json::array({k, v}));
    return {{"t", "load"},
            {"file", file.string()},
            {"memory_bytes", memory_bytes},
            {"config", {{"name", c.name}, {"where", c.where}, {"settings", settings}, {"json", c.settings_json}}}};
}

PluginConfig config_from(const Message& load) {
    const json& c = load.at("config");
    PluginConfig pc;
    pc.name = c.at("name").get<std::string>();
    pc.where = c.at("where").get<std::string>();
    for (const auto& kv : c.at("settings")) pc.settings.emplace_back(kv.at(0).get<std::string>(), kv.at(1).get<std::string>());
    pc.settings_json = c.at("json").get<std::string>();
    return pc;
}

std::filesystem::path file_from(const Message& load) { return load.at("file").get<std::string>(); }

Message evaluate_message(const pkilab_request& r) {
    json req = {{"kind", r.kind},
                {"now", r.now},
                {"ca", str(r.ca_name)},
                {"template", str(r.template_name)},
                {"template_version", str(r.template_version)},
                {"identity", str(r.requester_identity)},
                {"role", str(r.requester_role)},
                {"channel", str(r.requester_channel)},
                {"profile", str(r.profile)}};
    if (r.csr != nullptr) req["csr"] = csr(*r.csr);
    if (r.cert != nullptr) req["cert"] = cert(*r.cert);
    return {{"t", "evaluate"}, {"request", std::move(req)}};
}

RequestView::RequestView(Message m) : doc_(std::move(m)) {
    const json& r = doc_.at("request");
    request_.struct_size = sizeof(pkilab_request);
    request_.kind = r.at("kind").get<std::uint32_t>();
    request_.now = r.at("now").get<std::int64_t>();
    request_.ca_name = view_str(r.at("ca"));
    request_.template_name = view_str(r.at("template"));
    request_.template_version = view_str(r.at("template_version"));
    request_.requester_identity = view_str(r.at("identity"));
    request_.requester_role = view_str(r.at("role"));
    request_.requester_channel = view_str(r.at("channel"));
    request_.profile = view_str(r.at("profile"));
    if (auto it = r.find("csr"); it != r.end()) {
        const json& c = *it;
        csr_.struct_size = sizeof(pkilab_csr);
        csr_.der = view_bytes(c.at("der"));
        csr_.subject = view_str(c.at("subject"));
        view_names(c.at("sans"), csr_sans_, csr_.sans, csr_.san_count);
        csr_.key = view_key(c.at("key"));
        csr_.signature_algorithm = view_str(c.at("signature_algorithm"));
        view_extensions(c.at("extensions"), csr_extensions_, csr_.extensions, csr_.extension_count);
        request_.csr = &csr_;
    }
    if (auto it = r.find("cert"); it != r.end()) {
        const json& c = *it;
        cert_.struct_size = sizeof(pkilab_cert);
        cert_.der = view_bytes(c.at("der"));
        cert_.serial = view_str(c.at("serial"));
        cert_.subject = view_str(c.at("subject"));
        cert_.issuer = view_str(c.at("issuer"));
        view_names(c.at("sans"), cert_sans_, cert_.sans, cert_.san_count);
        cert_.key = view_key(c.at("key"));
        cert_.not_before = c.at("not_before").get<std::int64_t>();
        cert_.not_after = c.at("not_after").get<std::int64_t>();
        cert_.has_key_usage = c.at("has_key_usage").get<std::uint32_t>();
        cert_.key_usage = c.at("key_usage").get<std::uint32_t>();
        view_strs(c.at("eku"), ekus_, cert_.extended_key_usage, cert_.extended_key_usage_count);
        cert_.has_basic_constraints = c.at("has_basic_constraints").get<std::uint32_t>();
        cert_.is_ca = c.at("is_ca").get<std::uint32_t>();
        cert_.path_length = c.at("path_length").get<std::int32_t>();
        cert_.signature_algorithm = view_str(c.at("signature_algorithm"));
        view_strs(c.at("crl_urls"), crl_urls_, cert_.crl_urls, cert_.crl_url_count);
        view_strs(c.at("ca_issuer_urls"), ca_issuer_urls_, cert_.ca_issuer_urls, cert_.ca_issuer_url_count);
        view_strs(c.at("ocsp_urls"), ocsp_urls_, cert_.ocsp_urls, cert_.ocsp_url_count);
        view_strs(c.at("policies"), policies_, cert_.policies, cert_.policy_count);
        view_extensions(c.at("extensions"), cert_extensions_, cert_.extensions, cert_.extension_count);
        cert_.issuer_not_after = c.at("issuer_not_after").get<std::int64_t>();
        request_.cert = &cert_;
    }
}

Message event_message(const pkilab_event& e) {
    return {{"t", "event"},
            {"event",
             {{"type", e.type},
              {"at", e.at},
              {"ca", str(e.ca_name)},
              {"request_id", e.request_id},
              {"serial", str(e.serial)},
              {"detail", str(e.detail)}}}};
}

EventView::EventView(Message m) : doc_(std::move(m)) {
    const json& e = doc_.at("event");
    event_.struct_size = sizeof(pkilab_event);
    event_.type = e.at("type").get<std::uint32_t>();
    event_.at = e.at("at").get<std::int64_t>();
    event_.ca_name = view_str(e.at("ca"));
    event_.request_id = e.at("request_id").get<std::int64_t>();
    event_.serial = view_str(e.at("serial"));
    event_.detail = view_str(e.at("detail"));
}

Message loaded_message(const PluginIdentity& id) {
    return {{"t", "loaded"},    {"name", id.name}, {"version", id.version}, {"description", id.description},
            {"abi", id.abi}, {"events", id.wants_events}};
}

Message refused_message(const std::string& where, const std::string& field, const std::string& problem,
                        const std::string& hint) {
    return {{"t", "refused"}, {"where", where}, {"field", field}, {"problem", problem}, {"hint", hint}};
}

Message verdict_message(std::uint32_t verdict, FindingCollector& c) {
    json findings = json::array();
    for (const auto& f : c.findings()) {
        const std::uint32_t severity = f.severity == Severity::Error     ? PKILAB_SEVERITY_ERROR
                                       : f.severity == Severity::Warning ? PKILAB_SEVERITY_WARNING
                                                                         : PKILAB_SEVERITY_INFO;
        findings.push_back(json::array({severity, f.code, f.field, f.message, f.hint}));
    }
    return {{"t", "verdict"},
            {"verdict", verdict},
            {"findings", std::move(findings)},
            {"dropped", c.dropped()},
            {"bad_severity", c.bad_severity()}};
}

Message failed_message(const std::string& reason) { return {{"t", "failed"}, {"reason", reason}}; }

Message done_message() { return {{"t", "done"}}; }

std::optional<PluginIdentity> read_loaded(const Message& m, std::string& problem) {
    PluginIdentity id;
    auto flag = [&](const char* key, bool& out) {
        auto it = m.find(key);
        if (it == m.end() || !it->is_boolean()) return false;
        out = it->get<bool>();
        return true;
    };
    if (!has_type(m, "loaded") || !text_field(m, "name", 64, id.name) || !text_field(m, "version", 64, id.version) ||
        !text_field(m, "description", 1024, id.description) || !text_field(m, "abi", 32, id.abi) ||
        !flag("events", id.wants_events)) {
        problem = "the helper's answer to load is not a loaded message";
        return std::nullopt;
    }
    return id;
}

std::optional<LoadRefusal> read_refused(const Message& m) {
    LoadRefusal r;
    if (!has_type(m, "refused") || !text_field(m, "where", 4096, r.where) || !text_field(m, "field", 256, r.field) || !text_field(m, "problem", 16384, r.problem) ||
        !text_field(m, "hint", 4096, r.hint))
        return std::nullopt;
    return r;
}

std::optional<std::uint32_t> read_verdict(const Message& m, FindingCollector& into, std::string& failure,
                                          std::string& problem) {
    if (has_type(m, "failed")) {
        if (!text_field(m, "reason", kMaxTextBytes, failure)) failure = "the plugin failed";
        return std::nullopt;
    }
    auto bad = [&](const char* what) {
        problem = std::string("the helper's answer is malformed (") + what + ")";
        return std::nullopt;
    };
    if (!has_type(m, "verdict")) return bad("not a verdict");
    auto verdict = m.find("verdict");
    auto findings = m.find("findings");
    auto dropped = m.find("dropped");
    auto bad_severity = m.find("bad_severity");
    std::uint64_t verdict_value = 0, dropped_count = 0, severity = 0;
    if (verdict == m.end() || !count_field(*verdict, UINT32_MAX, verdict_value)) return bad("verdict");
    if (findings == m.end() || !findings->is_array() || findings->size() > kMaxFindingsPerCall) return bad("findings");
    if (dropped == m.end() || !count_field(*dropped, UINT64_MAX, dropped_count)) return bad("dropped");
    if (bad_severity == m.end() || !bad_severity->is_boolean()) return bad("bad_severity");
    for (const auto& f : *findings) {
        if (!f.is_array() || f.size() != 5 || !count_field(f[0], UINT32_MAX, severity)) return bad("a finding");
        for (size_t i = 1; i < 5; ++i)
            if (!f[i].is_string()) return bad("a finding");
    }
    for (const auto& f : *findings) {
        auto view = [&](size_t i) { return view_str(f[i]); };
        count_field(f[0], UINT32_MAX, severity);
        // Out-of-range severities arrive as ERROR with bad_severity set; anything else is one.
        into.add(severity <= PKILAB_SEVERITY_INFO ? static_cast<std::uint32_t>(severity) : PKILAB_SEVERITY_ERROR,
                 view(1), view(2), view(3), view(4));
        if (severity > PKILAB_SEVERITY_INFO) into.mark_bad_severity();
    }
    into.add_dropped(static_cast<std::size_t>(std::min<std::uint64_t>(dropped_count, SIZE_MAX)));
    if (bad_severity->get<bool>()) into.mark_bad_severity();
    return static_cast<std::uint32_t>(verdict_value);
}

bool read_done(const Message& m) { return has_type(m, "done"); }

}  // namespace pkilab::wire
