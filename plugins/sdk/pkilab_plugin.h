/*
 * pkilab policy plugin ABI.
 *
 * A plugin is a shared library that exports one C function, pkilab_plugin_entry(), returning
 * a table that describes it and points at its functions. The host (pkilab) calls the entry
 * with its own ABI version; the plugin returns NULL if it cannot serve that host. The host
 * refuses a table whose major version differs from its own, or whose minor version is newer
 * than its own.
 *
 * Rules that keep this ABI stable (in the spirit of sqlite3ext.h and duckdb_extension.h):
 *  - C only: no C++ types, no enums in structs (numeric constants are uint32_t), no ownership
 *    crossing the boundary. Strings and byte strings are views (pointer + length, not
 *    NUL-terminated unless said so) valid only during the call that receives them.
 *  - Every struct starts with struct_size. A field added later goes at the end and is read
 *    only when struct_size covers it; a minor version adds fields, a major version breaks.
 *  - Constants are append-only: a published value never changes meaning.
 *  - Whatever a plugin reports goes through a sink; the host copies it before the call returns.
 *  - Time is given to the plugin (request->now); a plugin should not read the clock, so that
 *    a lab whose clock was advanced gets the same answers as production would at that time.
 *
 * Verdicts: a plugin says ALLOW, DENY, PEND (hold for a CA manager) or ABSTAIN (no opinion).
 * The host fails closed: a DENY from any plugin refuses the request, and so does an ERROR, a
 * crash, a time-out or any value not listed here. Findings with severity ERROR refuse the
 * request even when the verdict says ALLOW.
 */
#ifndef PKILAB_PLUGIN_H
#define PKILAB_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PKILAB_PLUGIN_ABI_MAJOR 1u
#define PKILAB_PLUGIN_ABI_MINOR 0u

/* The one exported symbol. */
#define PKILAB_PLUGIN_ENTRY_NAME "pkilab_plugin_entry"

#if defined(_WIN32)
#define PKILAB_PLUGIN_EXPORT __declspec(dllexport)
#else
#define PKILAB_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* ---- views ---- */

typedef struct pkilab_str {
    const char* ptr; /* may be NULL when len is 0 */
    size_t len;
} pkilab_str;

typedef struct pkilab_bytes {
    const uint8_t* ptr;
    size_t len;
} pkilab_bytes;

/* A view of a NUL-terminated string (a helper for plugins; not part of the binary interface). */
static inline pkilab_str pkilab_cstr(const char* s) {
    pkilab_str v;
    v.ptr = s;
    v.len = 0;
    if (s != NULL)
        while (s[v.len] != '\0') ++v.len;
    return v;
}

/* ---- constants (append-only) ---- */

/* Verdicts returned by evaluate(). */
#define PKILAB_VERDICT_ALLOW 0u
#define PKILAB_VERDICT_DENY 1u
#define PKILAB_VERDICT_PEND 2u
#define PKILAB_VERDICT_ABSTAIN 3u
#define PKILAB_VERDICT_ERROR 4u /* the plugin could not decide: the host refuses */

/* Finding severities. */
#define PKILAB_SEVERITY_ERROR 0u
#define PKILAB_SEVERITY_WARNING 1u
#define PKILAB_SEVERITY_INFO 2u

/* General name types (subjectAltName entries). */
#define PKILAB_NAME_DNS 0u
#define PKILAB_NAME_IP 1u      /* textual: dotted IPv4, RFC 5952 IPv6 */
#define PKILAB_NAME_EMAIL 2u
#define PKILAB_NAME_URI 3u
#define PKILAB_NAME_UPN 4u     /* Microsoft UPN otherName */
#define PKILAB_NAME_DIRNAME 5u /* RFC 4514 string */
#define PKILAB_NAME_OTHER 6u   /* "<oid>:<hex of the DER value>" */

/* Key algorithms. */
#define PKILAB_KEY_RSA 0u
#define PKILAB_KEY_EC 1u
#define PKILAB_KEY_ED25519 2u

/* What is being evaluated (pkilab_request.kind). */
#define PKILAB_KIND_ISSUANCE 0u  /* a request on its way to being signed: csr and cert are set */
#define PKILAB_KIND_PREFLIGHT 1u /* `pkilab check request`: the same, nothing will be signed */
#define PKILAB_KIND_CERT_CHECK 2u /* `pkilab check cert`: an existing certificate, csr is NULL */

/* Key usage bits (pkilab_cert.key_usage), RFC 5280 4.2.1.3 order. */
#define PKILAB_KU_DIGITAL_SIGNATURE (1u << 0)
#define PKILAB_KU_NON_REPUDIATION (1u << 1)
#define PKILAB_KU_KEY_ENCIPHERMENT (1u << 2)
#define PKILAB_KU_DATA_ENCIPHERMENT (1u << 3)
#define PKILAB_KU_KEY_AGREEMENT (1u << 4)
#define PKILAB_KU_KEY_CERT_SIGN (1u << 5)
#define PKILAB_KU_CRL_SIGN (1u << 6)
#define PKILAB_KU_ENCIPHER_ONLY (1u << 7)
#define PKILAB_KU_DECIPHER_ONLY (1u << 8)

/* Plugin flags (pkilab_plugin.flags). */
#define PKILAB_PLUGIN_THREAD_SAFE (1u << 0) /* evaluate() may run on several threads at once */

/* Events (pkilab_event.type), in the spirit of AD CS exit modules. */
#define PKILAB_EVENT_ISSUED 0u
#define PKILAB_EVENT_DENIED 1u
#define PKILAB_EVENT_PENDING 2u
#define PKILAB_EVENT_REVOKED 3u
#define PKILAB_EVENT_CRL_PUBLISHED 4u

/* ---- what a plugin is shown ---- */

typedef struct pkilab_name {
    uint32_t type; /* PKILAB_NAME_* */
    pkilab_str value;
} pkilab_name;

typedef struct pkilab_extension {
    pkilab_str oid; /* dotted */
    uint32_t critical;
    pkilab_bytes value; /* the extnValue contents: the DER of the extension's own type */
} pkilab_extension;

typedef struct pkilab_key {
    uint32_t algorithm;  /* PKILAB_KEY_* */
    uint32_t bits;       /* RSA modulus size; EC field size; 256 for Ed25519 */
    pkilab_str curve;    /* "P-256", "P-384", "P-521"; empty for RSA and Ed25519 */
    pkilab_bytes rsa_modulus;  /* big-endian, no leading zero; empty unless RSA */
    pkilab_bytes rsa_exponent; /* big-endian; empty unless RSA */
    pkilab_bytes spki_der;     /* the whole SubjectPublicKeyInfo */
} pkilab_key;

/* The request as the requester sent it. */
typedef struct pkilab_csr {
    uint32_t struct_size;
    pkilab_bytes der;
    pkilab_str subject; /* RFC 4514, most significant RDN last as OpenSSL prints it */
    const pkilab_name* sans;
    size_t san_count;
    pkilab_key key;
    pkilab_str signature_algorithm; /* "sha256WithRSAEncryption", "ecdsa-with-SHA256", "RSASSA-PSS", "ED25519" */
    const pkilab_extension* extensions; /* as requested, in order */
    size_t extension_count;
} pkilab_csr;

/* The certificate: the draft the CA is about to sign, or an existing one in a check. */
typedef struct pkilab_cert {
    uint32_t struct_size;
    pkilab_bytes der;  /* for a draft, the TBSCertificate; for an existing certificate, all of it */
    pkilab_str serial; /* lower-case hex */
    pkilab_str subject;
    pkilab_str issuer;
    const pkilab_name* sans;
    size_t san_count;
    pkilab_key key;
    int64_t not_before; /* seconds since 1970-01-01T00:00:00Z */
    int64_t not_after;
    uint32_t has_key_usage;
    uint32_t key_usage; /* PKILAB_KU_* bits */
    const pkilab_str* extended_key_usage; /* dotted OIDs */
    size_t extended_key_usage_count;
    uint32_t has_basic_constraints;
    uint32_t is_ca;
    int32_t path_length; /* -1: no limit */
    pkilab_str signature_algorithm;
    const pkilab_str* crl_urls; /* CRL distribution points (URIs) */
    size_t crl_url_count;
    const pkilab_str* ca_issuer_urls; /* AIA caIssuers */
    size_t ca_issuer_url_count;
    const pkilab_str* ocsp_urls; /* AIA OCSP */
    size_t ocsp_url_count;
    const pkilab_str* policies; /* certificate policy OIDs */
    size_t policy_count;
    const pkilab_extension* extensions; /* every extension, in order */
    size_t extension_count;
    int64_t issuer_not_after; /* the issuing CA certificate's notAfter; 0 when unknown */
} pkilab_cert;

typedef struct pkilab_request {
    uint32_t struct_size;
    uint32_t kind; /* PKILAB_KIND_* */
    int64_t now;   /* the CA's (lab) clock, seconds since the epoch */
    pkilab_str ca_name;
    pkilab_str template_name;
    pkilab_str template_version; /* "major.minor" */
    pkilab_str requester_identity;
    pkilab_str requester_role;    /* "enrollee", "officer", "admin", ... */
    pkilab_str requester_channel; /* "cli", "web", "rest", "est", "acme", "scep", "cmp" */
    pkilab_str profile;           /* `pkilab check --profile`, else empty */
    const pkilab_csr* csr;        /* NULL in a certificate check */
    const pkilab_cert* cert;      /* NULL when the request was refused before a draft existed */
} pkilab_request;

typedef struct pkilab_event {
    uint32_t struct_size;
    uint32_t type; /* PKILAB_EVENT_* */
    int64_t at;
    pkilab_str ca_name;
    int64_t request_id;
    pkilab_str serial;
    pkilab_str detail;
} pkilab_event;

/* One configuration entry from the lab file. Nested maps are flattened with dots
 * ("lync.pool_fqdn"); a list gives one entry per element, with the same key, in order. */
typedef struct pkilab_config_entry {
    pkilab_str key;
    pkilab_str value;
} pkilab_config_entry;

typedef struct pkilab_config {
    uint32_t struct_size;
    const pkilab_config_entry* entries;
    size_t entry_count;
    pkilab_str json; /* the same configuration as a JSON object, for plugins that want its shape */
} pkilab_config;

/* ---- what a plugin reports ---- */

typedef struct pkilab_sink {
    uint32_t struct_size;
    void* host; /* opaque: pass it back */
    /* code: stable, e.g. "key.rsa.too_small"; field: what it is about ("key", "san[2]");
     * message: what is wrong; hint: how to fix the request. The host copies them. */
    void (*add_finding)(void* host, uint32_t severity, pkilab_str code, pkilab_str field, pkilab_str message,
                        pkilab_str hint);
} pkilab_sink;

/* ---- the plugin ---- */

typedef struct pkilab_plugin {
    uint32_t struct_size;
    uint32_t abi_major; /* PKILAB_PLUGIN_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor;
    const char* name;        /* NUL-terminated; [a-z0-9_-]+ */
    const char* version;     /* NUL-terminated, e.g. "1.2.0" */
    const char* description; /* NUL-terminated, one line */
    uint32_t flags;          /* PKILAB_PLUGIN_* */
    /* Makes an instance from its configuration. Returns 0 on success; otherwise reports why
     * through `errors` (findings with severity ERROR naming the config key as field). */
    int (*create)(const pkilab_config* config, const pkilab_sink* errors, void** instance);
    void (*destroy)(void* instance);
    /* Decides on one request. Returns a PKILAB_VERDICT_* value. */
    uint32_t (*evaluate)(void* instance, const pkilab_request* request, const pkilab_sink* findings);
    /* Optional (may be NULL): told what happened. Its answer is ignored; it must not block. */
    void (*on_event)(void* instance, const pkilab_event* event);
} pkilab_plugin;

/* The entry point every plugin exports. Returns NULL when it cannot serve this host. */
typedef const pkilab_plugin* (*pkilab_plugin_entry_fn)(uint32_t host_abi_major, uint32_t host_abi_minor);

#ifdef __cplusplus
}
#endif

#endif /* PKILAB_PLUGIN_H */
