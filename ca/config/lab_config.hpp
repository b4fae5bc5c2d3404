#pragma once
// The lab file (YAML): the CAs, the templates, where state is kept. Strict: an unknown key,
// a wrong type, a bad DN, an undefined parent or template is an InputError whose `where` is
// "FILE:LINE:COLUMN", whose field is the YAML path ("cas[1].parent") and whose hint is the fix.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ca/clock.hpp"
#include "ca/config/protocols_config.hpp"
#include "ca/keys/key.hpp"
#include "ca/keys/key_file.hpp"
#include "ca/template/template.hpp"
#include "ca/x509/general_name.hpp"
#include "ca/x509/signature.hpp"

namespace pkilab {

// One `plugins.load` entry: a policy plugin instance.
struct PluginConfig {
    std::string name;   // the instance's name, used in policy chains and findings
    std::string file;   // a file name looked up in the directories, or a path
    std::string where;  // "lab.yaml:LINE:COLUMN" of the entry, for errors
    std::vector<std::pair<std::string, std::string>> settings;  // its `config:`, flattened
    std::string settings_json = "{}";
    bool isolated = false;           // `mode: isolated`: run in a helper process of its own
    std::uint32_t timeout_ms = 2000;  // isolated: longest wait for one answer
    std::uint32_t memory_mb = 256;    // isolated: the helper's address-space limit
};

struct PluginsConfig {
    std::vector<std::string> directories{"builtin"};  // "builtin": where this pkilab's plugins are
    std::vector<PluginConfig> load;
};

// A CA's CRLs: AD CS's schedule (its defaults too) and shape. See docs/LAB-FILE.md.
struct CrlConfig {
    Duration period = std::chrono::days{7};
    Duration delta_period = std::chrono::days{1};  // zero: no delta CRLs
    std::optional<Duration> overlap;        // absent: 10% of the period, at most 12 hours
    std::optional<Duration> delta_overlap;  // the same for delta CRLs
    // What revoke, hold and release publish at once: a new base CRL (and a delta CRL extending
    // it, with deltas), so that every client sees the change now; a delta CRL only (AD CS's way:
    // clients that read only base CRLs see it at the next base); or nothing until the schedule.
    enum class OnRevoke { Base, Delta, Nothing };
    OnRevoke publish_on_revoke = OnRevoke::Base;
    std::vector<std::string> publish_dirs;   // more folders to copy CRLs to, as written in the file
    bool issuing_distribution_point = false;
    bool next_publish_extension = true;      // Microsoft "Next CRL Publish" (1.3.6.1.4.1.311.21.4)
    bool keep_expired = false;               // list revoked certificates after they expire
    std::string hold_instruction;            // "" (no extension), "none", "call-issuer" or "reject"

    bool deltas() const { return delta_period.count() > 0; }
    Duration base_overlap() const;   // the configured overlap or AD CS's default
    Duration delta_overlap_or_default() const;
};

// A CA's OCSP responder.
struct OcspConfig {
    bool delegated = true;  // sign with an OCSP signing certificate the CA issues, not with the CA key
    Duration response_validity = std::chrono::hours{24};  // nextUpdate - thisUpdate of each response
};

struct CaConfig {
    std::string name;     // identifier: [A-Za-z0-9][A-Za-z0-9._-]*, used in URLs and file names
    std::string subject;  // DN in parse_dn syntax
    KeySpec key;
    SignatureSpec signature;    // SHA-1 needs legacy_sha1: true; PSS needs rsa_pss: true
    bool legacy_rsa1024 = false;  // allows key: rsa1024 (legacy simulation, warned at lab up)
    Duration validity = std::chrono::days{365 * 10};
    std::optional<std::string> parent;  // absent: a self-signed root
    std::optional<int> path_length;
    std::vector<GeneralName> permitted_names;  // name constraints
    std::vector<GeneralName> excluded_names;
    // URL patterns with AD CS tokens (see url_tokens.hpp), written into issued certificates.
    std::vector<std::string> cdp_urls;
    std::vector<std::string> aia_urls;
    std::vector<std::string> ocsp_urls;
    std::vector<std::string> templates;  // names of the templates this CA issues
    PassphraseSource key_passphrase;     // empty: key file unencrypted (mode 0600)
    std::vector<std::string> policy;     // plugin instances every request to this CA goes through, in order
    CrlConfig crl;
    OcspConfig ocsp;
};

// Who may use `pkilab serve`'s pages and API (webenroll/). Roles, from least to most:
// enrollee (submit requests, read its own), auditor (read everything, change nothing),
// officer (approve, deny, resubmit, revoke, hold, release), admin (everything).
enum class WebRole { Enrollee, Auditor, Officer, Admin };
const char* to_string(WebRole r);  // "enrollee", "auditor", "officer", "admin"
std::optional<WebRole> parse_web_role(std::string_view name);  // to_string's names exactly; else nullopt

struct WebUser {
    std::string name;           // [A-Za-z0-9][A-Za-z0-9._@-]*, unique in the file
    WebRole role = WebRole::Enrollee;
    // PHC string "$pbkdf2-sha256$i=ITERATIONS$SALT$HASH" (ca/auth/password_hash.hpp); empty:
    // no password login. `pkilab web hash-password` makes one.
    std::string password_hash;
    std::string token_sha256;   // lower-case hex SHA-256 of a bearer token; empty: no token
    // May log in with a TLS client certificate a CA of the lab issued for clientAuth, valid and
    // not revoked, whose UPN, e-mail address or CN is the user's name.
    bool client_certificate = false;
    std::string where;          // "lab.yaml:LINE:COLUMN" of the entry
};

struct WebConfig {
    std::vector<WebUser> users;
    // The CA that /certsrv/ is the web enrollment of (AD CS: one CA per certsrv). Empty: the
    // first CA that publishes a template other than SubCA.
    std::string certsrv_ca;
    std::uint32_t rate_limit_per_minute = 600;  // requests per client address; 0: no limit
    // AD CS's EDITF_ATTRIBUTESUBJECTALTNAME2 (the ESC6 trap): names in a request attribute
    // "SAN:dns=..." reach the certificate. Off; a lab turns it on to teach the attack.
    bool san_from_request_attributes = false;
    std::string where;          // of the `web:` section
};

struct LabConfig {
    std::string name = "lab";
    std::filesystem::path source;  // the file it came from ("" for text)
    std::string server_dns_name = "127.0.0.1";  // <ServerDNSName>
    // lab.state: where `pkilab lab up` keeps this lab when neither --state nor $PKILAB_STATE
    // says; relative to the lab file's folder. As written in the file.
    std::optional<std::string> state_dir;
    std::vector<CaConfig> cas;                  // ordered so that every parent comes before its children
    std::vector<CertificateTemplate> templates; // the built-in ones, then the file's (a file template
                                                // may extend a built-in with `base:`)
    PluginsConfig plugins;
    WebConfig web;
    ProtocolsConfig protocols;  // EST, ACME, SCEP, CMP (ca/config/protocols_config.hpp)

    const CaConfig* find_ca(std::string_view name) const;
    const CertificateTemplate* find_template(std::string_view name) const;
};

inline constexpr size_t kMaxLabFileBytes = 1024 * 1024;
inline constexpr size_t kMaxCas = 64;

// Reads and checks a lab file (at most kMaxLabFileBytes). Throws InputError at the first problem.
LabConfig load_lab_file(const std::filesystem::path& path);
// Same, from text; `filename` is used in error locations.
LabConfig parse_lab_config(std::string_view yaml_text, std::string_view filename);

// The built-in templates (WebServer, Computer, User, SubCA, LyncServer, ...).
const std::vector<CertificateTemplate>& builtin_templates();

}  // namespace pkilab
