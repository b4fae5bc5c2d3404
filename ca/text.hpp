#pragma once
// Small text helpers shared by every parser of outside input.
#include <string>
#include <string_view>

namespace pkilab {

// Bytes outside printable ASCII become \xHH, so that hostile input quoted in an error
// message cannot garble a terminal or a log line.
std::string printable(std::string_view s);

std::string ascii_lower(std::string_view s);
std::string ascii_upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);  // ASCII case-insensitive

// Dotted OID syntax: at least two decimal arcs, the first 0..2, no leading zeros.
bool is_dotted_oid(std::string_view s);

}  // namespace pkilab
