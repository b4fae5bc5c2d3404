#include "ca/config/yaml_reader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include "ca/errors.hpp"

namespace pkilab::yaml {

namespace {

std::string location(const std::string& filename, const YAML::Mark& mark) {
    if (mark.is_null()) return filename + ":1:1";
    return filename + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string join(std::initializer_list<std::string_view> words) {
    std::string s;
    for (auto w : words) {
        if (!s.empty()) s += ", ";
        s += w;
    }
    return s;
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring characters ("csa" for "cas") each cost 1; case is ignored.
size_t edit_distance(std::string_view a, std::string_view b) {
    auto same = [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    };
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        for (size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same(a[i - 1], b[j - 1]) ? 0 : 1)});
            if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

// The parser quotes the offending input, which may be any bytes; keep messages printable.
std::string printable(std::string text) {
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
    return text;
}

// Sees where each document and its root node start; ignores everything else.
class DocumentStarts final : public YAML::EventHandler {
public:
    std::vector<YAML::Mark> starts, roots;
    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override { node(mark); }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnMapEnd() override {}

private:
    void node(const YAML::Mark& mark) {
        if (roots.size() < starts.size()) roots.push_back(mark);
    }
};

// YAML::LoadAll loops forever, allocating, on some malformed input such as a stray ','
// (yaml-cpp 0.7, jbeder/yaml-cpp#1040): look at two documents at most, then load the first.
YAML::Node load_single_document(const std::string& text, const std::string& filename) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts seen;
    while (seen.starts.size() < 2 && parser.HandleNextDocument(seen)) {}
    if (seen.starts.size() > 1) {
        const YAML::Mark& second = seen.starts[1];
        // Without a '---' the "document" is the parser stuck on a token it cannot use.
        const size_t at = second.pos < 0 ? text.size() : std::min(text.size(), static_cast<size_t>(second.pos));
        if (text.compare(at, 3, "---") != 0)
            throw InputError(location(filename, second), "", "YAML syntax error: unexpected '" +
                             printable(text.substr(at, 1)) + "'",
                             "check indentation, quoting and brackets near this position");
        throw InputError(location(filename, seen.roots.size() > 1 ? seen.roots[1] : second), "",
                         "more than one YAML document",
                         "keep everything in one document: remove the '---' separator");
    }
    return YAML::Load(text);
}

}  // namespace

std::string closest_word(std::string_view word, const std::vector<std::string_view>& candidates) {
    std::string best;
    size_t best_distance = 3;
    for (auto c : candidates) {
        const size_t d = edit_distance(word, c);
        // Short words are too easily "close" to anything.
        const size_t limit = c.size() < 3 ? 0 : c.size() < 6 ? 1 : 2;
        if (d <= limit && d < best_distance) {
            best = std::string(c);
            best_distance = d;
        }
    }
    return best;
}

Node Node::parse(std::string_view text, std::string_view filename) {
    auto name = std::make_shared<const std::string>(filename);
    YAML::Node root;
    try {
        root = load_single_document(std::string(text), *name);
    } catch (const YAML::ParserException& e) {
        throw InputError(location(*name, e.mark), "", "YAML syntax error: " + printable(e.msg),
                         "check indentation, quoting and brackets near this position");
    } catch (const YAML::Exception& e) {
        throw InputError(location(*name, e.mark), "", "YAML error: " + printable(e.msg));
    }
    return Node(root, name, "", root.Mark());
}

Node Node::child(YAML::Node node, std::string path, YAML::Mark fallback) const {
    // yaml-cpp gives a null value the mark of the *next* token; the key's mark is clearer.
    const YAML::Mark mark = (node.IsNull() || node.Mark().is_null()) ? fallback : node.Mark();
    return Node(node, filename_, std::move(path), mark);
}

std::string Node::where() const { return location(*filename_, mark_); }

void Node::fail(const std::string& problem, const std::string& hint) const {
    throw InputError(where(), path_, problem, hint);
}

std::string Node::type_name() const {
    switch (node_.Type()) {
        case YAML::NodeType::Map: return "a mapping";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Scalar: return "'" + node_.Scalar() + "'";
        case YAML::NodeType::Null: return "nothing";
        case YAML::NodeType::Undefined: break;
    }
    return "nothing";
}

void Node::expect_map(std::initializer_list<std::string_view> allowed) const {
    if (!node_.IsMap())
        fail("expected a mapping (key: value lines), found " + type_name(), "allowed keys: " + join(allowed));
    std::set<std::string, std::less<>> seen;
    for (const auto& kv : node_) {
        const Node key = child(kv.first, path_, mark_);
        if (!kv.first.IsScalar()) key.fail("a key must be a plain word, found " + key.type_name());
        const std::string& k = kv.first.Scalar();
        const std::string key_path = path_.empty() ? k : path_ + "." + k;
        const Node named(kv.first, filename_, key_path, key.mark_);
        if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
            std::string hint = "allowed keys: " + join(allowed);
            const std::string near = closest_word(k, std::vector<std::string_view>(allowed));
            if (!near.empty()) hint = "did you mean '" + near + "'? " + hint;
            named.fail("unknown key '" + k + "'", hint);
        }
        if (!seen.insert(k).second) named.fail("duplicate key '" + k + "'", "write each key once");
    }
}

std::optional<Node> Node::get(std::string_view key) const {
    if (!node_.IsMap()) fail("expected a mapping, found " + type_name());
    for (const auto& kv : node_) {
        if (kv.first.IsScalar() && kv.first.Scalar() == key) {
            if (kv.second.IsNull()) return std::nullopt;
            const std::string p = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
            return child(kv.second, p, kv.first.Mark());
        }
    }
    return std::nullopt;
}

Node Node::require(std::string_view key) const {
    if (auto n = get(key)) return *n;
    const std::string p = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    throw InputError(where(), p, "missing required key '" + std::string(key) + "'");
}

std::vector<Node> Node::list() const {
    if (!node_.IsSequence()) fail("expected a list, found " + type_name(), "write [a, b] or one '- item' per line");
    std::vector<Node> out;
    size_t i = 0;
    for (const auto& item : node_) {
        out.push_back(child(item, path_ + "[" + std::to_string(i) + "]", mark_));
        ++i;
    }
    return out;
}

std::vector<std::pair<std::string, Node>> Node::entries() const {
    if (!node_.IsMap()) fail("expected a mapping, found " + type_name(), "write key: value, one per line");
    std::vector<std::pair<std::string, Node>> out;
    std::set<std::string> seen;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
        const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
        const Node item = child(it->second, path_ + "[" + key + "]", it->first.Mark());
        if (key.empty()) item.fail("a key is empty or not a plain string");
        if (!seen.insert(key).second) item.fail("key '" + key + "' is written twice");
        out.emplace_back(key, item);
    }
    return out;
}

std::string Node::str() const {
    if (!node_.IsScalar()) fail("expected a single value, found " + (node_.IsNull() ? std::string("nothing") : type_name()));
    return node_.Scalar();
}

bool Node::boolean() const {
    // Quoted "true" is a string, and YAML 1.1's yes/no/on/off surprise people: only true/false.
    if (node_.IsScalar() && node_.Tag() != "!") {
        if (node_.Scalar() == "true") return true;
        if (node_.Scalar() == "false") return false;
    }
    fail("expected true or false, found " + type_name());
}

long long Node::integer(long long min, long long max) const {
    const std::string range = std::to_string(min) + ".." + std::to_string(max);
    if (!node_.IsScalar() || node_.Tag() == "!") fail("expected a whole number, found " + type_name(), "write a number in " + range);
    const std::string& s = node_.Scalar();
    long long v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty())
        fail("expected a whole number, found '" + s + "'", "write a number in " + range);
    if (v < min || v > max) fail(std::to_string(v) + " is out of range", "write a number in " + range);
    return v;
}

std::vector<std::string> Node::str_list() const {
    std::vector<std::string> out;
    for (const auto& item : list()) out.push_back(item.str());
    return out;
}

namespace {

constexpr int kMaxConfigDepth = 16;
constexpr size_t kMaxConfigEntries = 4096;

// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t n = 0;
        unsigned char lo = 0x80, hi = 0xbf;  // the range of the second byte
        if (c < 0x80) n = 0;
        else if (c >= 0xc2 && c <= 0xdf) n = 1;
        else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        } else {
            return false;
        }
        if (n > 0 && i + n >= s.size()) return false;
        for (size_t k = 1; k <= n; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if (k == 1 ? (b < lo || b > hi) : (b & 0xc0) != 0x80) return false;
        }
        i += n + 1;
    }
    return true;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> Node::flattened() const {
    std::vector<std::pair<std::string, std::string>> out;
    // Depth-first, so that entries come in document order.
    auto walk = [&](auto& self, const Node& n, const std::string& prefix, int depth) -> void {
        if (depth > kMaxConfigDepth) n.fail("nested more than " + std::to_string(kMaxConfigDepth) + " levels deep");
        if (out.size() > kMaxConfigEntries) n.fail("more than " + std::to_string(kMaxConfigEntries) + " values");
        if (n.is_null()) return;
        if (n.is_scalar()) {
            std::string value = n.str();
            // Plugins are promised text, and the JSON copy of their settings must encode.
            if (!valid_utf8(value)) n.fail("the value is not valid UTF-8", "write the lab file in UTF-8");
            out.emplace_back(prefix, std::move(value));
            return;
        }
        if (n.is_list()) {
            for (const auto& item : n.list()) {
                if (item.is_list()) item.fail("a list inside a list cannot be flattened", "use a map with named keys");
                self(self, item, prefix, depth + 1);
            }
            return;
        }
        for (auto it = n.node_.begin(); it != n.node_.end(); ++it) {
            if (!it->first.IsScalar()) n.fail("a key is not a plain string");
            const std::string key = it->first.as<std::string>();
            if (key.empty() || key.find('.') != std::string::npos || !valid_utf8(key))
                n.child(it->first, n.path_ + "." + key, it->first.Mark())
                    .fail("key '" + key + "' is empty or has a dot", "use plain words; nesting gives the dots");
            const std::string path = prefix.empty() ? key : prefix + "." + key;
            self(self, n.child(it->second, n.path_ + "." + key, it->first.Mark()), path, depth + 1);
        }
    };
    if (!is_map()) fail("expected a mapping of settings, got " + type_name());
    walk(walk, *this, "", 0);
    return out;
}

std::string Node::json_text() const {
    auto convert = [&](auto& self, const YAML::Node& n, int depth) -> nlohmann::json {
        if (depth > kMaxConfigDepth) fail("nested more than " + std::to_string(kMaxConfigDepth) + " levels deep");
        if (n.IsNull()) return nullptr;
        if (n.IsScalar()) return n.as<std::string>();
        if (n.IsSequence()) {
            nlohmann::json a = nlohmann::json::array();
            for (const auto& item : n) a.push_back(self(self, item, depth + 1));
            return a;
        }
        nlohmann::json o = nlohmann::json::object();
        for (auto it = n.begin(); it != n.end(); ++it) o[it->first.as<std::string>()] = self(self, it->second, depth + 1);
        return o;
    };
    // flattened() has checked the text; replacing bad bytes keeps this total all the same.
    return convert(convert, node_, 0).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pkilab::yaml
