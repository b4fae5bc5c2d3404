#include "webenroll/auth/caller.hpp"

#include <algorithm>

namespace pkilab::web {

const char* to_string(Access a) {
    switch (a) {
        case Access::Public: return "public";
        case Access::Authenticated: return "authenticated";
        case Access::Enroll: return "enroll";
        case Access::Read: return "read";
        case Access::Officer: return "officer";
        case Access::Admin: return "admin";
    }
    return "?";
}

const char* to_string(AuthMethod m) {
    switch (m) {
        case AuthMethod::None: return "none";
        case AuthMethod::Basic: return "basic";
        case AuthMethod::Bearer: return "bearer";
        case AuthMethod::Session: return "session";
        case AuthMethod::ClientCertificate: return "client-certificate";
    }
    return "?";
}

bool role_allows(std::optional<WebRole> role, Access access) {
    if (access == Access::Public) return true;
    if (!role) return false;
    switch (access) {
        case Access::Public:
        case Access::Authenticated: return true;
        case Access::Enroll: return *role != WebRole::Auditor;
        case Access::Read: return *role != WebRole::Enrollee;
        case Access::Officer: return *role == WebRole::Officer || *role == WebRole::Admin;
        case Access::Admin: return *role == WebRole::Admin;
    }
    return false;
}

bool may_enroll(const Caller& caller, const CertificateTemplate& t) {
    if (!caller.role) return false;
    if (t.enroll.empty()) return role_allows(caller.role, Access::Enroll);
    const std::string role = to_string(*caller.role);
    return std::any_of(t.enroll.begin(), t.enroll.end(),
                       [&](const std::string& entry) { return entry == caller.name || entry == role; });
}

}  // namespace pkilab::web
