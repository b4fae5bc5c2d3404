#include "ca/text.hpp"

#include <algorithm>
#include <cctype>

namespace pkilab {

std::string printable(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (c >= 0x20 && c < 0x7f) {
            out.push_back(static_cast<char>(c));
        } else {
            out += "\\x";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string ascii_upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_dotted_oid(std::string_view s) {
    if (s.empty() || s.size() > 200) return false;
    int arcs = 0;
    size_t start = 0;
    while (true) {
        size_t dot = s.find('.', start);
        std::string_view arc = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
        if (arc.empty() || (arc.size() > 1 && arc[0] == '0')) return false;
        for (char c : arc)
            if (c < '0' || c > '9') return false;
        if (arcs == 0 && (arc.size() != 1 || arc[0] > '2')) return false;
        ++arcs;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return arcs >= 2;
}

}  // namespace pkilab
