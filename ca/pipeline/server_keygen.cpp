#include "ca/pipeline/server_keygen.hpp"

#include "ca/keys/key.hpp"
#include "ca/ossl/error.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"

namespace pkilab {

ServerKeygenOutcome submit_with_server_key(const IssuanceContext& ctx, const ServerKeygenRequest& request,
                                           const std::vector<const X509*>& chain_of_issuer) {
    const CertificateTemplate& tmpl = find_template(ctx, request.template_name);
    // Refusals are audited like any other: who asked the CA to make a key, and why it would not.
    auto refuse = [&](const std::string& problem, const std::string& hint) {
        InputError e("request", "template", problem, hint);
        AuditEvent a;
        a.at = ctx.clock.now();
        a.actor = request.requester.identity;
        a.action = "submit";
        a.ca = request.ca;
        a.outcome = "rejected";
        a.detail = std::string("server-side key generation: ") + e.what();
        ctx.store.append_audit(a);
        throw e;
    };
    if (!tmpl.allow_server_keygen)
        refuse("template " + tmpl.name + " does not allow server-side key generation",
               "make the key yourself and submit a CSR, or use a template with server_keygen allowed");
    if (tmpl.pend_all_requests)
        refuse("template " + tmpl.name + " pends requests for approval; a server-generated key would have to be kept until then",
               "submit your own CSR instead");
    if (request.pkcs12_passphrase.empty())
        throw InputError("request", "pkcs12 passphrase", "a PKCS#12 passphrase is required to protect the exported key");

    ossl::PkeyPtr key = generate_key(tmpl.server_keygen_key);
    ossl::X509ReqPtr csr = make_csr(key.get(), request.subject, request.sans);
    EnrollmentRequest enrollment{request.template_name, request.ca, csr_to_der(csr.get()), request.requester};
    ServerKeygenOutcome out;
    out.issuance = submit(ctx, enrollment);
    if (!out.issuance.certificate) return out;

    ossl::X509Ptr cert = parse_certificate(out.issuance.certificate->der, "issued certificate");
    ossl::X509StackPtr cas(ossl::check(sk_X509_new_null(), "sk_X509_new_null"));
    for (const X509* c : chain_of_issuer) {
        ossl::X509Ptr copy = ossl::up_ref(const_cast<X509*>(c));
        ossl::check(sk_X509_push(cas.get(), copy.get()), "sk_X509_push");
        (void)copy.release();
    }
    // nid 0 / iter 0 / mac_iter 0 select OpenSSL 3's defaults: PBES2 AES-256-CBC, PBKDF2, SHA-256 MAC.
    ossl::Pkcs12Ptr p12(ossl::check(PKCS12_create(request.pkcs12_passphrase.c_str(),
                                                  request.friendly_name.empty() ? nullptr : request.friendly_name.c_str(),
                                                  key.get(), cert.get(), cas.get(), 0, 0, 0, 0, 0),
                                    "PKCS12_create"));
    unsigned char* der = nullptr;
    int len = i2d_PKCS12(p12.get(), &der);
    if (len <= 0) ossl::throw_error("i2d_PKCS12");
    ossl::OsslBytesPtr owned(der);
    out.pkcs12.assign(der, der + len);
    return out;
}

}  // namespace pkilab
