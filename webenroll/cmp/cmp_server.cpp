#include "webenroll/cmp/cmp_server.hpp"

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "webenroll/cmp/cmp_callbacks.hpp"

namespace pkilab::web {

namespace {

std::string hex(const ASN1_OCTET_STRING* s) {
    if (s == nullptr) return {};
    return to_hex(ByteView(ASN1_STRING_get0_data(s), static_cast<size_t>(ASN1_STRING_length(s))));
}

bool starts_transaction(int body) {
    switch (body) {
        case cmp::body::kCertConf:
        case cmp::body::kPollReq: return false;
        default: return true;
    }
}

bool ends_transaction(const OSSL_CMP_MSG* rsp) {
    switch (OSSL_CMP_MSG_get_bodytype(rsp)) {
        case cmp::body::kRp:
        case cmp::body::kPkiConf:
        case cmp::body::kGenp:
        case cmp::body::kError: return true;
        default: return false;  // ip/cp/kup (certConf or pollReq may follow), pollRep
    }
}

// A stack holding its own references (the set1 calls take theirs).
ossl::X509StackPtr certificate_stack(const std::vector<const X509*>& certs) {
    ossl::X509StackPtr stack(sk_X509_new_null());
    if (!stack) throw InternalError("sk_X509_new_null failed");
    for (const X509* c : certs) {
        X509* own = const_cast<X509*>(c);
        if (X509_up_ref(own) != 1) throw InternalError("X509_up_ref failed");
        if (sk_X509_push(stack.get(), own) <= 0) {
            X509_free(own);
            throw InternalError("sk_X509_push failed");
        }
    }
    return stack;
}

cmp::SrvCtxPtr new_server_context() {
    cmp::SrvCtxPtr srv(OSSL_CMP_SRV_CTX_new(nullptr, nullptr));
    if (!srv) throw InternalError("OSSL_CMP_SRV_CTX_new failed");
    OSSL_CMP_CTX* ctx = OSSL_CMP_SRV_CTX_get0_cmp_ctx(srv.get());
    OSSL_CMP_CTX_set_log_cb(ctx, cmp::discard_log);
    OSSL_CMP_SRV_CTX_set_grant_implicit_confirm(srv.get(), 1);
    OSSL_CMP_SRV_CTX_set_accept_unprotected(srv.get(), 0);
    OSSL_CMP_SRV_CTX_set_send_unprotected_errors(srv.get(), 0);
    OSSL_CMP_SRV_CTX_set_accept_raverified(srv.get(), 0);
    return srv;
}

}  // namespace

struct CmpServer::Protection {
    std::string reference;  // empty: not protected by one of our secrets (signature, or nothing)
    const CmpSharedSecret* secret = nullptr;
};

CmpServer::CmpServer(const Lab& lab, std::vector<CmpSharedSecret> secrets, CmpIdentity identity)
    : lab_(lab), secrets_(std::move(secrets)), identity_(std::move(identity)) {}

X509_STORE* CmpServer::new_trust_store() const {
    X509_STORE* store = X509_STORE_new();
    if (store == nullptr) throw InternalError("X509_STORE_new failed");
    for (const auto& ca : lab_.cas()) X509_STORE_add_cert(store, const_cast<X509*>(ca.certificate()));
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), lab_.clock().now().time_since_epoch().count());
    return store;
}

// OpenSSL 3.0 shows neither a message's protection algorithm nor its senderKID, so the secret
// is the one that validates it (a bounded list: kMaxCmpSecrets).
CmpServer::Protection CmpServer::classify(const OSSL_CMP_MSG* msg) const {
    for (const auto& s : secrets_) {
        cmp::CtxPtr probe(OSSL_CMP_CTX_new(nullptr, nullptr));
        if (!probe) throw InternalError("OSSL_CMP_CTX_new failed");
        OSSL_CMP_CTX_set_log_cb(probe.get(), cmp::discard_log);
        if (OSSL_CMP_CTX_set1_secretValue(probe.get(), s.secret.data(), static_cast<int>(s.secret.size())) != 1)
            throw InternalError("OSSL_CMP_CTX_set1_secretValue failed");
        // No trust store: a signature-protected message cannot validate here.
        if (OSSL_CMP_validate_msg(probe.get(), msg) == 1) return {s.reference, &s};
    }
    return {};
}

void CmpServer::configure(OSSL_CMP_CTX* ctx, const Protection& p, const CmpTarget& target) const {
    OSSL_CMP_CTX_set0_trustedStore(ctx, new_trust_store());
    OSSL_CMP_CTX_set1_cert(ctx, identity_.certificate.get());
    OSSL_CMP_CTX_set1_pkey(ctx, identity_.key.get());
    std::vector<const X509*> chain;
    for (const auto& c : identity_.chain) chain.push_back(c.get());
    OSSL_CMP_CTX_set1_untrusted(ctx, certificate_stack(chain).get());
    // The profile CA's chain in every answer: `openssl cmp -extracertsout` saves it.
    OSSL_CMP_CTX_set1_extraCertsOut(ctx, certificate_stack(lab_.chain(lab_.ca(target.ca))).get());
    if (p.secret != nullptr) {
        OSSL_CMP_CTX_set1_secretValue(ctx, p.secret->secret.data(), static_cast<int>(p.secret->secret.size()));
        OSSL_CMP_CTX_set1_referenceValue(ctx, reinterpret_cast<const unsigned char*>(p.reference.data()),
                                         static_cast<int>(p.reference.size()));
    } else {
        OSSL_CMP_CTX_set1_secretValue(ctx, nullptr, 0);
        OSSL_CMP_CTX_set1_referenceValue(ctx, nullptr, 0);
    }
}

Bytes CmpServer::handle(ByteView request, const CmpTarget& target) {
    ossl::ErrorMark mark;
    if (request.empty()) throw InputError("CMP request", "body", "the body is empty", "POST a DER-encoded PKIMessage (application/pkixcmp)");
    if (request.size() > kMaxCmpMessageBytes) throw InputError("CMP request", "body", "the body is larger than 256 KiB");
    const unsigned char* p = request.data();
    cmp::MsgPtr msg(d2i_OSSL_CMP_MSG(nullptr, &p, static_cast<long>(request.size())));
    if (!msg) throw InputError("CMP request", "body", "the body is not a DER-encoded PKIMessage (RFC 4210)",
                               "POST what `openssl cmp` sends, as application/pkixcmp");
    if (p != request.data() + request.size())
        throw InputError("CMP request", "body", "there are bytes after the PKIMessage");

    const Protection protection = classify(msg.get());
    const std::string who = protection.reference.empty() ? "signature" : "mac:" + protection.reference;
    const OSSL_CMP_PKIHEADER* header = OSSL_CMP_MSG_get0_header(msg.get());
    const std::string id = header == nullptr ? std::string() : hex(OSSL_CMP_HDR_get0_transactionID(header));
    const Time now = lab_.base_clock().now();

    std::shared_ptr<cmp::Transaction> t;
    if (!id.empty() && !starts_transaction(OSSL_CMP_MSG_get_bodytype(msg.get()))) t = transactions_.find(id, who, now);
    if (!t) {
        t = std::make_shared<cmp::Transaction>();
        t->server = new_server_context();
        t->identity = who;
    }
    std::lock_guard lock(t->mutex);
    configure(OSSL_CMP_SRV_CTX_get0_cmp_ctx(t->server.get()), protection, target);
    cmp::Call call{*this, target, *t, protection.reference};
    cmp::set_callbacks(t->server.get(), call);
    cmp::MsgPtr rsp(OSSL_CMP_SRV_process_request(t->server.get(), msg.get()));
    if (!rsp) throw InternalError("the CMP server could not make an answer: " + ossl::drain_errors());
    if (!id.empty()) {
        if (ends_transaction(rsp.get()))
            transactions_.forget(id, t.get());
        else
            transactions_.keep(id, t, now);
    }
    unsigned char* der = nullptr;
    const int len = i2d_OSSL_CMP_MSG(rsp.get(), &der);
    if (len <= 0) throw InternalError("i2d_OSSL_CMP_MSG failed");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

}  // namespace pkilab::web
