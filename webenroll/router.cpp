#include "webenroll/router.hpp"

#include <algorithm>
#include <cctype>

namespace pkilab::web {

namespace {

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    size_t pos = 1;  // after the leading '/'
    while (pos <= path.size()) {
        size_t end = path.find('/', pos);
        if (end == std::string_view::npos) end = path.size();
        out.push_back(path.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

bool same(std::string_view a, std::string_view b, bool fold) {
    if (a.size() != b.size()) return false;
    if (!fold) return a == b;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

bool is_param(std::string_view seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

// Params when `path` fits `pattern`.
std::optional<std::vector<std::string>> fit(const Route& r, const std::vector<std::string_view>& path) {
    const auto pat = segments(r.pattern);
    if (pat.size() != path.size()) return std::nullopt;
    std::vector<std::string> params;
    for (size_t i = 0; i < pat.size(); ++i) {
        if (is_param(pat[i])) {
            if (path[i].empty()) return std::nullopt;
            params.emplace_back(path[i]);
        } else if (!same(pat[i], path[i], r.case_insensitive)) {
            return std::nullopt;
        }
    }
    return params;
}

}  // namespace

void Router::add(Route route) { routes_.push_back(std::move(route)); }

RouteMatch Router::match(std::string_view method, std::string_view path) const {
    const std::string_view m = method == "HEAD" ? std::string_view("GET") : method;
    const auto segs = segments(path == "/" ? std::string_view("/") : path);
    RouteMatch result;
    // Literal segments win over parameters ("/requests/pending" before "/requests/{id}"):
    // the route with the most literal matches is taken.
    int best = -1;
    for (const auto& r : routes_) {
        auto params = fit(r, segs);
        if (!params) continue;
        if (r.method != m) {
            result.other_method = true;
            if (result.allowed.find(r.method) == std::string::npos)
                result.allowed += (result.allowed.empty() ? "" : ", ") + r.method + (r.method == "GET" ? ", HEAD" : "");
            continue;
        }
        const int literals = static_cast<int>(segs.size() - params->size());
        if (literals > best) {
            best = literals;
            result.route = &r;
            result.params = std::move(*params);
        }
    }
    if (result.route) result.other_method = false;
    return result;
}

std::optional<std::string> canonical_path(std::string_view p) {
    if (p.empty() || p.front() != '/') return std::nullopt;
    for (unsigned char c : p)
        if (c < 0x20 || c == 0x7f || c == '\\') return std::nullopt;
    std::string path(p);
    if (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path == "/") return path;
    for (auto seg : segments(path))
        if (seg.empty() || seg == "." || seg == "..") return std::nullopt;
    return path;
}

}  // namespace pkilab::web
