#pragma once
// The HTML that every page shares: escaping and the frame (head, navigation, who is logged
// in). Pages are server-rendered; their style sheet and script are static files served at
// /static/ so that the Content-Security-Policy can forbid inline code.
#include <string>
#include <string_view>

#include <httplib.h>

#include "webenroll/auth/caller.hpp"

namespace pkilab::web {

// Escapes & < > " ' for text and attribute values.
std::string html_escape(std::string_view text);

struct PageFrame {
    std::string title;
    std::string body_html;    // already escaped where it holds data
    std::string section;      // "certsrv", "console", "" (the landing page): which navigation
    const Caller* caller = nullptr;
};

std::string render_page(const PageFrame& frame);
// Sends a whole page with the headers every page carries (CSP, nosniff, no framing, no caching
// of pages that show data).
void send_page(httplib::Response& res, int status, const PageFrame& frame);
// The headers alone, for pages written by other means (certsrv's own shapes).
void set_page_headers(httplib::Response& res);

}  // namespace pkilab::web
