#include "webenroll/est/est_responses.hpp"

#include "ca/x509/pem.hpp"
#include "webenroll/est/est_body.hpp"

namespace pkilab::web::est {

void send_text(httplib::Response& res, int status, const std::string& text) {
    res.status = status;
    res.set_header("Cache-Control", "no-store");
    res.set_content(text.empty() || text.back() == '\n' ? text : text + "\n", "text/plain; charset=utf-8");
}

void send_unauthorized(httplib::Response& res, const std::string& why) {
    res.set_header("WWW-Authenticate", kRealm);
    send_text(res, 401, "Authentication required: " + why);
}

void send_certs_only_der(httplib::Response& res, ByteView certificate_der) {
    ossl::X509Ptr cert = parse_certificate(certificate_der, "issued certificate");
    send_certs_only(res, {cert.get()});
}

void send_certs_only(httplib::Response& res, const std::vector<const X509*>& certs) {
    res.status = 200;
    res.set_header("Content-Transfer-Encoding", "base64");
    res.set_header("Cache-Control", "no-store");
    res.set_content(base64_lines(pkcs7_certs_only(certs)), kCertsOnlyType);
}

void send_pending(httplib::Response& res, const std::string& ca, std::int64_t id, std::uint32_t retry_after) {
    res.set_header("Retry-After", std::to_string(retry_after));
    send_text(res, 202,
              "Request " + std::to_string(id) + " to " + ca +
                  " waits for an officer's approval; send the same CSR again after Retry-After seconds");
}

std::string refusal_text(const std::string& ca, std::int64_t id, RequestState state, const std::string& disposition,
                         const Findings& findings) {
    std::string text = "Request " + std::to_string(id) + " to " + ca + " was " +
                       (state == RequestState::Denied ? "denied" : "not completed") + ": " + disposition + "\n";
    for (const Finding& f : findings) {
        if (f.severity == Severity::Info) continue;
        text += std::string("- ") + to_string(f.severity) + " " + f.code + " (" + f.source + "): " + f.message;
        if (!f.hint.empty()) text += " Hint: " + f.hint;
        text += "\n";
    }
    return text;
}

void send_refusal(httplib::Response& res, const std::string& ca, std::int64_t id, RequestState state,
                  const std::string& disposition, const Findings& findings) {
    send_text(res, state == RequestState::Denied ? 403 : 500, refusal_text(ca, id, state, disposition, findings));
}

}  // namespace pkilab::web::est
