// components.schemas of the OpenAPI document: the shapes record_json.cpp, crl_status.cpp and the
// route modules write. Kept as one JSON text, read once.
#include "webenroll/api/openapi.hpp"

namespace pkilab::web {

namespace {

constexpr const char* kSchemas = R"json({
  "Problem": {
    "type": "object",
    "description": "RFC 9457 problem details. Bad input names where, field, problem and hint; a body that is not JSON gives the byte position; a denied request carries its findings, request_id and ca.",
    "required": ["type", "title", "status"],
    "properties": {
      "type": {"type": "string", "description": "/api/v1/problems/TAG, TAG one of: bad-input, not-found, conflict, internal, request-denied, request-failed, enroll-not-allowed, unsupported-media-type, too-large, authentication-required, bad-credentials, forbidden, rate-limited, method-not-allowed, https-required, credentials-over-http, cross-origin, csrf, bad-path"},
      "title": {"type": "string"},
      "status": {"type": "integer"},
      "detail": {"type": "string"},
      "where": {"type": "string"},
      "field": {"type": "string"},
      "problem": {"type": "string"},
      "hint": {"type": "string"},
      "position": {"type": "integer", "description": "The byte of the body where JSON parsing failed"},
      "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
      "request_id": {"type": "integer"},
      "ca": {"type": "string"},
      "state": {"type": "string"}
    }
  },
  "Finding": {
    "type": "object",
    "description": "One reason a request is refused, or a note on it",
    "properties": {
      "source": {"type": "string", "description": "template, lint, csr or a policy plugin's name"},
      "code": {"type": "string", "description": "Stable, e.g. template.san.not_allowed"},
      "severity": {"type": "string", "enum": ["error", "warning", "info"]},
      "field": {"type": "string"},
      "message": {"type": "string"},
      "hint": {"type": "string"}
    }
  },
  "Links": {"type": "object", "additionalProperties": {"type": "string"}},
  "Outcome": {
    "type": "object",
    "description": "What a submission or an officer action decided. Issued: the certificate in PEM and its serial.",
    "properties": {
      "ca": {"type": "string"},
      "request_id": {"type": "integer"},
      "state": {"type": "string", "enum": ["pending", "issued", "denied", "failed"]},
      "disposition": {"type": "string"},
      "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
      "serial": {"type": "string"},
      "certificate": {"type": "string", "description": "PEM, when issued"},
      "links": {"$ref": "#/components/schemas/Links"}
    }
  },
  "Requester": {
    "type": "object",
    "properties": {"identity": {"type": "string"}, "role": {"type": "string"}, "channel": {"type": "string"}}
  },
  "Request": {
    "type": "object",
    "properties": {
      "ca": {"type": "string"},
      "request_id": {"type": "integer"},
      "state": {"type": "string", "enum": ["pending", "issued", "denied", "failed"]},
      "disposition": {"type": "string"},
      "template": {"type": "string"},
      "template_version": {"type": "string"},
      "requester": {"$ref": "#/components/schemas/Requester"},
      "subject": {"type": "string"},
      "submitted_at": {"type": "string", "format": "date-time"},
      "resolved_at": {"type": "string", "format": "date-time"},
      "serial": {"type": "string"},
      "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
      "csr": {"type": "string", "description": "PEM (one request only)"},
      "links": {"$ref": "#/components/schemas/Links"}
    }
  },
  "RequestList": {
    "type": "object",
    "properties": {
      "requests": {"type": "array", "items": {"$ref": "#/components/schemas/Request"}},
      "count": {"type": "integer"},
      "limit": {"type": "integer"}
    }
  },
  "Revocation": {
    "type": "object",
    "properties": {
      "reason": {"type": "string"},
      "reason_code": {"type": "integer"},
      "revoked_at": {"type": "string", "format": "date-time"},
      "invalidity_date": {"type": "string", "format": "date-time"}
    }
  },
  "Certificate": {
    "type": "object",
    "properties": {
      "ca": {"type": "string"},
      "serial": {"type": "string", "description": "Lower-case hex"},
      "request_id": {"type": "integer"},
      "subject": {"type": "string"},
      "sans": {"type": "array", "items": {"type": "string"}},
      "template": {"type": "string"},
      "not_before": {"type": "string", "format": "date-time"},
      "not_after": {"type": "string", "format": "date-time"},
      "issued_at": {"type": "string", "format": "date-time"},
      "status": {"type": "string", "enum": ["valid", "expired", "revoked", "on-hold"]},
      "revocation": {"$ref": "#/components/schemas/Revocation"},
      "links": {"$ref": "#/components/schemas/Links"}
    }
  },
  "CertificateInfo": {
    "type": "object",
    "description": "A certificate decoded",
    "properties": {
      "serial": {"type": "string"},
      "subject": {"type": "string"},
      "issuer": {"type": "string"},
      "not_before": {"type": "string", "format": "date-time"},
      "not_after": {"type": "string", "format": "date-time"},
      "sans": {"type": "array", "items": {"type": "string"}},
      "key": {"type": "string"},
      "signature_algorithm": {"type": "string"},
      "key_usage": {"type": "array", "items": {"type": "string"}},
      "extended_key_usage": {"type": "array", "items": {"type": "string"}},
      "crl_urls": {"type": "array", "items": {"type": "string"}},
      "ca_issuer_urls": {"type": "array", "items": {"type": "string"}},
      "ocsp_urls": {"type": "array", "items": {"type": "string"}},
      "subject_key_id": {"type": "string"},
      "authority_key_id": {"type": "string"},
      "sha256_fingerprint": {"type": "string", "description": "Empty for a certificate not signed yet"},
      "ca": {"type": "boolean"},
      "path_length": {"type": "integer"},
      "microsoft_template": {"type": "string"},
      "extensions": {
        "type": "array",
        "items": {"type": "object", "properties": {"oid": {"type": "string"}, "name": {"type": "string"}, "critical": {"type": "boolean"}}}
      }
    }
  },
  "CertificateDetail": {
    "allOf": [
      {"$ref": "#/components/schemas/Certificate"},
      {"type": "object", "properties": {"certificate": {"$ref": "#/components/schemas/CertificateInfo"}, "pem": {"type": "string"}}}
    ]
  },
  "CertificateList": {
    "type": "object",
    "properties": {
      "certificates": {"type": "array", "items": {"$ref": "#/components/schemas/Certificate"}},
      "count": {"type": "integer"},
      "limit": {"type": "integer"}
    }
  },
  "CrlRecord": {
    "type": "object",
    "properties": {
      "kind": {"type": "string", "enum": ["base", "delta"]},
      "number": {"type": "integer"},
      "base_number": {"type": "integer"},
      "this_update": {"type": "string", "format": "date-time"},
      "next_update": {"type": "string", "format": "date-time"},
      "next_publish": {"type": "string", "format": "date-time"},
      "entries": {"type": "integer"},
      "size": {"type": "integer"},
      "sha256": {"type": "string"},
      "published_at": {"type": "string", "format": "date-time"},
      "freshness": {"type": "string", "enum": ["missing", "fresh", "due", "stale"]},
      "urls": {"type": "array", "items": {"type": "string"}},
      "file": {"type": "string"}
    }
  },
  "CrlPublication": {
    "type": "object",
    "description": "One CRL published after the change, or why it was not",
    "properties": {
      "ca": {"type": "string"},
      "kind": {"type": "string", "enum": ["base", "delta"]},
      "crl": {"$ref": "#/components/schemas/CrlRecord"},
      "files": {"type": "array", "items": {"type": "string"}},
      "error": {"type": "string"}
    }
  },
  "StatusChange": {
    "allOf": [
      {"$ref": "#/components/schemas/Certificate"},
      {"type": "object", "properties": {"crl_publication": {"type": "array", "items": {"$ref": "#/components/schemas/CrlPublication"}}}}
    ]
  },
  "Preflight": {
    "type": "object",
    "description": "What the CA would do with the request; nothing is stored",
    "properties": {
      "template": {"type": "string"},
      "ca": {"type": "string"},
      "passes": {"type": "boolean"},
      "would_pend": {"type": "boolean"},
      "would_issue": {"type": "boolean"},
      "stored": {"type": "boolean", "enum": [false]},
      "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
      "certificate": {"allOf": [{"$ref": "#/components/schemas/CertificateInfo"}], "nullable": true,
                      "description": "The certificate it would sign (null when refused before it was built)"}
    }
  },
  "Template": {
    "type": "object",
    "properties": {
      "name": {"type": "string"},
      "display_name": {"type": "string"},
      "description": {"type": "string"},
      "version": {"type": "string"},
      "cas": {"type": "array", "items": {"type": "string"}, "description": "The CAs that publish it"},
      "may_enroll": {"type": "boolean", "description": "Whether the caller may submit requests for it"},
      "enroll": {"type": "array", "items": {"type": "string"}},
      "subject_source": {"type": "string", "enum": ["request", "template"]},
      "subject": {"type": "string"},
      "required_subject_attributes": {"type": "array", "items": {"type": "string"}},
      "san": {"type": "object", "additionalProperties": {"type": "object"}},
      "max_sans": {"type": "integer"},
      "keys": {"type": "object", "properties": {"rsa_min_bits": {"type": "integer"}, "allow_rsa_1024": {"type": "boolean"},
               "ec_curves": {"type": "array", "items": {"type": "string"}}, "ed25519": {"type": "boolean"}}},
      "validity": {"type": "string", "description": "e.g. 1y, 90d"},
      "key_usage": {"type": "array", "items": {"type": "string"}},
      "extended_key_usage": {"type": "array", "items": {"type": "string"}},
      "ca": {"type": "boolean"},
      "pend_all_requests": {"type": "boolean"},
      "allow_server_keygen": {"type": "boolean"},
      "links": {"$ref": "#/components/schemas/Links"}
    }
  },
  "TemplateList": {
    "type": "object",
    "properties": {"templates": {"type": "array", "items": {"$ref": "#/components/schemas/Template"}}, "count": {"type": "integer"}}
  },
  "Ca": {
    "type": "object",
    "properties": {
      "name": {"type": "string"},
      "parent": {"type": "string", "nullable": true},
      "root": {"type": "boolean"},
      "subject": {"type": "string"},
      "serial": {"type": "string"},
      "key": {"type": "string"},
      "signature_algorithm": {"type": "string"},
      "not_before": {"type": "string", "format": "date-time"},
      "not_after": {"type": "string", "format": "date-time"},
      "sha256_fingerprint": {"type": "string"},
      "templates": {"type": "array", "items": {"type": "string"}},
      "urls": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
      "links": {"$ref": "#/components/schemas/Links"}
    }
  },
  "CaList": {
    "type": "object",
    "properties": {"cas": {"type": "array", "items": {"$ref": "#/components/schemas/Ca"}}, "count": {"type": "integer"}}
  },
  "CrlStatus": {
    "type": "object",
    "properties": {
      "lab_clock": {"type": "string", "format": "date-time"},
      "cas": {
        "type": "array",
        "items": {
          "type": "object",
          "properties": {
            "ca": {"type": "string"},
            "period": {"type": "string"},
            "overlap": {"type": "string"},
            "delta_period": {"type": "string"},
            "publish_on_revoke": {"type": "string", "enum": ["base", "delta", "nothing"]},
            "base": {"$ref": "#/components/schemas/CrlRecord"},
            "delta": {"$ref": "#/components/schemas/CrlRecord"}
          }
        }
      }
    }
  },
  "AuditEvent": {
    "type": "object",
    "properties": {
      "id": {"type": "integer"},
      "at": {"type": "string", "format": "date-time"},
      "actor": {"type": "string"},
      "action": {"type": "string"},
      "ca": {"type": "string"},
      "request_id": {"type": "integer"},
      "serial": {"type": "string"},
      "outcome": {"type": "string"},
      "detail": {"type": "string"}
    }
  },
  "AuditPage": {
    "type": "object",
    "properties": {
      "events": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEvent"}},
      "count": {"type": "integer"},
      "limit": {"type": "integer"},
      "next_after": {"type": "integer", "description": "Pass as after= for the next page"},
      "links": {"$ref": "#/components/schemas/Links"}
    }
  },
  "Caller": {
    "type": "object",
    "properties": {
      "name": {"type": "string"},
      "role": {"type": "string", "enum": ["enrollee", "auditor", "officer", "admin"]},
      "method": {"type": "string", "enum": ["basic", "bearer", "session", "client-certificate"]},
      "access": {"type": "array", "items": {"type": "string"}}
    }
  },
  "Index": {
    "type": "object",
    "properties": {
      "api": {"type": "string"},
      "version": {"type": "string"},
      "lab": {"type": "string"},
      "caller": {"$ref": "#/components/schemas/Caller"},
      "links": {"$ref": "#/components/schemas/Links"}
    }
  }
})json";

}  // namespace

const nlohmann::json& api_schemas() {
    static const nlohmann::json schemas = nlohmann::json::parse(kSchemas);
    return schemas;
}

}  // namespace pkilab::web
