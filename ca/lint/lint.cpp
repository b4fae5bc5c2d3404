#include "ca/lint/lint.hpp"

#include <ctime>
#include <map>
#include <vector>

#include <openssl/x509v3.h>

#include "ca/errors.hpp"
#include "ca/lint/cert_facts.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/extensions.hpp"
#include "ca/x509/general_name.hpp"
#include "ca/x509/name.hpp"

namespace pkilab {

namespace {

using namespace lint_detail;

void report(Findings& out, Severity severity, std::string field, std::string message, std::string hint) {
    Finding f;
    f.severity = severity;
    f.field = std::move(field);
    f.message = std::move(message);
    f.hint = std::move(hint);
    out.push_back(std::move(f));
}

void error(Findings& out, std::string field, std::string message, std::string hint) {
    report(out, Severity::Error, std::move(field), std::move(message), std::move(hint));
}

// ---- serial number and version ----

void serial_positive(const LintContext& ctx, Findings& out) {
    ossl::BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(ctx.cert), nullptr));
    if (!bn) ossl::throw_error("ASN1_INTEGER_to_BN");
    if (BN_is_zero(bn.get()) || BN_is_negative(bn.get()))
        error(out, "serialNumber", "the serial number is zero or negative",
              "use a positive random serial number");
}

void serial_length(const LintContext& ctx, Findings& out) {
    ossl::BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(ctx.cert), nullptr));
    if (!bn) ossl::throw_error("ASN1_INTEGER_to_BN");
    // Content octets of the INTEGER: a set top bit costs one more octet for the sign.
    const int bits = BN_num_bits(bn.get());
    const int octets = bits / 8 + 1;
    if (octets > 20)
        error(out, "serialNumber", "the serial number is " + std::to_string(octets) + " octets long, over 20",
              "use at most 159 random bits");
}

void version_v3(const LintContext& ctx, Findings& out) {
    if (X509_get_ext_count(ctx.cert) > 0 && X509_get_version(ctx.cert) != X509_VERSION_3)
        error(out, "version", "the certificate has extensions but is not version 3", "set the version to v3 (2)");
}

// ---- extensions in general ----

void extension_decodes(const LintContext& ctx, Findings& out) {
    for (int i = 0; i < X509_get_ext_count(ctx.cert); ++i) {
        X509_EXTENSION* ext = X509_get_ext(ctx.cert, i);
        const X509V3_EXT_METHOD* method = X509V3_EXT_get(ext);
        if (method == nullptr) continue;  // unknown to OpenSSL: nothing to check against
        void* value = nullptr;
        {
            ossl::ErrorMark mark;
            value = X509V3_EXT_d2i(ext);
        }
        if (value == nullptr) {
            error(out, std::string("extensions.") + OBJ_nid2sn(method->ext_nid), "the extension's value does not decode",
                  "fix the encoding of the extension");
            continue;
        }
        if (method->it != nullptr)
            ASN1_item_free(static_cast<ASN1_VALUE*>(value), ASN1_ITEM_ptr(method->it));
        else
            method->ext_free(value);
    }
}

void duplicate_extensions(const LintContext& ctx, Findings& out) {
    std::map<std::string, int> count;
    for (int i = 0; i < X509_get_ext_count(ctx.cert); ++i)
        ++count[oid_to_string(X509_EXTENSION_get_object(X509_get_ext(ctx.cert, i)))];
    for (const auto& [oid, n] : count) {
        if (n < 2) continue;
        ossl::Asn1ObjectPtr obj(OBJ_txt2obj(oid.c_str(), 1));
        const int nid = obj ? OBJ_obj2nid(obj.get()) : NID_undef;
        const std::string name = nid == NID_undef ? oid : OBJ_nid2sn(nid);
        error(out, "extensions." + name, "extension " + name + " appears " + std::to_string(n) + " times",
              "include each extension at most once");
    }
}

// ---- key identifiers ----

void subject_key_identifier_present(const LintContext& ctx, Findings& out) {
    if (find_extension(ctx.cert, NID_subject_key_identifier) != nullptr) return;
    const bool ca = is_ca(ctx.cert);
    report(out, ca ? Severity::Error : Severity::Warning, "extensions.subjectKeyIdentifier",
           ca ? "a CA certificate has no subjectKeyIdentifier" : "the certificate has no subjectKeyIdentifier",
           "add a subjectKeyIdentifier (SHA-1 of the public key)");
}

void authority_key_identifier(const LintContext& ctx, Findings& out) {
    auto aki = authority_key_id(ctx.cert);
    if (ctx.issuer == nullptr) {
        // A self-signed certificate may omit it; if present it must name its own key.
        auto own = subject_key_id(ctx.cert);
        if (aki && own && *aki != *own)
            error(out, "extensions.authorityKeyIdentifier",
                  "a self-signed certificate's authorityKeyIdentifier differs from its subjectKeyIdentifier",
                  "use the certificate's own key identifier or omit the extension");
        return;
    }
    if (!aki) {
        error(out, "extensions.authorityKeyIdentifier", "the certificate has no authorityKeyIdentifier keyIdentifier",
              "add the issuer's subjectKeyIdentifier as authorityKeyIdentifier");
        return;
    }
    auto issuer_ski = subject_key_id(ctx.issuer);
    if (issuer_ski && *aki != *issuer_ski)
        error(out, "extensions.authorityKeyIdentifier",
              "authorityKeyIdentifier " + to_hex(*aki) + " is not the issuer's subjectKeyIdentifier " +
                  to_hex(*issuer_ski),
              "copy the issuer's subjectKeyIdentifier");
}

void key_identifiers_not_critical(const LintContext& ctx, Findings& out) {
    for (int nid : {NID_subject_key_identifier, NID_authority_key_identifier})
        if (is_critical(find_extension(ctx.cert, nid)))
            error(out, std::string("extensions.") + OBJ_nid2sn(nid), std::string(OBJ_nid2sn(nid)) + " is critical",
                  "mark key identifier extensions non-critical");
}

// ---- basic constraints and key usage ----

void ca_basic_constraints_critical(const LintContext& ctx, Findings& out) {
    auto bc = basic_constraints(ctx.cert);
    if (bc && bc->ca && !bc->critical)
        error(out, "extensions.basicConstraints", "a CA certificate's basicConstraints is not critical",
              "mark basicConstraints critical");
}

void ca_key_cert_sign(const LintContext& ctx, Findings& out) {
    if (!is_ca(ctx.cert)) return;
    auto ku = key_usage(ctx.cert);
    if (!ku)
        error(out, "extensions.keyUsage", "a CA certificate has no keyUsage", "add keyUsage keyCertSign, cRLSign");
    else if ((*ku & ku_bit(kKeyCertSign)) == 0)
        error(out, "extensions.keyUsage", "a CA certificate's keyUsage lacks keyCertSign", "add keyCertSign");
}

void key_cert_sign_requires_ca(const LintContext& ctx, Findings& out) {
    auto ku = key_usage(ctx.cert);
    if (ku && (*ku & ku_bit(kKeyCertSign)) != 0 && !is_ca(ctx.cert))
        error(out, "extensions.keyUsage", "keyCertSign is set but basicConstraints does not say cA=TRUE",
              "remove keyCertSign or make the certificate a CA");
}

void path_length_requires_ca(const LintContext& ctx, Findings& out) {
    auto bc = basic_constraints(ctx.cert);
    if (!bc || !bc->has_path_length) return;
    auto ku = key_usage(ctx.cert);
    if (!bc->ca || !ku || (*ku & ku_bit(kKeyCertSign)) == 0)
        error(out, "extensions.basicConstraints",
              "pathLenConstraint is set but the certificate is not a CA with keyCertSign",
              "remove the path length, or set cA=TRUE and keyCertSign");
}

void key_usage_not_empty(const LintContext& ctx, Findings& out) {
    auto ku = key_usage(ctx.cert);
    if (ku && *ku == 0) error(out, "extensions.keyUsage", "keyUsage has no bit set", "set at least one usage");
}

void key_usage_matches_key(const LintContext& ctx, Findings& out) {
    auto ku = key_usage(ctx.cert);
    if (!ku) return;
    // The key type comes from the SubjectPublicKeyInfo's algorithm, not from a decoded key:
    // the pipeline copies the request's key bytes without decoding them (tbs_builder.cpp),
    // so X509_get0_pubkey would find no key there and the rule would pass everything.
    const ASN1_OBJECT* key_alg = nullptr;
    if (X509_PUBKEY_get0_param(const_cast<ASN1_OBJECT**>(&key_alg), nullptr, nullptr, nullptr,
                               X509_get_X509_PUBKEY(ctx.cert)) != 1 || key_alg == nullptr)
        return;
    struct Forbidden {
        int bit;
        const char* name;
    };
    static constexpr Forbidden kEncipher[] = {{kKeyEncipherment, "keyEncipherment"}, {kDataEncipherment, "dataEncipherment"}};
    static constexpr Forbidden kAgreement[] = {{kKeyAgreement, "keyAgreement"}, {kEncipherOnly, "encipherOnly"},
                                               {kDecipherOnly, "decipherOnly"}};
    const char* type = nullptr;
    std::vector<Forbidden> forbidden;
    switch (OBJ_obj2nid(key_alg)) {
        case NID_rsaEncryption:  // RFC 3279 2.3.1
            type = "an RSA";
            forbidden.assign(std::begin(kAgreement), std::end(kAgreement));
            break;
        case NID_rsassaPss:  // RFC 4055 1.2: signing only
            type = "an RSASSA-PSS";
            forbidden.assign(std::begin(kEncipher), std::end(kEncipher));
            forbidden.insert(forbidden.end(), std::begin(kAgreement), std::end(kAgreement));
            break;
        case NID_X9_62_id_ecPublicKey:  // RFC 5480 3
            type = "an ECDSA";
            forbidden.assign(std::begin(kEncipher), std::end(kEncipher));
            break;
        case NID_ED25519:  // RFC 8410 5
            type = "an Ed25519";
            forbidden.assign(std::begin(kEncipher), std::end(kEncipher));
            forbidden.insert(forbidden.end(), std::begin(kAgreement), std::end(kAgreement));
            break;
        default: return;
    }
    for (const auto& f : forbidden)
        if ((*ku & ku_bit(f.bit)) != 0)
            error(out, "extensions.keyUsage", std::string(f.name) + " is not possible with " + type + " key",
                  std::string("remove ") + f.name + " or use a key type that supports it");
}

// ---- names ----

void san_required_for_empty_subject(const LintContext& ctx, Findings& out) {
    if (has_empty_subject(ctx.cert) && find_extension(ctx.cert, NID_subject_alt_name) == nullptr)
        error(out, "extensions.subjectAltName", "the subject is empty and there is no subjectAltName",
              "give a subject or at least one subjectAltName");
}

void san_critical_for_empty_subject(const LintContext& ctx, Findings& out) {
    X509_EXTENSION* san = find_extension(ctx.cert, NID_subject_alt_name);
    if (has_empty_subject(ctx.cert) && san != nullptr && !is_critical(san))
        error(out, "extensions.subjectAltName", "the subject is empty but subjectAltName is not critical",
              "mark subjectAltName critical when the subject is empty");
}

void san_not_empty(const LintContext& ctx, Findings& out) {
    auto names = decode<GENERAL_NAMES, GENERAL_NAMES_free>(ctx.cert, NID_subject_alt_name);
    if (names && sk_GENERAL_NAME_num(names.get()) == 0)
        error(out, "extensions.subjectAltName", "subjectAltName contains no names",
              "list at least one name or leave the extension out");
}

void eku_not_empty(const LintContext& ctx, Findings& out) {
    auto eku = decode<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>(ctx.cert, NID_ext_key_usage);
    if (eku && sk_ASN1_OBJECT_num(eku.get()) == 0)
        error(out, "extensions.extendedKeyUsage", "extendedKeyUsage contains no purpose",
              "list at least one purpose or leave the extension out");
}

void issuer_name_matches(const LintContext& ctx, Findings& out) {
    const X509* issuer = ctx.issuer != nullptr ? ctx.issuer : ctx.cert;
    if (X509_NAME_cmp(X509_get_issuer_name(ctx.cert), X509_get_subject_name(issuer)) != 0)
        error(out, "issuer",
              ctx.issuer != nullptr ? "the issuer name differs from the issuing certificate's subject"
                                    : "a self-signed certificate's issuer differs from its subject",
              "copy the issuer's subject name byte for byte");
}

// ---- validity ----

void validity_encoding(const LintContext& ctx, Findings& out) {
    struct Bound {
        const char* field;
        const ASN1_TIME* time;
    };
    for (auto [field, t] : {Bound{"validity.notBefore", X509_get0_notBefore(ctx.cert)},
                            Bound{"validity.notAfter", X509_get0_notAfter(ctx.cert)}}) {
        std::tm tm{};
        bool parsed = false;
        {
            ossl::ErrorMark mark;
            parsed = ASN1_TIME_to_tm(t, &tm) == 1;
        }
        const int type = ASN1_STRING_type(t);
        const int length = ASN1_STRING_length(t);
        const bool utc = type == V_ASN1_UTCTIME;
        const bool shape_ok = (utc && length == 13) || (type == V_ASN1_GENERALIZEDTIME && length == 15);
        if (!parsed || !shape_ok || ASN1_STRING_get0_data(t)[length - 1] != 'Z') {
            error(out, field, "the time is not YYMMDDHHMMSSZ (UTCTime) or YYYYMMDDHHMMSSZ (GeneralizedTime)",
                  "encode times in UTC with seconds and no fraction");
            continue;
        }
        const int year = tm.tm_year + 1900;
        const bool want_utc = year >= 1950 && year <= 2049;
        if (utc != want_utc)
            error(out, field,
                  std::to_string(year) + (want_utc ? " must be encoded as UTCTime" : " must be encoded as GeneralizedTime"),
                  "use UTCTime through 2049 and GeneralizedTime from 2050");
    }
}

void validity_order(const LintContext& ctx, Findings& out) {
    if (ASN1_TIME_compare(X509_get0_notBefore(ctx.cert), X509_get0_notAfter(ctx.cert)) >= 0)
        error(out, "validity", "notBefore is not before notAfter", "make notAfter later than notBefore");
}

void validity_within_issuer(const LintContext& ctx, Findings& out) {
    if (ctx.issuer == nullptr) return;
    if (ASN1_TIME_compare(X509_get0_notBefore(ctx.cert), X509_get0_notBefore(ctx.issuer)) < 0)
        error(out, "validity.notBefore", "the certificate becomes valid before its issuer",
              "start the validity no earlier than the issuer's notBefore");
    if (ASN1_TIME_compare(X509_get0_notAfter(ctx.cert), X509_get0_notAfter(ctx.issuer)) > 0)
        error(out, "validity.notAfter", "the certificate outlives its issuer",
              "end the validity no later than the issuer's notAfter");
}

// ---- constraints the issuing path puts on this certificate ----

std::string subtree_list(const STACK_OF(GENERAL_SUBTREE)* trees) {
    std::string out;
    for (int i = 0; i < sk_GENERAL_SUBTREE_num(trees); ++i) {
        const GENERAL_SUBTREE* t = sk_GENERAL_SUBTREE_value(trees, i);
        std::string name;
        try {
            name = to_string(from_openssl(t->base, "nameConstraints"));
        } catch (const InputError&) {
            name = "(a name of another kind)";
        }
        out += (out.empty() ? "" : ", ") + name;
    }
    return out;
}

bool has_dns_san(const X509* cert) {
    auto names = decode<GENERAL_NAMES, GENERAL_NAMES_free>(cert, NID_subject_alt_name);
    if (!names) return false;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i)
        if (sk_GENERAL_NAME_value(names.get(), i)->type == GEN_DNS) return true;
    return false;
}

// NAME_CONSTRAINTS_check reads the certificate's cached SAN, which OpenSSL computes once per
// object and does not refresh when extensions are added afterwards (as they are while a draft
// is built). A fresh object holding only what the check reads (subject and SAN) is exact.
ossl::X509Ptr names_only(const X509* cert) {
    ossl::X509Ptr out(ossl::check(X509_new(), "X509_new"));
    ossl::check(X509_set_subject_name(out.get(), X509_get_subject_name(cert)), "X509_set_subject_name");
    if (X509_EXTENSION* san = find_extension(cert, NID_subject_alt_name))
        ossl::check(X509_add_ext(out.get(), san, -1), "X509_add_ext");
    (void)X509_get_extension_flags(out.get());  // computes the cache from what is there now
    return out;
}

// What `openssl verify` would refuse as error 47/48: a subject or subjectAltName outside a
// CA's permitted subtrees, or inside its excluded ones. The CN is checked as a host name when
// there is no DNS name in the SAN, as OpenSSL's verifier does.
void within_name_constraints(const LintContext& ctx, Findings& out) {
    std::vector<const X509*> path;
    if (ctx.issuer != nullptr) path.push_back(ctx.issuer);
    path.insert(path.end(), ctx.ancestors.begin(), ctx.ancestors.end());
    ossl::X509Ptr names;  // made once, when a CA on the path has constraints
    for (const X509* ca : path) {
        auto nc = decode<NAME_CONSTRAINTS, NAME_CONSTRAINTS_free>(ca, NID_name_constraints);
        if (!nc) continue;
        if (!names) names = names_only(ctx.cert);
        X509* cert = names.get();
        int rc = NAME_CONSTRAINTS_check(cert, nc.get());
        if (rc == X509_V_OK && !has_dns_san(ctx.cert)) rc = NAME_CONSTRAINTS_check_CN(cert, nc.get());
        if (rc == X509_V_OK) continue;
        std::string limits;
        if (nc->permittedSubtrees != nullptr) limits += "permitted: " + subtree_list(nc->permittedSubtrees);
        if (nc->excludedSubtrees != nullptr)
            limits += std::string(limits.empty() ? "" : "; ") + "excluded: " + subtree_list(nc->excludedSubtrees);
        error(out, "extensions.subjectAltName",
              std::string("a name in the certificate breaks the name constraints of ") +
                  format_dn(X509_get_subject_name(ca)) + " (" + X509_verify_cert_error_string(rc) + ")",
              "request only names the CA may certify (" + limits + ")");
    }
}

// A CA below an issuer whose pathLenConstraint is 0 (or whose path is used up) can never
// issue anything that verifies.
void within_issuer_path_length(const LintContext& ctx, Findings& out) {
    if (!is_ca(ctx.cert) || ctx.issuer == nullptr) return;
    std::vector<const X509*> path;
    path.push_back(ctx.issuer);
    path.insert(path.end(), ctx.ancestors.begin(), ctx.ancestors.end());
    for (size_t below = 0; below < path.size(); ++below) {
        auto bc = decode<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>(path[below], NID_basic_constraints);
        if (!bc || bc->pathlen == nullptr) continue;
        long limit = ASN1_INTEGER_get(bc->pathlen);
        // `below` CA certificates already stand between path[below] and the new one.
        if (limit >= 0 && static_cast<long>(below) >= limit) {
            error(out, "extensions.basicConstraints",
                  "a CA certificate cannot be issued here: " + format_dn(X509_get_subject_name(path[below])) +
                      " has pathLenConstraint " + std::to_string(limit) + ", so no CA may stand this far below it",
                  "issue the subordinate CA from a CA higher in the hierarchy (a root, or one with a larger path_length)");
            return;
        }
    }
}

// One entry per rule: adding a rule is a function above and a line here.
constexpr LintRule kRules[] = {
    {"lint.rfc5280.serial_positive", "RFC 5280 4.1.2.2", "the serial number is a positive integer", serial_positive},
    {"lint.rfc5280.serial_length", "RFC 5280 4.1.2.2", "the serial number is at most 20 octets", serial_length},
    {"lint.rfc5280.version_v3", "RFC 5280 4.1.2.1", "a certificate with extensions is version 3", version_v3},
    {"lint.rfc5280.extension_malformed", "RFC 5280 4.2", "every extension's value decodes", extension_decodes},
    {"lint.rfc5280.duplicate_extension", "RFC 5280 4.2", "no extension appears twice", duplicate_extensions},
    {"lint.rfc5280.subject_key_identifier", "RFC 5280 4.2.1.2",
     "subjectKeyIdentifier is present (required on CA certificates)", subject_key_identifier_present},
    {"lint.rfc5280.authority_key_identifier", "RFC 5280 4.2.1.1",
     "authorityKeyIdentifier is present and names the issuer's key, except on self-signed certificates",
     authority_key_identifier},
    {"lint.rfc5280.key_identifier_critical", "RFC 5280 4.2.1.1, 4.2.1.2",
     "key identifier extensions are not critical", key_identifiers_not_critical},
    {"lint.rfc5280.ca_basic_constraints_critical", "RFC 5280 4.2.1.9",
     "a CA certificate's basicConstraints is critical", ca_basic_constraints_critical},
    {"lint.rfc5280.ca_key_cert_sign", "RFC 5280 4.2.1.3", "a CA certificate has keyUsage with keyCertSign",
     ca_key_cert_sign},
    {"lint.rfc5280.key_cert_sign_requires_ca", "RFC 5280 4.2.1.3", "keyCertSign only with cA=TRUE",
     key_cert_sign_requires_ca},
    {"lint.rfc5280.path_length_requires_ca", "RFC 5280 4.2.1.9",
     "pathLenConstraint only on a CA certificate with keyCertSign", path_length_requires_ca},
    {"lint.rfc5280.key_usage_empty", "RFC 5280 4.2.1.3", "keyUsage has at least one bit set", key_usage_not_empty},
    {"lint.pkix.key_usage_key_type", "RFC 3279 2.3, RFC 4055 1.2, RFC 5480 3, RFC 8410 5",
     "keyUsage asks only for what the key type can do", key_usage_matches_key},
    {"lint.rfc5280.san_required_empty_subject", "RFC 5280 4.2.1.6",
     "a certificate with an empty subject has a subjectAltName", san_required_for_empty_subject},
    {"lint.rfc5280.san_critical_empty_subject", "RFC 5280 4.2.1.6",
     "with an empty subject, subjectAltName is critical", san_critical_for_empty_subject},
    {"lint.rfc5280.san_empty", "RFC 5280 4.2.1.6", "subjectAltName has at least one name", san_not_empty},
    {"lint.rfc5280.eku_empty", "RFC 5280 4.2.1.12", "extendedKeyUsage has at least one purpose", eku_not_empty},
    {"lint.rfc5280.issuer_name_match", "RFC 5280 4.1.2.4, 6.1.3 (a)(4)",
     "the issuer name equals the issuing certificate's subject", issuer_name_matches},
    {"lint.rfc5280.validity_encoding", "RFC 5280 4.1.2.5",
     "UTCTime for dates through 2049, GeneralizedTime from 2050, both in Z form with seconds", validity_encoding},
    {"lint.rfc5280.validity_order", "RFC 5280 4.1.2.5", "notBefore is before notAfter", validity_order},
    {"lint.pkilab.validity_within_issuer", "pkilab policy (cf. RFC 5280 6.1.3 (a)(2))",
     "the validity lies within the issuer's validity", validity_within_issuer},
    {"lint.rfc5280.name_constraints", "RFC 5280 4.2.1.10, 6.1.3 (b)",
     "the subject and subjectAltNames lie within the name constraints of every CA above", within_name_constraints},
    {"lint.rfc5280.issuer_path_length", "RFC 5280 4.2.1.9, 6.1.4 (l)",
     "a CA certificate is issued only where the issuers' pathLenConstraint allows it", within_issuer_path_length},
};

}  // namespace

std::span<const LintRule> lint_rules() { return kRules; }

Findings run_lint(const LintContext& ctx) {
    if (ctx.cert == nullptr) throw InternalError("run_lint: no certificate");
    Findings findings;
    for (const auto& rule : kRules) {
        const size_t before = findings.size();
        rule.check(ctx, findings);
        for (size_t i = before; i < findings.size(); ++i) {
            findings[i].source = "lint";
            findings[i].code = std::string(rule.code);
        }
    }
    return findings;
}

}  // namespace pkilab
