#include "webenroll/api/api_response.hpp"

#include <cctype>

#include "ca/x509/pem.hpp"
#include "webenroll/api/problem.hpp"
#include "webenroll/api/record_json.hpp"

namespace pkilab::web {

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    // Records may be private to the caller, and they change: no cache keeps them.
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    // Lab files may hold text that is not UTF-8 (a template description): replaced, not thrown on.
    res.set_content(body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", kJsonType);
}

std::string path_segment(std::string_view s) {
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
    return out;
}

std::string request_path(const std::string& ca, std::int64_t id) {
    return "/api/v1/requests/" + path_segment(ca) + "/" + std::to_string(id);
}

std::string certificate_path(const std::string& serial) { return "/api/v1/certificates/" + path_segment(serial); }

Requester api_requester(const Caller& caller) {
    return Requester{caller.name, caller.role ? to_string(*caller.role) : "", "rest"};
}

bool sees_everything(const Caller& caller) { return caller.role && *caller.role != WebRole::Enrollee; }

bool owns(const Caller& caller, const RequestRecord& r) {
    // A request from the command line carries the local account's name, which may equal a web
    // user's: only requests made on the web (REST, certsrv, the enrollment protocols) are theirs.
    return !caller.anonymous() && r.requester.identity == caller.name && r.requester.channel != "cli";
}

void send_outcome(httplib::Response& res, const IssuanceOutcome& o, int issued_status, int denied_status) {
    nlohmann::json j = to_json(o);
    const std::string location = request_path(o.ca, o.request_id);
    j["links"] = {{"request", location}};
    if (o.certificate) {
        // The DER the CA just signed, in PEM as it is: decoding it again (OpenSSL's d2i_X509 and
        // its key decoder) was three quarters of what the REST path added to an issuance.
        j["certificate"] = pem_encode("CERTIFICATE", o.certificate->der);
        j["links"]["certificate"] = certificate_path(o.certificate->serial);
        j["links"]["download"] = certificate_path(o.certificate->serial) + "/download?format=pem";
    }
    if (o.request_id > 0) res.set_header("Location", location);
    switch (o.state) {
        case RequestState::Issued: send_json(res, issued_status, j); return;
        case RequestState::Pending: send_json(res, 202, j); return;
        case RequestState::Denied:
            if (denied_status != 422) {
                send_json(res, denied_status, j);
                return;
            }
            j.erase("certificate");
            send_problem(res, 422, "request-denied", "Request denied by policy", o.disposition, j);
            return;
        case RequestState::Failed: break;
    }
    send_problem(res, 500, "request-failed", "The CA could not issue the request", o.disposition, j);
}

}  // namespace pkilab::web
