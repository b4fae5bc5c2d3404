#pragma once
// The style sheet and script every page links (/static/pkilab.css, /static/pkilab.js): compiled
// in, so that the server is one binary with no asset folder to lose.
#include <string_view>

namespace pkilab::web {

extern const std::string_view kStyleSheet;
extern const std::string_view kScript;

}  // namespace pkilab::web
