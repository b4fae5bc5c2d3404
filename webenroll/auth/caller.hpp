#pragma once
// Who sent a request, once its credentials were checked, and what a route demands of them.
#include <optional>
#include <string>

#include "ca/config/lab_config.hpp"

namespace pkilab::web {

// What a route demands. Each level admits the roles listed, nobody else.
enum class Access {
    Public,         // anyone, over HTTP or HTTPS, no credentials (CRLs, AIA, OCSP, the landing page)
    Authenticated,  // any user of the lab file, any role
    Enroll,         // enrollee, officer, admin (submit requests; the template's enroll list decides the rest)
    Read,           // auditor, officer, admin (everything that exists, read only)
    Officer,        // officer, admin (approve, deny, resubmit, revoke, hold, release)
    Admin,          // admin
};
const char* to_string(Access a);  // "public", "authenticated", "enroll", "read", "officer", "admin"

enum class AuthMethod { None, Basic, Bearer, Session, ClientCertificate };
const char* to_string(AuthMethod m);

struct Caller {
    std::string name;              // empty: anonymous
    std::optional<WebRole> role;   // empty: anonymous
    AuthMethod method = AuthMethod::None;
    std::string session_id;        // AuthMethod::Session
    std::string csrf_token;        // AuthMethod::Session: what state-changing forms must carry
    std::string address;           // the client's IP address

    bool anonymous() const { return !role.has_value(); }
};

bool role_allows(std::optional<WebRole> role, Access access);

// The template's `enroll:` list (role or user names; empty: enrollee, officer, admin).
bool may_enroll(const Caller& caller, const CertificateTemplate& t);

}  // namespace pkilab::web
