#include "webenroll/cmp/cmp_callbacks.hpp"

#include <algorithm>

#include <openssl/crmf.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/pipeline/revocation.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/name.hpp"
#include "ca/x509/pem.hpp"
#include "crl/crl_publisher.hpp"

namespace pkilab::web::cmp {

namespace {

constexpr size_t kMaxStatusText = 900;  // OSSL_CMP_PKISI_BUFLEN is 1024 for the whole line
constexpr int64_t kPollSeconds = 5;

// Where record_candidate finds its list: an ex_data slot of the probing trust store.
int candidates_index() {
    static const int index = X509_STORE_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

Call& call_of(OSSL_CMP_SRV_CTX* srv) { return *static_cast<Call*>(OSSL_CMP_SRV_CTX_get0_custom_ctx(srv)); }

OSSL_CMP_PKISI* accepted() { return OSSL_CMP_STATUSINFO_new(OSSL_CMP_PKISTATUS_accepted, 0, nullptr); }

// Who sent the message, for the store and audit trail: "cmp:REFERENCE" for a shared secret;
// for a signature, the subject of the first extraCerts certificate (RFC 9483 §3.3: the
// protection certificate), once it is shown to have signed this message, to come from a lab CA,
// to be valid by the lab clock and not to be revoked or on hold.
struct Sender {
    std::string identity;
    std::string problem;                 // why the sender is not accepted; empty when it is
    ossl::X509Ptr certificate;           // signature only
    const CertificateAuthority* ca = nullptr;  // its issuer
};

// Each end-entity certificate OpenSSL checked the path of while validating a signature: the
// candidates for the one that signed (OpenSSL 3.0 shows neither a message's extraCerts nor the
// certificate it validated with).
int record_candidate(int ok, X509_STORE_CTX* ctx) {
    if (ok == 1 && X509_STORE_CTX_get_error_depth(ctx) == 0) {
        auto* seen = static_cast<std::vector<ossl::X509Ptr>*>(
            X509_STORE_get_ex_data(X509_STORE_CTX_get0_store(ctx), candidates_index()));
        X509* cert = X509_STORE_CTX_get0_cert(ctx);
        if (seen != nullptr && cert != nullptr && seen->size() < 16 &&
            std::none_of(seen->begin(), seen->end(), [&](const ossl::X509Ptr& c) { return X509_cmp(c.get(), cert) == 0; }) &&
            X509_up_ref(cert) == 1)
            seen->emplace_back(cert);
    }
    return ok;
}

Sender sender_of(const Call& call, const OSSL_CMP_MSG* req) {
    Sender s;
    if (!call.reference.empty()) {
        s.identity = "cmp:" + call.reference;
        return s;
    }
    const Lab& lab = call.server.lab();
    // The request validated once already (in OpenSSL's server); again here, to learn by whom.
    std::vector<ossl::X509Ptr> candidates;
    X509_STORE* store = call.server.new_trust_store();
    CtxPtr probe(OSSL_CMP_CTX_new(nullptr, nullptr));
    if (!probe || OSSL_CMP_CTX_set0_trustedStore(probe.get(), store) != 1) {
        if (!probe) X509_STORE_free(store);
        s.problem = "cannot check the request's signature";
        return s;
    }
    OSSL_CMP_CTX_set_log_cb(probe.get(), discard_log);
    X509_STORE_set_ex_data(store, candidates_index(), &candidates);
    X509_STORE_set_verify_cb(store, record_candidate);
    const bool valid = OSSL_CMP_validate_msg(probe.get(), req) == 1;
    X509_STORE_set_ex_data(store, candidates_index(), nullptr);
    if (!valid) {
        s.problem = "the request's signature does not validate with a certificate from a lab CA, by the lab clock";
        return s;
    }
    X509* signer = nullptr;
    for (const auto& c : candidates) {
        CtxPtr pinned(OSSL_CMP_CTX_new(nullptr, nullptr));
        if (!pinned) continue;
        OSSL_CMP_CTX_set_log_cb(pinned.get(), discard_log);
        if (OSSL_CMP_CTX_set1_srvCert(pinned.get(), c.get()) == 1 && OSSL_CMP_validate_msg(pinned.get(), req) == 1) {
            signer = c.get();
            break;
        }
    }
    if (signer == nullptr) {
        s.problem = "cannot tell which certificate signed the request";
        return s;
    }
    for (const auto& ca : lab.cas())
        if (X509_check_issued(const_cast<X509*>(ca.certificate()), signer) == X509_V_OK &&
            X509_verify(signer, X509_get0_pubkey(ca.certificate())) == 1)
            s.ca = &ca;
    const std::string serial = serial_to_hex(X509_get0_serialNumber(signer));
    if (s.ca == nullptr) {
        s.problem = "the protection certificate's issuer is not a CA of this lab";
        return s;
    }
    const auto record = lab.store().find_certificate(s.ca->name(), serial);
    if (!record) {
        s.problem = "CA " + s.ca->name() + " has no record of the protection certificate " + serial;
        return s;
    }
    if (record->status != CertStatus::Valid) {
        s.problem = "the protection certificate " + serial + " is " + to_string(record->status);
        return s;
    }
    s.identity = format_dn(X509_get_subject_name(signer));
    s.certificate.reset(X509_dup(signer));
    return s;
}

Requester requester(const Sender& s) { return Requester{s.identity, "", "cmp"}; }

void set_chain(const Call& call, const std::string& ca, STACK_OF(X509) * *chain_out) {
    ossl::X509StackPtr chain(sk_X509_new_null());
    for (const X509* c : call.server.lab().chain(call.server.lab().ca(ca)))
        sk_X509_push(chain.get(), X509_dup(const_cast<X509*>(c)));
    *chain_out = chain.release();
}

// The certificate, its chain, and for a MAC-protected request the root in caPubs (RFC 9483
// §4.1.1: a client that shares only a secret learns there what to trust; OpenSSL puts caPubs
// in an ip only, so a p10cr's cp goes without).
OSSL_CMP_PKISI* issued(Call& call, const std::string& ca, const Bytes& der, X509** cert_out,
                       STACK_OF(X509) * *chain_out, STACK_OF(X509) * *ca_pubs) {
    ossl::X509Ptr cert = parse_certificate(der, "the issued certificate");
    set_chain(call, ca, chain_out);
    if (!call.reference.empty()) {
        const std::vector<const X509*> chain = call.server.lab().chain(call.server.lab().ca(ca));
        ossl::X509StackPtr roots(sk_X509_new_null());
        if (roots && !chain.empty() && sk_X509_push(roots.get(), X509_dup(const_cast<X509*>(chain.back()))) > 0)
            *ca_pubs = roots.release();
    }
    call.transaction.issued.reset(X509_dup(cert.get()));
    *cert_out = cert.release();
    return accepted();
}

OSSL_CMP_PKISI* waiting(const std::string& ca, std::int64_t id) {
    const std::string text = "Taken Under Submission: request " + std::to_string(id) + " at CA " + ca +
                             " waits for a CA manager's approval; poll again";
    return OSSL_CMP_STATUSINFO_new(OSSL_CMP_PKISTATUS_waiting, 0, text.c_str());
}

// A poll's original request, back once decided: answer with what the CA decided.
OSSL_CMP_PKISI* decided(Call& call, X509** cert_out, STACK_OF(X509) * *chain_out, STACK_OF(X509) * *ca_pubs) {
    const PendingRequest& p = *call.transaction.pending;
    const Lab& lab = call.server.lab();
    const auto record = lab.store().find_request(p.ca, p.request_id);
    if (!record) return rejection(OSSL_CMP_PKIFAILUREINFO_systemFailure, "the request waiting for approval is gone");
    if (record->state == RequestState::Pending) return waiting(p.ca, p.request_id);
    const std::string ca = p.ca;
    call.transaction.pending.reset();
    if (record->state == RequestState::Issued && !record->serial.empty()) {
        const auto cert = lab.store().find_certificate(ca, record->serial);
        if (cert) return issued(call, ca, cert->der, cert_out, chain_out, ca_pubs);
    }
    return rejection(OSSL_CMP_PKIFAILUREINFO_badCertTemplate, record->disposition);
}

Bytes crmf_der(const OSSL_CRMF_MSG* crm) {
    if (crm == nullptr) throw InputError("CMP request", "body", "the request carries no certificate request");
    unsigned char* der = nullptr;
    const int len = i2d_OSSL_CRMF_MSG(crm, &der);
    if (len <= 0) throw InputError("CMP request", "body", "the CertReqMsg does not encode");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

// kur (RFC 9483 §4.1.3) renews the certificate that signs it: signature protection, the same
// subject, and an oldCertID, when given, naming that certificate.
std::string key_update_problem(const Sender& sender, const OSSL_CRMF_MSG* crm) {
    if (!sender.certificate)
        return "a key update request must be signed with the certificate it updates (openssl cmp -cmd kur -cert OLD -key OLDKEY)";
    if (crm == nullptr) return "the key update request carries no certificate request";
    const X509_NAME* subject = OSSL_CRMF_CERTTEMPLATE_get0_subject(OSSL_CRMF_MSG_get0_tmpl(crm));
    if (subject != nullptr && X509_NAME_cmp(subject, X509_get_subject_name(sender.certificate.get())) != 0)
        return "the key update asks for subject " + format_dn(subject) + ", the certificate it updates has " +
               format_dn(X509_get_subject_name(sender.certificate.get()));
    if (const OSSL_CRMF_CERTID* old = OSSL_CRMF_MSG_get0_regCtrl_oldCertID(crm)) {
        const ASN1_INTEGER* serial = OSSL_CRMF_CERTID_get0_serialNumber(old);
        if (serial == nullptr || ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(sender.certificate.get())) != 0)
            return "the key update's oldCertID names another certificate than the one that signs it";
    }
    return {};
}

OSSL_CMP_PKISI* process_cert_request(OSSL_CMP_SRV_CTX* srv, const OSSL_CMP_MSG* req, int, const OSSL_CRMF_MSG* crm,
                                     const X509_REQ* p10cr, X509** cert_out, STACK_OF(X509) * *chain_out,
                                     STACK_OF(X509) * *ca_pubs) {
    Call& call = call_of(srv);
    try {
        if (call.transaction.pending) return decided(call, cert_out, chain_out, ca_pubs);
        const Sender sender = sender_of(call, req);
        if (!sender.problem.empty()) return rejection(OSSL_CMP_PKIFAILUREINFO_notAuthorized, sender.problem);
        if (OSSL_CMP_MSG_get_bodytype(req) == body::kKur)
            if (const std::string problem = key_update_problem(sender, crm); !problem.empty())
                return rejection(OSSL_CMP_PKIFAILUREINFO_badCertTemplate, problem);
        // The pipeline reads a PKCS#10 or a CRMF CertReqMsg alike (and checks the latter's proof
        // of possession again, as it does a CSR's signature).
        const Bytes csr = p10cr != nullptr ? csr_to_der(p10cr) : crmf_der(crm);
        const Lab& lab = call.server.lab();
        const IssuanceOutcome out =
            submit(lab.context(), EnrollmentRequest{call.target.template_name, call.target.ca, csr, requester(sender)});
        switch (out.state) {
            case RequestState::Issued:
                if (out.certificate) return issued(call, out.ca, out.certificate->der, cert_out, chain_out, ca_pubs);
                break;
            case RequestState::Pending:
                call.transaction.pending = PendingRequest{out.ca, out.request_id, MsgPtr(OSSL_CMP_MSG_dup(req))};
                return waiting(out.ca, out.request_id);
            default: break;
        }
        return rejection(OSSL_CMP_PKIFAILUREINFO_badCertTemplate, refusal_text(out.disposition, out.findings));
    } catch (const InputError& e) {
        return rejection(OSSL_CMP_PKIFAILUREINFO_badCertTemplate, e.what());
    } catch (const std::exception& e) {
        return rejection(OSSL_CMP_PKIFAILUREINFO_systemFailure, std::string("the CA could not answer: ") + e.what());
    }
}

const CertificateAuthority* ca_named(const Lab& lab, const X509_NAME* issuer) {
    for (const auto& ca : lab.cas())
        if (X509_NAME_cmp(X509_get_subject_name(ca.certificate()), issuer) == 0) return &ca;
    return nullptr;
}

// RFC 9483 §4.2: the sender revokes its own certificate; we also let it revoke one it requested.
bool may_revoke(const Lab& lab, const Sender& sender, const CertificateRecord& c) {
    if (sender.certificate && sender.ca != nullptr && sender.ca->name() == c.ca &&
        serial_to_hex(X509_get0_serialNumber(sender.certificate.get())) == c.serial)
        return true;
    const auto request = lab.store().find_request(c.ca, c.request_id);
    return request && request->requester.channel == "cmp" && request->requester.identity == sender.identity;
}

OSSL_CMP_PKISI* process_rr(OSSL_CMP_SRV_CTX* srv, const OSSL_CMP_MSG* req, const X509_NAME* issuer,
                           const ASN1_INTEGER* serial) {
    Call& call = call_of(srv);
    try {
        const Sender sender = sender_of(call, req);
        if (!sender.problem.empty()) return rejection(OSSL_CMP_PKIFAILUREINFO_notAuthorized, sender.problem);
        if (issuer == nullptr || serial == nullptr)
            return rejection(OSSL_CMP_PKIFAILUREINFO_badCertId, "the revocation request names no issuer and serial number");
        const Lab& lab = call.server.lab();
        const CertificateAuthority* ca = ca_named(lab, issuer);
        if (ca == nullptr) return rejection(OSSL_CMP_PKIFAILUREINFO_badCertId, "the issuer is not a CA of this lab");
        const std::string hex = serial_to_hex(serial);
        const auto record = lab.store().find_certificate(ca->name(), hex);
        if (!record) return rejection(OSSL_CMP_PKIFAILUREINFO_badCertId, "CA " + ca->name() + " has no certificate " + hex);
        if (!may_revoke(lab, sender, *record))
            return rejection(OSSL_CMP_PKIFAILUREINFO_notAuthorized,
                             "only the certificate's own key, or whoever requested it over CMP, may revoke certificate " + hex);
        if (record->status == CertStatus::Revoked)
            return rejection(OSSL_CMP_PKIFAILUREINFO_certRevoked, "certificate " + hex + " is revoked already");
        revoke(lab.context(), hex, RevocationReason::Unspecified, requester(sender), std::nullopt, ca->name());
        // A CRL that cannot be published now leaves the revocation in force (as the REST API does).
        (void)crl::publish_after_status_change(lab, ca->name(), sender.identity);
        return accepted();
    } catch (const std::exception& e) {
        return rejection(OSSL_CMP_PKIFAILUREINFO_systemFailure, std::string("the CA could not revoke: ") + e.what());
    }
}

// signKeyPairTypes (RFC 4210 §5.3.19.2): the signature algorithms the templates take. OpenSSL
// 3.0 types the value of an infoType it knows by its OID (an ASN1_ADB over a union), so for this
// one the "ASN1_TYPE *" that OSSL_CMP_ITAV_create takes is the SEQUENCE OF AlgorithmIdentifier,
// STACK_OF(X509_ALGOR) (3.2 added typed constructors for exactly this).
OSSL_CMP_ITAV* sign_key_pair_types() {
    STACK_OF(X509_ALGOR)* algs = sk_X509_ALGOR_new_null();
    if (algs == nullptr) return nullptr;
    for (int nid : {NID_ecdsa_with_SHA256, NID_ecdsa_with_SHA384, NID_sha256WithRSAEncryption}) {
        X509_ALGOR* a = X509_ALGOR_new();
        if (a == nullptr || X509_ALGOR_set0(a, OBJ_nid2obj(nid), V_ASN1_UNDEF, nullptr) != 1 || sk_X509_ALGOR_push(algs, a) <= 0) {
            X509_ALGOR_free(a);
            sk_X509_ALGOR_pop_free(algs, X509_ALGOR_free);
            return nullptr;
        }
    }
    OSSL_CMP_ITAV* itav = OSSL_CMP_ITAV_create(OBJ_nid2obj(NID_id_it_signKeyPairTypes), reinterpret_cast<ASN1_TYPE*>(algs));
    if (itav == nullptr) sk_X509_ALGOR_pop_free(algs, X509_ALGOR_free);
    return itav;
}

int process_genm(OSSL_CMP_SRV_CTX* srv, const OSSL_CMP_MSG* req, const STACK_OF(OSSL_CMP_ITAV) * in,
                 STACK_OF(OSSL_CMP_ITAV) * *out) {
    Call& call = call_of(srv);
    if (const Sender sender = sender_of(call, req); !sender.problem.empty()) {
        ERR_raise_data(ERR_LIB_CMP, CMP_R_ERROR_PROCESSING_MESSAGE, "%s", sender.problem.c_str());
        return 0;
    }
    *out = sk_OSSL_CMP_ITAV_new_null();
    if (*out == nullptr) return 0;
    // Types we do not know are left out (RFC 4210 §5.3.19); the CA chain is in extraCerts.
    for (int i = 0; i < sk_OSSL_CMP_ITAV_num(in); ++i) {
        const int nid = OBJ_obj2nid(OSSL_CMP_ITAV_get0_type(sk_OSSL_CMP_ITAV_value(in, i)));
        if (nid != NID_id_it_signKeyPairTypes) continue;
        OSSL_CMP_ITAV* itav = sign_key_pair_types();
        if (itav == nullptr || sk_OSSL_CMP_ITAV_push(*out, itav) <= 0) {
            OSSL_CMP_ITAV_free(itav);
            sk_OSSL_CMP_ITAV_pop_free(*out, OSSL_CMP_ITAV_free);
            *out = nullptr;
            return 0;
        }
    }
    return 1;
}

void process_error(OSSL_CMP_SRV_CTX*, const OSSL_CMP_MSG*, const OSSL_CMP_PKISI*, const ASN1_INTEGER*,
                   const OSSL_CMP_PKIFREETEXT*) {}

// The certificate is in the store already (submit() made it durable before answering); a
// client that rejects it says so here, which we accept: revoking it is an officer's call. A
// certHash must be that of the certificate this transaction carried (RFC 4210 §5.3.18), hashed
// as its signature algorithm hashes.
int process_cert_conf(OSSL_CMP_SRV_CTX* srv, const OSSL_CMP_MSG*, int, const ASN1_OCTET_STRING* cert_hash,
                      const OSSL_CMP_PKISI*) {
    Call& call = call_of(srv);
    if (cert_hash == nullptr) return 1;
    const X509* cert = call.transaction.issued.get();
    ossl::Asn1OctetStringPtr expected(cert == nullptr ? nullptr : X509_digest_sig(cert, nullptr, nullptr));
    if (!expected || ASN1_OCTET_STRING_cmp(expected.get(), cert_hash) != 0) {
        ERR_raise_data(ERR_LIB_CMP, CMP_R_CERTHASH_UNMATCHED, "the certHash is not that of the certificate issued");
        return 0;
    }
    return 1;
}

int process_poll_req(OSSL_CMP_SRV_CTX* srv, const OSSL_CMP_MSG*, int, OSSL_CMP_MSG** cert_req, int64_t* check_after) {
    Call& call = call_of(srv);
    *cert_req = nullptr;
    if (!call.transaction.pending) {
        ERR_raise_data(ERR_LIB_CMP, CMP_R_UNEXPECTED_PKIBODY, "no request of this transaction waits for approval");
        return 0;
    }
    const PendingRequest& p = *call.transaction.pending;
    const auto record = call.server.lab().store().find_request(p.ca, p.request_id);
    if (record && record->state == RequestState::Pending) {
        *check_after = kPollSeconds;
        return 1;
    }
    *cert_req = OSSL_CMP_MSG_dup(p.request.get());
    return *cert_req != nullptr ? 1 : 0;
}

}  // namespace

int fail_bit(int failure_info) { return 1 << failure_info; }

OSSL_CMP_PKISI* rejection(int failure_info, const std::string& text) {
    std::string t = text.size() > kMaxStatusText ? text.substr(0, kMaxStatusText) + "..." : text;
    return OSSL_CMP_STATUSINFO_new(OSSL_CMP_PKISTATUS_rejection, fail_bit(failure_info), t.c_str());
}

std::string refusal_text(const std::string& disposition, const Findings& findings) {
    std::string text = disposition.empty() ? std::string("Denied") : disposition;
    for (const auto& f : findings) {
        if (f.severity != Severity::Error) continue;
        text += " [" + f.source + ": " + f.code;
        if (!f.hint.empty()) text += "; hint: " + f.hint;
        text += "]";
    }
    return text;
}

void set_callbacks(OSSL_CMP_SRV_CTX* srv, Call& call) {
    OSSL_CMP_SRV_CTX_init(srv, &call, process_cert_request, process_rr, process_genm, process_error, process_cert_conf,
                          process_poll_req);
}

}  // namespace pkilab::web::cmp
