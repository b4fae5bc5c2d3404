#include "ca/x509/crmf_request.hpp"

#include <openssl/asn1t.h>
#include <openssl/crmf.h>
#include <openssl/x509.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/spki_key.hpp"

namespace pkilab {

namespace {

constexpr std::string_view kWhere = "CRMF request";

[[noreturn]] void fail(std::string field, std::string problem, std::string hint = {}) {
    throw InputError(std::string(kWhere), std::move(field), std::move(problem), std::move(hint));
}

// OpenSSL 3.0 decodes a CertReqMsg (OSSL_CRMF_MSG) and verifies its proof of possession, but has
// no getter for the template's public key or for the algorithm of the POP signature (3.2 added
// OSSL_CRMF_CERTTEMPLATE_get0_publicKey). So the RFC 4211 types are declared here to OpenSSL's own
// ASN.1 engine, the way OpenSSL's crmf_asn.c declares them, to read those two fields: the DER is
// still decoded by the library, and the message must decode both ways.
struct TemplateView {
    ASN1_INTEGER* version;
    ASN1_INTEGER* serial_number;
    X509_ALGOR* signing_alg;
    X509_NAME* issuer;
    STACK_OF(ASN1_TYPE)* validity;
    X509_NAME* subject;
    X509_PUBKEY* public_key;
    ASN1_BIT_STRING* issuer_uid;
    ASN1_BIT_STRING* subject_uid;
    STACK_OF(X509_EXTENSION)* extensions;
};

// CertTemplate (RFC 4211 5; the module has IMPLICIT TAGS, and a tagged CHOICE such as Name is
// explicit).
ASN1_SEQUENCE(TemplateView) = {
    ASN1_IMP_OPT(TemplateView, version, ASN1_INTEGER, 0),
    ASN1_IMP_OPT(TemplateView, serial_number, ASN1_INTEGER, 1),
    ASN1_IMP_OPT(TemplateView, signing_alg, X509_ALGOR, 2),
    ASN1_EXP_OPT(TemplateView, issuer, X509_NAME, 3),
    ASN1_IMP_SEQUENCE_OF_OPT(TemplateView, validity, ASN1_ANY, 4),
    ASN1_EXP_OPT(TemplateView, subject, X509_NAME, 5),
    ASN1_IMP_OPT(TemplateView, public_key, X509_PUBKEY, 6),
    ASN1_IMP_OPT(TemplateView, issuer_uid, ASN1_BIT_STRING, 7),
    ASN1_IMP_OPT(TemplateView, subject_uid, ASN1_BIT_STRING, 8),
    ASN1_IMP_SEQUENCE_OF_OPT(TemplateView, extensions, X509_EXTENSION, 9),
} static_ASN1_SEQUENCE_END(TemplateView)

struct SigningKeyView {
    STACK_OF(ASN1_TYPE)* input;
    X509_ALGOR* algorithm;
    ASN1_BIT_STRING* signature;
};

// POPOSigningKey (RFC 4211 4.1).
ASN1_SEQUENCE(SigningKeyView) = {
    ASN1_IMP_SEQUENCE_OF_OPT(SigningKeyView, input, ASN1_ANY, 0),
    ASN1_SIMPLE(SigningKeyView, algorithm, X509_ALGOR),
    ASN1_SIMPLE(SigningKeyView, signature, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(SigningKeyView)

constexpr int kPopRaVerified = 0;
constexpr int kPopSignature = 1;

struct PopView {
    int type;
    union {
        ASN1_NULL* ra_verified;
        SigningKeyView* signature;
        ASN1_TYPE* key_encipherment;
        ASN1_TYPE* key_agreement;
    } value;
};

// ProofOfPossession (RFC 4211 4).
ASN1_CHOICE(PopView) = {
    ASN1_IMP(PopView, value.ra_verified, ASN1_NULL, kPopRaVerified),
    ASN1_IMP(PopView, value.signature, SigningKeyView, kPopSignature),
    ASN1_EXP(PopView, value.key_encipherment, ASN1_ANY, 2),
    ASN1_EXP(PopView, value.key_agreement, ASN1_ANY, 3),
} static_ASN1_CHOICE_END(PopView)

struct CertRequestView {
    ASN1_INTEGER* cert_req_id;
    TemplateView* cert_template;
    STACK_OF(ASN1_TYPE)* controls;
};

ASN1_SEQUENCE(CertRequestView) = {
    ASN1_SIMPLE(CertRequestView, cert_req_id, ASN1_INTEGER),
    ASN1_SIMPLE(CertRequestView, cert_template, TemplateView),
    ASN1_SEQUENCE_OF_OPT(CertRequestView, controls, ASN1_ANY),
} static_ASN1_SEQUENCE_END(CertRequestView)

struct CertReqMsgView {
    CertRequestView* cert_req;
    PopView* popo;
    STACK_OF(ASN1_TYPE)* reg_info;
};

ASN1_SEQUENCE(CertReqMsgView) = {
    ASN1_SIMPLE(CertReqMsgView, cert_req, CertRequestView),
    ASN1_OPT(CertReqMsgView, popo, PopView),
    ASN1_SEQUENCE_OF_OPT(CertReqMsgView, reg_info, ASN1_ANY),
} static_ASN1_SEQUENCE_END(CertReqMsgView)

struct ViewFree {
    void operator()(CertReqMsgView* v) const {
        ASN1_item_free(reinterpret_cast<ASN1_VALUE*>(v), ASN1_ITEM_rptr(CertReqMsgView));
    }
};
using ViewPtr = std::unique_ptr<CertReqMsgView, ViewFree>;

struct CrmfMsgsFree {
    void operator()(OSSL_CRMF_MSGS* m) const { sk_OSSL_CRMF_MSG_pop_free(m, OSSL_CRMF_MSG_free); }
};
using CrmfMsgsPtr = std::unique_ptr<OSSL_CRMF_MSGS, CrmfMsgsFree>;

// Both decodings, each of exactly `der`; null when either refuses it.
struct Decoded {
    ViewPtr view;
    CrmfMsgsPtr msgs;  // the one OSSL_CRMF_MSG, in the stack OSSL_CRMF_MSGS_verify_popo takes
};

Decoded decode(ByteView der) {
    Decoded d;
    if (der.empty() || der.size() > kMaxCsrBytes) return d;
    ossl::ErrorMark mark;
    const long length = static_cast<long>(der.size());
    const unsigned char* p = der.data();
    d.view.reset(reinterpret_cast<CertReqMsgView*>(ASN1_item_d2i(nullptr, &p, length, ASN1_ITEM_rptr(CertReqMsgView))));
    if (!d.view || p != der.data() + der.size()) {
        d.view.reset();
        return d;
    }
    p = der.data();
    OSSL_CRMF_MSG* msg = d2i_OSSL_CRMF_MSG(nullptr, &p, length);
    if (msg == nullptr || p != der.data() + der.size()) {
        OSSL_CRMF_MSG_free(msg);
        d.view.reset();
        return d;
    }
    d.msgs.reset(sk_OSSL_CRMF_MSG_new_null());
    if (!d.msgs || sk_OSSL_CRMF_MSG_push(d.msgs.get(), msg) <= 0) {
        OSSL_CRMF_MSG_free(msg);
        d.view.reset();
        d.msgs.reset();
    }
    return d;
}

}  // namespace

bool is_crmf_request(ByteView input) { return decode(input).view != nullptr; }

ParsedCsr parse_crmf_request(ByteView der) {
    const std::string hint = "send a CRMF CertReqMsg (RFC 4211) in DER, as CMP's ir, cr and kur carry it";
    if (der.size() > kMaxCsrBytes)
        fail("size", "the request is " + std::to_string(der.size()) + " bytes, over the limit of " +
                         std::to_string(kMaxCsrBytes));
    Decoded d = decode(der);
    if (!d.view) fail("encoding", "not a CRMF CertReqMsg (the DER does not parse, or bytes follow it)", hint);
    const TemplateView* tmpl = d.view->cert_req->cert_template;

    if (tmpl->subject == nullptr)
        fail("subject", "the certificate template has no subject", "put the subject in the request's template");
    if (tmpl->public_key == nullptr)
        fail("key", "the certificate template has no public key",
             "the CA makes no keys for CMP requests: put the new key's public half in the template");

    ParsedCsr out;
    out.der.assign(der.begin(), der.end());
    out.public_key = public_key_of(tmpl->public_key);
    if (!out.public_key)
        fail("key", "the public key does not decode (not a valid key of its algorithm, or an algorithm OpenSSL does not know)");
    try {
        out.key = describe_key(out.public_key.get());
    } catch (const InputError& e) {
        fail("key", e.problem(), e.hint());
    }

    const PopView* pop = d.view->popo;
    if (pop == nullptr || pop->type != kPopSignature)
        fail("popo",
             pop == nullptr ? "the request has no proof of possession"
                            : (pop->type == kPopRaVerified
                                   ? "the proof of possession is raVerified, and no RA here vouched for it"
                                   : "the proof of possession is not a signature (encryption-based ones are not supported)"),
             "sign the request with the new key (openssl cmp does so by default)");
    {
        ossl::ErrorMark mark;
        const int rid = OSSL_CRMF_MSG_get_certReqId(sk_OSSL_CRMF_MSG_value(d.msgs.get(), 0));
        if (OSSL_CRMF_MSGS_verify_popo(d.msgs.get(), rid, 0, nullptr, nullptr) != 1)
            fail("popo", "the proof-of-possession signature does not verify with the template's public key",
                 "the request was altered or signed with another key: make it again");
    }
    out.signature_algorithm = signature_algorithm_name(pop->value.signature->algorithm);

    // The same checks and fields as a PKCS#10 request's, from an unsigned request that holds
    // the template's subject, key and extensions (never encoded, never signed).
    out.req.reset(ossl::check(X509_REQ_new(), "X509_REQ_new"));
    X509_REQ* req = out.req.get();
    ossl::check(X509_REQ_set_version(req, 0), "X509_REQ_set_version");
    ossl::check(X509_REQ_set_subject_name(req, tmpl->subject), "X509_REQ_set_subject_name");
    ossl::check(X509_REQ_set_pubkey(req, out.public_key.get()), "X509_REQ_set_pubkey");
    if (tmpl->extensions != nullptr && sk_X509_EXTENSION_num(tmpl->extensions) > 0)
        ossl::check(X509_REQ_add_extensions(req, tmpl->extensions), "X509_REQ_add_extensions");
    try {
        read_csr_contents(out);
    } catch (const InputError& e) {
        fail(e.field(), e.problem(), e.hint());
    }
    return out;
}

}  // namespace pkilab
