#pragma once
// Shared helpers for the store tests: a scratch folder and small record builders.
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "ca/store/store.hpp"

namespace pkilab::testing {

// A fresh folder removed with everything in it when the test ends.
class ScratchDir {
public:
    ScratchDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "pkilab-store-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    std::filesystem::path file(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

inline Time at_seconds(std::int64_t s) { return Time{std::chrono::seconds{s}}; }

inline NewRequest new_request(const std::string& ca, const std::string& subject,
                              RequestState state = RequestState::Pending) {
    NewRequest r;
    r.ca = ca;
    r.template_name = "server";
    r.template_version = "1";
    r.requester = {"alice", "enrollee", "rest"};
    r.csr_der = {0x30, 0x03, 0x02, 0x01, 0x01};
    r.subject = subject;
    r.state = state;
    r.disposition = "waiting for an officer";
    r.at = at_seconds(1'700'000'000);
    return r;
}

inline AuditEvent event(const std::string& action, const std::string& ca = {}) {
    AuditEvent e;
    e.at = at_seconds(1'700'000'100);
    e.actor = "alice";
    e.action = action;
    e.ca = ca;
    e.outcome = "ok";
    e.detail = "{}";
    return e;
}

inline IssuanceIntent intent_for_new_request(const std::string& ca, const std::string& serial,
                                             const std::string& subject = "CN=x") {
    IssuanceIntent i;
    i.ca = ca;
    i.request = new_request(ca, subject);
    i.serial = serial;
    i.tbs_der = {0x30, 0x00};
    i.at = at_seconds(1'700'000'200);
    return i;
}

inline CertificateRecord certificate(const std::string& ca, const std::string& serial, std::int64_t request_id) {
    CertificateRecord c;
    c.ca = ca;
    c.serial = serial;
    c.request_id = request_id;
    c.subject = "CN=www.lab.test,O=Lab";
    c.sans = {"dns:www.lab.test", "ip:192.0.2.1"};
    c.template_name = "server";
    c.not_before = at_seconds(1'700'000'000);
    c.not_after = at_seconds(1'731'536'000);
    c.issued_at = at_seconds(1'700'000'300);
    c.der = {0x30, 0x82, 0x00, 0x01, 0x00};
    return c;
}

}  // namespace pkilab::testing
