#include "webenroll/api/json_body.hpp"

#include <algorithm>
#include <set>

namespace pkilab::web {

namespace {

std::string field_names(const std::vector<BodyField>& fields) {
    if (fields.empty()) return "this route takes no members: send {} or nothing";
    std::string out = "the members are:";
    for (const auto& f : fields) out += " " + f.name + (f.required ? " (required)" : "");
    return out;
}

// Names a client sent are quoted in errors: bounded, and control characters shown as escapes.
std::string shown(std::string_view name) {
    std::string out;
    for (char c : name.substr(0, 64)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            static const char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[u >> 4];
            out += kHex[u & 15];
        } else {
            out += c;
        }
    }
    return name.size() > 64 ? out + "..." : out;
}

// What nlohmann says after its "[json.exception.parse_error.101] " tag. It quotes the token it
// last read, which may be most of the body: cut.
std::string without_tag(const std::string& what) {
    constexpr size_t kMaxMessage = 240;
    const size_t close = what.find("] ");
    std::string m = !what.empty() && what.front() == '[' && close != std::string::npos ? what.substr(close + 2) : what;
    return m.size() > kMaxMessage ? m.substr(0, kMaxMessage) + "..." : m;
}

void check_value(const BodyField& f, const std::string& value) {
    if (value.size() > f.max_length)
        throw InputError("body", f.name, "is " + std::to_string(value.size()) + " bytes long; at most " +
                                             std::to_string(f.max_length) + " are taken");
    for (unsigned char c : value) {
        if (c >= 0x20 && c != 0x7f) continue;
        if (f.multiline && (c == '\n' || c == '\r' || c == '\t')) continue;
        throw InputError("body", f.name, "holds a control character", "send printable text");
    }
    if (f.required && value.empty()) throw InputError("body", f.name, "is empty");
}

}  // namespace

nlohmann::json parse_json_body(std::string_view text, const std::vector<BodyField>& fields) {
    if (text.size() > kMaxJsonBody)
        throw InputError("body", "", "is " + std::to_string(text.size()) + " bytes; at most " +
                                         std::to_string(kMaxJsonBody) + " are taken");
    const bool blank = std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
    nlohmann::json body = nlohmann::json::object();
    if (!blank) {
        // Depth and repeated members are refused while parsing: nothing deep is ever built, and
        // {"csr": A, "csr": B} cannot pass one value to a check and the other to the CA.
        std::set<std::string> seen;
        auto refuse = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
            if (depth > kMaxJsonDepth) throw InputError("body", "", "nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
            if (event == nlohmann::json::parse_event_t::key && depth == 1 && parsed.is_string() &&
                !seen.insert(parsed.get<std::string>()).second)
                throw InputError("body", shown(parsed.get<std::string>()), "is given twice", "send each member once");
            return true;
        };
        try {
            body = nlohmann::json::parse(text.begin(), text.end(), refuse);
        } catch (const nlohmann::json::parse_error& e) {
            throw JsonSyntaxError("is not JSON: " + without_tag(e.what()), e.byte);
        }
        if (!body.is_object())
            throw InputError("body", "", std::string("is a JSON ") + body.type_name() + ", not an object",
                             "send one JSON object, e.g. {\"template\": \"WebServer\"}");
    }
    for (const auto& item : body.items()) {
        // Not a structured binding: clang 14 cannot capture one in the lambda below.
        const std::string& name = item.key();
        const nlohmann::json& value = item.value();
        const auto f = std::find_if(fields.begin(), fields.end(), [&](const BodyField& x) { return x.name == name; });
        if (f == fields.end()) throw InputError("body", shown(name), "is not a member this route takes", field_names(fields));
        if (!value.is_string() && !value.is_null())
            throw InputError("body", name, std::string("is a JSON ") + value.type_name() + "; it must be a string");
        if (value.is_string()) check_value(*f, value.get<std::string>());
    }
    for (const auto& f : fields)
        if (f.required && (!body.contains(f.name) || body[f.name].is_null()))
            throw InputError("body", f.name, "is missing", field_names(fields));
    return body;
}

std::string body_string(const nlohmann::json& body, std::string_view name) {
    const auto it = body.find(name);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace pkilab::web
