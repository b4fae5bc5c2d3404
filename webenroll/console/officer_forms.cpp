#include "webenroll/console/officer_forms.hpp"

#include <charconv>

#include "webenroll/console/console_page.hpp"
#include "webenroll/pages/html.hpp"

namespace pkilab::web::console {

namespace {

// The reasons an officer picks from. certificateHold has its own button (it is reversible),
// removeFromCRL is what Release does, and 7 is unused (RFC 5280 5.3.1).
constexpr RevocationReason kRevokeReasons[] = {
    RevocationReason::Unspecified,        RevocationReason::KeyCompromise, RevocationReason::CaCompromise,
    RevocationReason::AffiliationChanged, RevocationReason::Superseded,    RevocationReason::CessationOfOperation,
    RevocationReason::PrivilegeWithdrawn, RevocationReason::AaCompromise,
};

std::string post_form(const std::string& action, const Caller& caller, const std::string& css_class) {
    return "<form method=\"post\" action=\"" + html_escape(action) + "\" class=\"" + css_class + "\">" + csrf_field(caller);
}

struct Notice {
    const char* code;  // the `done` prefix
    const char* text;  // follows "Request N on CA "
};

constexpr Notice kNotices[] = {
    {"approved", "was approved and its certificate issued."},
    {"approval-denied", "was approved, but the rules checked again at approval refused it: it is now denied. Its findings say why."},
    {"still-pending", "was approved, but a policy plugin holds it again: it is still pending."},
    {"approval-failed", "was approved, but issuing it failed: see its story and the audit log."},
    {"denied", "was denied."},
};

}  // namespace

std::string request_action_forms(const Caller& caller, const RequestRecord& request, ReturnTo back) {
    if (!shows_officer_actions(caller) || request.state != RequestState::Pending) return {};
    const std::string base = request_url(request.ca, request.id);
    const std::string from = back == ReturnTo::Story ? "<input type=\"hidden\" name=\"from\" value=\"story\">" : "";
    const std::string id = std::to_string(request.id);
    const std::string deny = post_form(base + "/deny", caller, "inline deny") + from +
                             "<input type=\"text\" name=\"reason\" maxlength=\"500\" placeholder=\"Reason\" "
                             "title=\"Why, for the requester\" aria-label=\"Why request " + id + " is denied\">"
                             "<button type=\"submit\" class=\"danger\">Deny</button></form>";
    // In a table row the reason folds out of a "Deny" toggle; the story has room for it.
    return "<div class=\"actions\">" + post_form(base + "/approve", caller, "inline") + from +
           "<button type=\"submit\">Approve</button></form>" +
           (back == ReturnTo::List ? "<details class=\"fold\"><summary>Deny</summary>" + deny + "</details>" : deny) + "</div>";
}

std::string certificate_action_forms(const Caller& caller, const CertificateRecord& cert, bool compact) {
    if (!shows_officer_actions(caller) || cert.status == CertStatus::Revoked) return {};
    const std::string base = certificate_url(cert.ca, cert.serial);
    std::string html = "<div class=\"actions\">";
    if (cert.status == CertStatus::Valid)
        html += post_form(base + "/hold", caller, "inline") + "<button type=\"submit\" class=\"secondary\">Hold</button></form>";
    else
        html += post_form(base + "/release", caller, "inline") +
                "<button type=\"submit\" class=\"secondary\">Release</button></form>";
    std::string revoke = post_form(base + "/revoke", caller, "inline") + "<select name=\"reason\" aria-label=\"Revocation reason\">";
    for (RevocationReason reason : kRevokeReasons)
        revoke += std::string("<option value=\"") + to_string(reason) + "\">" + to_string(reason) + "</option>";
    revoke += "</select><button type=\"submit\" class=\"danger\" data-confirm=\"Revoke certificate " + html_escape(cert.serial) +
              "? This cannot be undone.\">Revoke</button></form>";
    html += compact ? "<details class=\"fold\"><summary>Revoke</summary>" + revoke + "</details>" : revoke;
    return html + "</div>";
}

std::string done_code(RequestState state_after, bool was_deny, std::int64_t id) {
    const char* code = "approval-failed";
    if (was_deny) code = "denied";
    else if (state_after == RequestState::Issued) code = "approved";
    else if (state_after == RequestState::Denied) code = "approval-denied";
    else if (state_after == RequestState::Pending) code = "still-pending";
    return std::string(code) + "-" + std::to_string(id);
}

std::string action_notice(const Lab& lab, const httplib::Request& req) {
    const std::string done = req.has_param("done") ? req.get_param_value("done") : std::string();
    const size_t dash = done.rfind('-');
    if (done.size() > 48 || dash == std::string::npos) return {};
    const std::string digits = done.substr(dash + 1);
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (digits.empty() || digits.size() > 18 || ec != std::errc() || end != digits.data() + digits.size() || id < 1) return {};
    const std::string code = done.substr(0, dash);
    for (const auto& n : kNotices) {
        if (code != n.code) continue;
        // Only a CA of the lab is named, and with the lab's own spelling of it.
        const CaConfig* ca = req.has_param("on") ? lab.config().find_ca(req.get_param_value("on")) : nullptr;
        std::string html = "<p class=\"notice\" role=\"status\">Request ";
        html += ca ? "<a href=\"" + html_escape(request_url(ca->name, id)) + "\">" + std::to_string(id) + "</a> on " +
                         html_escape(ca->name)
                   : std::to_string(id);
        return html + " " + n.text + "</p>";
    }
    return {};
}

}  // namespace pkilab::web::console
