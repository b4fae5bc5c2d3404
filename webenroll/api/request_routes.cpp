// /api/v1/requests (submit, list, show, approve, deny, resubmit) and /api/v1/check (preflight).
#include <limits>

#include "ca/finding_json.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"
#include "webenroll/api/api_response.hpp"
#include "webenroll/api/api_route.hpp"
#include "webenroll/api/problem.hpp"
#include "webenroll/api/query.hpp"
#include "webenroll/api/record_json.hpp"
#include "webenroll/api/tbs_info.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::web {

namespace {

using httplib::Response;

// A CSR's PEM is about 4/3 of its DER; base64 DER the same without the armour.
constexpr std::size_t kMaxCsrText = kMaxCsrBytes * 4 / 3 + 4096;
// An enrollee's list is its own among this many requests, oldest first: the store has no
// requester index, and a lab is not a production CA.
constexpr std::size_t kOwnScan = 100'000;

const std::vector<BodyField> kEnrollmentFields{
    {"template", true, 128, "The template's name, e.g. WebServer", false},
    {"csr", true, kMaxCsrText, "The PKCS#10 request: PEM, or base64 of the DER", true},
    {"ca", false, 128, "The CA to ask (default: the issuing CA that publishes the template)", false},
};

// The pipeline's errors name what it was given ("CSR", "request"); the client sent members of
// a body.
template <class F>
auto naming_body_members(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const InputError& e) {
        if (e.where() == "CSR")
            throw InputError("body", "csr", (e.field().empty() ? std::string() : e.field() + ": ") + e.problem(), e.hint());
        if (e.where() == "request") throw InputError("body", e.field(), e.problem(), e.hint());
        throw;
    }
}

Bytes csr_bytes(const std::string& text) {
    if (text.find("-----BEGIN") != std::string::npos) return Bytes(text.begin(), text.end());
    try {
        return base64_decode(text, "csr");
    } catch (const InputError& e) {
        throw InputError("body", "csr", "is neither PEM nor base64 DER: " + e.problem(),
                         "send the PEM text of the CSR, or base64 of its DER");
    }
}

struct Enrollment {
    const CertificateTemplate* tmpl = nullptr;
    EnrollmentRequest request;
};

// The template (refused with 403 when the caller may not enroll for it) and the request.
std::optional<Enrollment> enrollment(const WebServices& s, const ApiCall& call, Response& res) {
    const IssuanceContext ctx = s.lab.context();
    Enrollment e;
    try {
        e.tmpl = &find_template(ctx, call.field("template"));
        if (!call.field("ca").empty()) find_ca(ctx, call.field("ca"));
    } catch (const NotFoundError& nf) {
        throw InputError("body", e.tmpl == nullptr ? "template" : "ca", nf.what());
    }
    if (!may_enroll(call.web.caller, *e.tmpl)) {
        send_problem(res, 403, "enroll-not-allowed", "Not allowed to enroll",
                     "user " + call.web.caller.name + " may not enroll for template " + e.tmpl->name +
                         " (its enroll: list in the lab file)",
                     {{"template", e.tmpl->name}});
        return std::nullopt;
    }
    e.request = EnrollmentRequest{e.tmpl->name, call.field("ca"), csr_bytes(call.field("csr")), api_requester(call.web.caller)};
    return e;
}

void submit_request(const WebServices& s, const ApiCall& call, Response& res) {
    const auto e = enrollment(s, call, res);
    if (!e) return;
    const IssuanceOutcome o = naming_body_members([&] { return submit(s.lab.context(), e->request); });
    send_outcome(res, o, 201);
}

void check_request(const WebServices& s, const ApiCall& call, Response& res) {
    const auto e = enrollment(s, call, res);
    if (!e) return;
    const Evaluation ev = naming_body_members([&] { return evaluate(s.lab.context(), e->request); });
    const bool passes = !has_errors(ev.findings);
    nlohmann::json j{{"template", ev.template_name},
                     {"ca", ev.ca},
                     {"passes", passes},
                     {"would_pend", passes && ev.would_pend},
                     {"would_issue", passes && !ev.would_pend},
                     {"findings", ev.findings},
                     {"stored", false},
                     {"certificate", nullptr}};
    if (!ev.tbs_der.empty()) {
        j["certificate"] = to_json(describe_tbs(ev.tbs_der));
        // Drawn for the draft and never reserved: the issued certificate gets another.
        j["certificate"].erase("serial");
    }
    send_json(res, 200, j);
}

nlohmann::json request_json(const RequestRecord& r) {
    nlohmann::json j = to_json(r);
    j["csr"] = pem_encode("CERTIFICATE REQUEST", r.csr_der);
    j["links"] = {{"self", request_path(r.ca, r.id)}};
    if (!r.serial.empty()) j["links"]["certificate"] = certificate_path(r.serial);
    return j;
}

void list_requests(const WebServices& s, const ApiCall& call, Response& res) {
    RequestQuery q;
    if (call.has_query("ca")) {
        q.ca = call.query("ca");
        if (!s.lab.config().find_ca(q.ca)) throw InputError("query", "ca", "names no CA of this lab: " + q.ca);
    }
    if (call.has_query("state")) {
        try {
            q.state = parse_request_state(call.query("state"));
        } catch (const InputError& e) {
            throw InputError("query", "state", e.problem(), e.hint());
        }
    }
    const std::size_t limit = query_limit(call);
    const bool all = sees_everything(call.web.caller);
    q.limit = all ? limit : kOwnScan;
    nlohmann::json items = nlohmann::json::array();
    for (const auto& r : s.lab.store().list_requests(q)) {
        if (!all && !owns(call.web.caller, r)) continue;
        if (items.size() >= limit) break;
        nlohmann::json j = to_json(r);
        j["links"] = {{"self", request_path(r.ca, r.id)}};
        items.push_back(std::move(j));
    }
    const std::size_t count = items.size();
    send_json(res, 200, {{"requests", std::move(items)}, {"count", count}, {"limit", limit}});
}

// The request the path names; an enrollee's view of another's request is that it does not exist.
RequestRecord stored_request(const WebServices& s, const WebRequest& r) {
    const std::string& ca = r.params.at(0);
    const std::int64_t id = parse_integer(r.params.at(1), "path", "id", 1, std::numeric_limits<std::int64_t>::max());
    find_ca(s.lab.context(), ca);
    auto found = s.lab.store().find_request(ca, id);
    if (!found || (!sees_everything(r.caller) && !owns(r.caller, *found)))
        throw NotFoundError("CA " + ca + " has no request " + std::to_string(id));
    return std::move(*found);
}

void show_request(const WebServices& s, const ApiCall& call, Response& res) {
    send_json(res, 200, request_json(stored_request(s, call.web)));
}

template <class Action>
ApiHandler officer_action(const WebServices& s, Action action, int denied_status = 422) {
    return [&s, action, denied_status](const ApiCall& call, Response& res) {
        const RequestRecord r = stored_request(s, call.web);
        const IssuanceOutcome o = action(s.lab.context(), r.ca, r.id, api_requester(call.web.caller), call.field("reason"));
        send_outcome(res, o, 200, denied_status);
    };
}

}  // namespace

void add_request_routes(ApiRoutes& api) {
    const WebServices& s = api.services();
    api.add("POST", "/api/v1/requests", Access::Enroll, "Submit a CSR for a template",
            ApiDoc{{}, kEnrollmentFields, "EnrollmentRequest", 201, "Outcome", {}, {400, 403, 413, 415, 422}},
            [&s](const ApiCall& call, Response& res) { submit_request(s, call, res); });
    api.add("GET", "/api/v1/requests", Access::Authenticated, "List requests (an enrollee sees its own)",
            ApiDoc{{{"state", "Only requests in this state", {"pending", "issued", "denied", "failed"}},
                    {"ca", "Only this CA's requests", {}},
                    {"limit", "At most this many (1 to 1000, default 100)", {}, "integer"}},
                   {}, "", 200, "RequestList", {}, {400}},
            [&s](const ApiCall& call, Response& res) { list_requests(s, call, res); });
    api.add("GET", "/api/v1/requests/{ca}/{id}", Access::Authenticated, "One request, with its findings and CSR",
            ApiDoc{{}, {}, "", 200, "Request", {}, {400, 404}},
            [&s](const ApiCall& call, Response& res) { show_request(s, call, res); });
    api.add("POST", "/api/v1/requests/{ca}/{id}/approve", Access::Officer, "Approve a pending request (it is issued)",
            ApiDoc{{}, {}, "", 200, "Outcome", {}, {400, 404, 409, 422}},
            officer_action(s, [](const IssuanceContext& c, const std::string& ca, std::int64_t id, const Requester& who,
                                 const std::string&) { return approve(c, ca, id, who); }));
    api.add("POST", "/api/v1/requests/{ca}/{id}/deny", Access::Officer, "Deny a pending request",
            ApiDoc{{}, {{"reason", false, 1024, "Why, for the requester", false}}, "DenyRequest", 200, "Outcome", {},
                   {400, 404, 409, 413, 415}},
            officer_action(
                s,
                [](const IssuanceContext& c, const std::string& ca, std::int64_t id, const Requester& who,
                   const std::string& why) { return deny(c, ca, id, who, why); },
                200));
    api.add("POST", "/api/v1/requests/{ca}/{id}/resubmit", Access::Officer,
            "Run a pending, denied or failed request through policy again",
            ApiDoc{{}, {}, "", 200, "Outcome", {}, {400, 404, 409, 422}},
            officer_action(s, [](const IssuanceContext& c, const std::string& ca, std::int64_t id, const Requester& who,
                                 const std::string&) { return resubmit(c, ca, id, who); }));
    api.add("POST", "/api/v1/check", Access::Enroll, "Preflight: would this CSR be issued? Nothing is stored",
            ApiDoc{{}, kEnrollmentFields, "EnrollmentRequest", 200, "Preflight", {}, {400, 403, 413, 415}},
            [&s](const ApiCall& call, Response& res) { check_request(s, call, res); });
}

}  // namespace pkilab::web
