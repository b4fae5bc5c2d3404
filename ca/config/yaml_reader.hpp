#pragma once
// A strict reader over yaml-cpp for configuration files. Every node knows its file, its
// 1-based line and column and its path ("cas[1].parent"), so every complaint can say exactly
// where it is. Unknown keys, duplicate keys and wrong types are InputErrors, never defaults.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "ca/errors.hpp"

namespace pkilab::yaml {

class Node {
public:
    // Parses one YAML document. An empty document gives a null node; a syntax error or a
    // second document is an InputError at the parser's position.
    static Node parse(std::string_view text, std::string_view filename);

    const std::string& path() const { return path_; }
    std::string where() const;  // "FILE:LINE:COLUMN"
    const std::string& filename() const { return *filename_; }

    bool is_null() const { return node_.IsNull(); }
    bool is_map() const { return node_.IsMap(); }
    bool is_list() const { return node_.IsSequence(); }
    bool is_scalar() const { return node_.IsScalar(); }

    // Checks that this is a mapping whose keys are plain strings from `allowed`, each at most
    // once. Call it before get(): get() alone does not notice unknown keys.
    void expect_map(std::initializer_list<std::string_view> allowed) const;
    std::optional<Node> get(std::string_view key) const;  // absent or null value: nullopt
    bool has(std::string_view key) const { return get(key).has_value(); }
    Node require(std::string_view key) const;             // absent: InputError at this map

    std::vector<Node> list() const;  // expects a sequence
    // A mapping whose keys are data (host names, which may hold dots), in document order.
    // Keys must be non-empty plain strings, each once.
    std::vector<std::pair<std::string, Node>> entries() const;
    std::string str() const;         // any scalar, as written (numbers and true/false too)
    bool boolean() const;            // exactly true or false (unquoted)
    long long integer(long long min, long long max) const;
    std::vector<std::string> str_list() const;  // a sequence of scalars

    // Free-form configuration (a plugin's `config:`), for code that knows its own keys:
    // nested maps flattened with dots, a list giving one entry per element under the same
    // key, in document order. Keys must be plain strings; depth and size are capped.
    std::vector<std::pair<std::string, std::string>> flattened() const;
    // The same as a JSON text (scalars as strings, as YAML does not type them for us).
    std::string json_text() const;

    [[noreturn]] void fail(const std::string& problem, const std::string& hint = {}) const;

private:
    Node(YAML::Node node, std::shared_ptr<const std::string> filename, std::string path, YAML::Mark mark)
        : node_(std::move(node)), filename_(std::move(filename)), path_(std::move(path)), mark_(mark) {}
    Node child(YAML::Node node, std::string path, YAML::Mark fallback) const;
    std::string type_name() const;

    YAML::Node node_;
    std::shared_ptr<const std::string> filename_;
    std::string path_;
    YAML::Mark mark_;  // the node's own mark, or its key's when the node has none (null values)
};

// Runs a validator from another module and reports its InputError at `node`: FILE:LINE:COLUMN
// and the node's YAML path (or the validator's own field when it is more specific under that path).
template <class F>
auto at(const Node& node, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const InputError& e) {
        const bool finer = !node.path().empty() && e.field().starts_with(node.path() + ".");
        throw InputError(node.where(), finer ? e.field() : node.path(), e.problem(), e.hint());
    }
}

// The allowed word closest to `word` (a typo, a swapped pair or a case slip; at most 2 edits),
// for "did you mean" hints; empty if none is close.
std::string closest_word(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace pkilab::yaml
