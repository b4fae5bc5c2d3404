#include "webenroll/console/console_page.hpp"

#include <charconv>

#include "ca/errors.hpp"
#include "ca/text.hpp"
#include "webenroll/pages/html.hpp"

namespace pkilab::web::console {

namespace {

struct TabLink {
    Tab tab;
    const char* href;
    const char* label;
};

constexpr TabLink kTabs[] = {
    {Tab::Dashboard, "/console", "Dashboard"},
    {Tab::Requests, "/console/requests", "Requests"},
    {Tab::Certificates, "/console/certificates", "Certificates"},
    {Tab::Templates, "/console/templates", "Templates"},
    {Tab::Audit, "/console/audit", "Audit log"},
};

std::string sub_navigation(Tab current) {
    std::string nav = "<nav class=\"sub\" aria-label=\"Console\">";
    for (const auto& t : kTabs) {
        nav += "<a href=\"" + std::string(t.href) + "\"";
        if (t.tab == current) nav += " class=\"here\" aria-current=\"page\"";
        nav += ">" + std::string(t.label) + "</a>";
    }
    return nav + "</nav>\n";
}

bool has_control_characters(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
    return false;
}

}  // namespace

void send_console_page(httplib::Response& res, const WebRequest& r, Tab tab, const std::string& title,
                       const std::string& body_html, int status) {
    send_page(res, status, PageFrame{title, sub_navigation(tab) + body_html, "console", &r.caller});
}

bool shows_officer_actions(const Caller& caller) { return role_allows(caller.role, Access::Officer); }

std::string csrf_field(const Caller& caller) {
    // Basic and bearer callers have no token and need none (the front door checks sessions only).
    if (caller.csrf_token.empty()) return {};
    return "<input type=\"hidden\" name=\"csrf_token\" value=\"" + html_escape(caller.csrf_token) + "\">";
}

Requester console_requester(const Caller& caller) {
    return Requester{caller.name, caller.role ? to_string(*caller.role) : "", "console"};
}

std::string text_param(const httplib::Request& req, const char* name, std::size_t max_bytes) {
    if (!req.has_param(name)) return {};
    const char* where = req.method == "POST" ? "form" : "query";
    std::string value = req.get_param_value(name);
    if (value.size() > max_bytes)
        throw InputError(where, name, "is " + std::to_string(value.size()) + " bytes long; at most " +
                                          std::to_string(max_bytes) + " are taken");
    if (has_control_characters(value)) throw InputError(where, name, "holds control characters", "send plain text");
    return value;
}

std::optional<std::int64_t> number_param(const httplib::Request& req, const char* name, std::int64_t min,
                                         std::int64_t max) {
    const std::string text = text_param(req, name, 20);
    if (text.empty()) return std::nullopt;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
        throw InputError("query", name, "'" + printable(text) + "' is not a whole number from " + std::to_string(min) +
                                            " to " + std::to_string(max));
    return value;
}

std::string ca_filter(const Lab& lab, const std::string& value, const char* field) {
    if (value.empty()) return {};
    if (const CaConfig* c = lab.config().find_ca(value)) return c->name;
    throw InputError("query", field, "names no CA of this lab: '" + printable(value.substr(0, 64)) + "'",
                     "pick a CA from the list");
}

const CertificateAuthority& path_ca(const Lab& lab, const std::string& name) {
    for (const auto& ca : lab.cas())
        if (ca.name() == name) return ca;
    throw NotFoundError("this lab has no CA named '" + printable(name.substr(0, 64)) + "'");
}

std::int64_t path_request_id(const std::string& text) {
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (text.empty() || text.size() > 18 || text.front() == '-' || text.front() == '+' || ec != std::errc() ||
        end != text.data() + text.size() || id < 1)
        throw InputError("path", "id", "'" + printable(text.substr(0, 32)) + "' is not a request id",
                         "request ids are whole numbers from 1, per CA");
    return id;
}

std::string query_value(const std::string& value) { return httplib::detail::encode_query_param(value); }

std::string request_url(const std::string& ca, std::int64_t id) {
    return "/console/requests/" + query_value(ca) + "/" + std::to_string(id);
}

std::string certificate_url(const std::string& ca, const std::string& serial) {
    return "/console/certificates/" + query_value(ca) + "/" + query_value(serial);
}

std::string badge(std::string_view word) { return badge(word, word); }

std::string badge(std::string_view word, std::string_view label) {
    const bool plain = !word.empty() && word.size() <= 32 && word.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") == std::string_view::npos;
    return "<span class=\"badge" + (plain ? " " + std::string(word) : std::string()) + "\">" + html_escape(label) +
           "</span>";
}

std::string time_html(Time t) {
    const std::string s = format_time(t);
    return "<time datetime=\"" + s + "\">" + s + "</time>";
}

std::string short_time_html(Time t) {
    const std::string s = format_time(t);  // YYYY-MM-DDTHH:MM:SSZ
    return "<time datetime=\"" + s + "\" title=\"" + s + "\">" + s.substr(0, 10) + " " + s.substr(11, 5) + "</time>";
}

std::string date_html(Time t) {
    const std::string s = format_time(t);
    return "<time datetime=\"" + s + "\" title=\"" + s + "\">" + s.substr(0, 10) + "</time>";
}

std::string short_serial_html(const std::string& serial) {
    constexpr std::size_t kShown = 16;
    if (serial.size() <= kShown + 2) return html_escape(serial);
    return "<span title=\"" + html_escape(serial) + "\">" + html_escape(serial.substr(0, kShown)) + "&hellip;</span>";
}

std::string effective_status(const CertificateRecord& c, Time now) {
    if (c.status == CertStatus::Valid && c.not_after < now) return "expired";
    return to_string(c.status);
}

std::int64_t days_until(Time t, Time now) {
    const auto seconds = (t - now).count();
    // Floor, so that a certificate with 12 hours left has 0 days, and one expired an hour ago -1.
    return seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
}

std::string cell_text(std::string_view text, std::size_t max_chars) {
    if (text.size() <= max_chars) return html_escape(text);
    std::size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
    return html_escape(text.substr(0, cut)) + "&hellip;";
}

}  // namespace pkilab::web::console
