#pragma once
// What every console page shares: the frame with its sub-navigation, reading query and path
// parameters as the hostile input they are (bounded, checked, named in the error), and the
// small pieces of HTML that several pages show (status badges, links, the officer's forms).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <httplib.h>

#include "ca/authority/lab.hpp"
#include "ca/clock.hpp"
#include "ca/store/store.hpp"
#include "webenroll/router.hpp"

namespace pkilab::web::console {

enum class Tab { Dashboard, Templates, Requests, Certificates, Audit };

// The page in the site frame, with the console's sub-navigation and `tab` marked.
void send_console_page(httplib::Response& res, const WebRequest& r, Tab tab, const std::string& title,
                       const std::string& body_html, int status = 200);

// Whether to show the officer's buttons; the front door refuses the POSTs anyway.
bool shows_officer_actions(const Caller& caller);
// The hidden field every state-changing form carries (the session's CSRF token).
std::string csrf_field(const Caller& caller);
// Who did it, as the pipeline records it: the caller through the console.
Requester console_requester(const Caller& caller);

// A query or form parameter: absent is empty; longer than `max_bytes` or holding control
// characters is an InputError naming it.
std::string text_param(const httplib::Request& req, const char* name, std::size_t max_bytes);
// A decimal parameter in [min, max]; absent or empty is nullopt.
std::optional<std::int64_t> number_param(const httplib::Request& req, const char* name, std::int64_t min,
                                         std::int64_t max);
// A CA named in the query (`field`): empty stays empty; else it must be a CA of the lab.
std::string ca_filter(const Lab& lab, const std::string& value, const char* field);
// The {ca} of a path: a CA of the lab, else NotFoundError.
const CertificateAuthority& path_ca(const Lab& lab, const std::string& name);
// The {id} of a path: a request id (1 or more, decimal digits only), else InputError.
std::int64_t path_request_id(const std::string& text);

std::string request_url(const std::string& ca, std::int64_t id);
std::string certificate_url(const std::string& ca, const std::string& serial);
std::string query_value(const std::string& value);  // percent-encoded for a query string

// <span class="badge WORD">WORD</span>; `word` becomes the class only when it is a plain
// lower-case word (the state names), so a stored value can never add attributes.
std::string badge(std::string_view word);
std::string badge(std::string_view word, std::string_view label);
// "2026-11-23T10:00:00Z" in a <time> element.
std::string time_html(Time t);
// The same shortened for a table column, "2026-11-23 10:00" or "2026-11-23", whole on hover.
std::string short_time_html(Time t);
std::string date_html(Time t);
// A serial shortened for a table column, whole on hover and in links.
std::string short_serial_html(const std::string& serial);
// "valid", "revoked", "on-hold", or "expired" for a valid certificate past its notAfter.
std::string effective_status(const CertificateRecord& c, Time now);
// Whole days from `now` to `t` (negative once past).
std::int64_t days_until(Time t, Time now);

// Long free text (dispositions, audit details) cut to `max_chars` for a table cell, escaped.
std::string cell_text(std::string_view text, std::size_t max_chars = 300);

}  // namespace pkilab::web::console
