#include "webenroll/pages/html.hpp"

namespace pkilab::web {

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out.push_back(c);
        }
    }
    return out;
}

namespace {

std::string navigation(const PageFrame& f) {
    std::string nav = "<nav class=\"top\"><a class=\"brand\" href=\"/\">pkilab</a>";
    nav += "<a href=\"/certsrv/\"" + std::string(f.section == "certsrv" ? " class=\"here\"" : "") +
           ">Web enrollment</a>";
    nav += "<a href=\"/console/\"" + std::string(f.section == "console" ? " class=\"here\"" : "") + ">Console</a>";
    nav += "<a href=\"/api/v1/openapi.json\">API</a>";
    nav += "<span class=\"who\">";
    if (f.caller && !f.caller->anonymous()) {
        nav += html_escape(f.caller->name) + " <span class=\"role\">" + to_string(*f.caller->role) + "</span>";
        if (f.caller->method == AuthMethod::Session)
            nav += "<form method=\"post\" action=\"/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf_token\" "
                   "value=\"" + html_escape(f.caller->csrf_token) + "\"><button type=\"submit\">Log out</button></form>";
    } else {
        nav += "<a href=\"/login\">Log in</a>";
    }
    nav += "</span></nav>";
    return nav;
}

}  // namespace

std::string render_page(const PageFrame& f) {
    std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                       "<title>" + html_escape(f.title) + " - pkilab</title>"
                       "<link rel=\"stylesheet\" href=\"/static/pkilab.css\">"
                       "<script src=\"/static/pkilab.js\" defer></script></head><body>";
    html += navigation(f);
    html += "<main><h1>" + html_escape(f.title) + "</h1>\n" + f.body_html + "\n</main></body></html>\n";
    return html;
}

void set_page_headers(httplib::Response& res) {
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                   "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "same-origin");
    res.set_header("Cache-Control", "no-store");
}

void send_page(httplib::Response& res, int status, const PageFrame& frame) {
    set_page_headers(res);
    res.status = status;
    res.set_content(render_page(frame), "text/html; charset=utf-8");
}

}  // namespace pkilab::web
