#pragma once
// Request bodies of the REST API: a JSON object of string fields, read as hostile input. The
// size, the nesting depth, the syntax (with the byte where it broke), the top-level type,
// repeated and unknown members, each field's type, length and characters are checked before
// a handler sees anything.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ca/errors.hpp"

namespace pkilab::web {

inline constexpr std::size_t kMaxJsonBody = 128 * 1024;  // a base64 CSR of 64 KiB and room for the rest
inline constexpr int kMaxJsonDepth = 16;                  // our bodies are flat; deeper is an attack

// A body that does not parse as JSON: where it broke, for the problem's "position".
class JsonSyntaxError : public InputError {
public:
    JsonSyntaxError(std::string problem, std::size_t byte)
        : InputError("body", "", std::move(problem), "send one JSON object, e.g. {\"template\": \"WebServer\"}"),
          byte_(byte) {}
    std::size_t byte() const noexcept { return byte_; }

private:
    std::size_t byte_;
};

// One member a route's body may have. Every member is a string.
struct BodyField {
    std::string name;
    bool required = false;
    std::size_t max_length = 256;
    std::string description;   // for the OpenAPI document
    bool multiline = false;    // may hold line breaks and tabs (a PEM CSR); other control characters never
};

// Parses `text` and checks it against `fields`: a JSON object whose members are all in
// `fields`, each once, each a string (null counts as absent) within its bounds, with the
// required ones present. An empty `text` is an empty object. InputError (JsonSyntaxError
// for bad syntax) naming the member otherwise.
nlohmann::json parse_json_body(std::string_view text, const std::vector<BodyField>& fields);

// The string member `name` of a checked body, or "" when it is absent.
std::string body_string(const nlohmann::json& body, std::string_view name);

}  // namespace pkilab::web
