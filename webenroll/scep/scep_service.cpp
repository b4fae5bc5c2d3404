#include "webenroll/scep/scep_service.hpp"

#include <openssl/crypto.h>

#include "ca/auth/password_hash.hpp"
#include "ca/errors.hpp"
#include "ca/keys/key_file.hpp"
#include "ca/ossl/error.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"

namespace pkilab::scep {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxFailText = 1500;
constexpr size_t kMaxChallengeFileBytes = 256;

// RFC 8894 3.5.2; SCEPStandard stands for AES, SHA-256 and POSTPKIOperation.
constexpr const char* kCaps = "AES\nPOSTPKIOperation\nRenewal\nSCEPStandard\nSHA-256\nSHA-512\n";

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

// STATE/scep/challenge for the endpoint "default", STATE/scep/challenge-NAME for the others.
fs::path challenge_path(const Lab& lab, const std::string& endpoint) {
    return lab.state_dir() / "scep" / (endpoint == "default" ? std::string("challenge") : "challenge-" + endpoint);
}

std::string generated_challenge(const fs::path& file) {
    std::error_code ec;
    if (fs::exists(file, ec)) {
        const Bytes text = read_file(file, kMaxChallengeFileBytes);
        std::string challenge = trimmed(std::string(text.begin(), text.end()));
        if (challenge.size() >= 16) return challenge;
    }
    fs::create_directories(file.parent_path(), ec);
    if (ec) throw InternalError("cannot create " + file.parent_path().string() + ": " + ec.message());
    std::string challenge = new_challenge();
    write_file_atomically(file, challenge + "\n", fs::perms::owner_read | fs::perms::owner_write);
    return challenge;
}

bool same_secret(const std::string& a, const std::string& b) {
    return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string common_name(const X509_NAME* name) {
    const int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (idx < 0) return "";
    const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, s);
    if (len < 0) return "";
    ossl::OsslBytesPtr owned(utf8);
    std::string cn(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
    if (cn.size() > 64) cn.resize(64);
    for (char& c : cn)
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
    return cn;
}

CertRep failure(CertRep rep, FailInfo info, std::string text) {
    rep.status = PkiStatus::Failure;
    rep.fail_info = info;
    if (text.size() > kMaxFailText) text = text.substr(0, kMaxFailText - 3) + "...";
    rep.fail_text = std::move(text);
    return rep;
}

// The disposition and every error finding, as one line for failInfoText.
std::string refusal_text(const std::string& disposition, const Findings& findings) {
    std::string text = disposition;
    for (const auto& f : findings) {
        if (f.severity != Severity::Error) continue;
        const std::string line = f.source + ": " + f.message;
        if (text.find(line) != std::string::npos) continue;
        text += (text.empty() ? "" : "; ") + line;
    }
    return text;
}

std::string refusal_text(const RequestRecord& r) {
    return r.disposition.empty() ? std::string("request ") + std::to_string(r.id) + " was " + to_string(r.state)
                                 : r.disposition;
}

}  // namespace

ScepService::ScepService(const Lab& lab, const std::string& default_ca)
    : lab_(lab), challenges_(lab.store()), transactions_(lab.store()) {
    for (const auto& config : lab.config().protocols.scep.endpoints) {
        auto e = std::make_unique<Endpoint>();
        e->config = config;
        e->ca = config.ca.empty() ? default_ca : config.ca;
        (void)lab.ca(e->ca);  // NotFoundError now rather than at the first request
        if (config.challenge_hash.empty()) {
            e->challenge_file = challenge_path(lab, config.name);
            e->generated_challenge = generated_challenge(e->challenge_file);
        }
        endpoints_.push_back(std::move(e));
    }
}

std::shared_ptr<const RaIdentity> ScepService::ra(const Endpoint& e) const {
    const Time now = lab_.clock().now();
    RaCertificate* ra = nullptr;
    {
        std::lock_guard lock(ras_mutex_);
        auto& slot = ras_[e.ca];
        if (!slot) slot = std::make_unique<RaCertificate>(lab_, lab_.ca(e.ca));
        ra = slot.get();
    }
    return ra->current(now);
}

const Endpoint* ScepService::find(const std::string& name) const {
    for (const auto& e : endpoints_)
        if (e->config.name == name) return e.get();
    return nullptr;
}

Answer ScepService::ca_caps() const { return Answer{200, "text/plain", kCaps}; }

// The RA, then the CA and its issuers up to the root: clients verify the RA's signature on
// every CertRep, and certmonger builds that chain from these certificates alone.
Answer ScepService::ca_cert(const Endpoint& e) const {
    const auto identity = ra(e);
    std::vector<const X509*> certs{identity->certificate.get()};
    for (const X509* c : lab_.chain(lab_.ca(e.ca))) certs.push_back(c);
    const Bytes p7 = pkcs7_certs_only(certs);
    return Answer{200, "application/x-x509-ca-ra-cert", std::string(p7.begin(), p7.end())};
}

Answer ScepService::ca_chain(const Endpoint& e) const {
    Answer a = ca_cert(e);
    a.content_type = "application/x-x509-ca-ra-cert-chain";
    return a;
}

std::pair<std::string, Time> ScepService::new_one_time_challenge(const Endpoint& e) {
    const Time now = lab_.clock().now();
    const Time expires = now + lab_.config().protocols.scep.challenge_lifetime;
    return {challenges_.issue(e.config.name, now, expires), expires};
}

Answer ScepService::pki_operation(const Endpoint& e, ByteView message) {
    const Time now = lab_.clock().now();
    const auto identity = ra(e);
    const PkiMessage m = read_pki_message(message, identity->certificate.get(), identity->key.get());
    // A certificate is answered encrypted to the signer's key: refused before anything is
    // issued when that cannot be done.
    const EVP_PKEY* signer_key = X509_get0_pubkey(m.signer.get());
    CertRep rep = signer_key != nullptr && EVP_PKEY_get_base_id(signer_key) == EVP_PKEY_RSA
                      ? handle(e, m)
                      : failure({}, FailInfo::BadAlg, "the signer's certificate needs an RSA key: the answer is encrypted to it");
    rep.transaction_id = m.transaction_id;
    rep.recipient_nonce = m.sender_nonce;
    rep.sender_nonce = random_nonce();
    if (rep.status == PkiStatus::Success) {
        rep.recipient = m.signer.get();
        rep.cipher = reply_cipher(m.cipher_nid);
    }
    const Bytes der = write_cert_rep(rep, identity->certificate.get(), identity->key.get(), now);
    return Answer{200, kPkiMessageType, std::string(der.begin(), der.end())};
}

CertRep ScepService::handle(const Endpoint& e, const PkiMessage& m) {
    if (m.problem) {
        audit_refusal(e, m, m.problem_text);
        return failure({}, *m.problem, m.problem_text);
    }
    switch (static_cast<MessageType>(m.message_type)) {
        case MessageType::PkcsReq:
        case MessageType::RenewalReq: return enroll(e, m);
        case MessageType::CertPoll: return poll(e, m);
        case MessageType::GetCert: return get_cert(e, m);
        case MessageType::GetCrl:
            return failure({}, FailInfo::BadRequest, "GetCRL is not served here: fetch the CRL from the certificate's CRL distribution point");
        default: break;
    }
    return failure({}, FailInfo::BadRequest, "unknown messageType " + std::to_string(m.message_type));
}

void ScepService::audit_refusal(const Endpoint& e, const PkiMessage& m, const std::string& why) const {
    AuditEvent event;
    event.at = lab_.clock().now();
    event.actor = "scep:" + common_name(X509_get_subject_name(m.signer.get()));
    event.action = "scep-refuse";
    event.ca = e.ca;
    event.outcome = "denied";
    event.detail = "endpoint " + e.config.name + ", transaction " + m.transaction_id + ": " + why;
    lab_.store().append_audit(event);
}

// Empty when the request may go to the CA; otherwise why not.
std::string ScepService::authorise(const Endpoint& e, const PkiMessage& m, const std::string& challenge, bool& renewal) {
    const CertificateAuthority& ca = lab_.ca(e.ca);
    X509* signer = m.signer.get();
    const bool self_signed = X509_check_issued(signer, signer) == X509_V_OK;
    renewal = false;
    std::string not_renewal;  // why the signer's certificate does not authorise the request
    if (self_signed) {
        not_renewal = "it is signed by a self-signed certificate";
    } else if (X509_NAME_cmp(X509_get_issuer_name(signer), X509_get_subject_name(ca.certificate())) != 0) {
        not_renewal = "it is signed by a certificate of another issuer";
    } else {
        const Time now = lab_.clock().now();
        const std::string serial = serial_to_hex(X509_get0_serialNumber(signer));
        const auto record = lab_.store().find_certificate(ca.name(), serial);
        ossl::ErrorMark mark;
        if (X509_verify(signer, X509_get0_pubkey(ca.certificate())) != 1 || !record)
            not_renewal = "the signer's certificate (serial " + serial + ") was not issued by CA " + ca.name();
        else if (record->status != CertStatus::Valid)
            not_renewal = "the signer's certificate (serial " + serial + ") is " + to_string(record->status);
        else if (now < record->not_before || now >= record->not_after)
            not_renewal = "the signer's certificate (serial " + serial + ") is not valid now";
        else
            renewal = true;
    }
    if (renewal) return "";
    if (m.message_type == static_cast<int>(MessageType::RenewalReq))
        return "a RenewalReq must be signed by a current certificate of CA " + ca.name() + ", but " + not_renewal;
    if (challenge.empty()) return "the request has no challenge password";
    // The cheap checks first: a PBKDF2 for every guess on a public route would be a denial of
    // service. A one-time challenge is random, so it never shadows the static one.
    if (e.config.challenge_hash.empty() && same_secret(challenge, e.generated_challenge)) return "";
    if (challenges_.redeem(e.config.name, challenge, lab_.clock().now())) return "";
    if (!e.config.challenge_hash.empty() && verify_password(challenge, e.config.challenge_hash)) return "";
    return "the challenge password is wrong (or a one-time one that was used or expired)";
}

CertRep ScepService::enroll(const Endpoint& e, const PkiMessage& m) {
    // A client that sends its PKCSReq again while it waits gets the state of the first one.
    if (const auto t = transactions_.find(m.transaction_id); t && t->endpoint == e.config.name)
        return answer_for_request(t->ca, t->request_id, {});
    ParsedCsr csr;
    try {
        csr = parse_csr(m.content);
    } catch (const InputError& error) {
        audit_refusal(e, m, error.what());
        return failure({}, FailInfo::BadRequest, error.what());
    }
    bool renewal = false;
    if (const std::string why = authorise(e, m, csr.challenge_password, renewal); !why.empty()) {
        audit_refusal(e, m, why);
        return failure({}, FailInfo::BadRequest, why);
    }
    if (renewal && X509_NAME_cmp(X509_REQ_get_subject_name(csr.req.get()), X509_get_subject_name(m.signer.get())) != 0) {
        const std::string why = "a renewal must ask for the subject of the certificate that signs it";
        audit_refusal(e, m, why);
        return failure({}, FailInfo::BadRequest, why);
    }
    std::string who = common_name(X509_REQ_get_subject_name(csr.req.get()));
    if (who.empty()) who = m.transaction_id.substr(0, 64);
    IssuanceOutcome out;
    try {
        out = submit(lab_.context(), EnrollmentRequest{e.config.template_name, e.ca, m.content, Requester{"scep:" + who, "", "scep"}});
    } catch (const InputError& error) {
        return failure({}, FailInfo::BadRequest, error.what());
    }
    CertRep rep;
    switch (out.state) {
        case RequestState::Issued:
            if (!out.certificate) break;
            rep.status = PkiStatus::Success;
            {
                ossl::X509Ptr cert = parse_certificate(out.certificate->der, "the issued certificate");
                rep.certs_only = pkcs7_certs_only({cert.get()});
            }
            return rep;
        case RequestState::Pending:
            transactions_.remember(m.transaction_id, Transaction{e.config.name, out.ca, out.request_id}, lab_.clock().now());
            rep.status = PkiStatus::Pending;
            return rep;
        default: break;
    }
    return failure({}, FailInfo::BadRequest, refusal_text(out.disposition, out.findings));
}

CertRep ScepService::answer_for_request(const std::string& ca, std::int64_t request_id, CertRep rep) const {
    const auto r = lab_.store().find_request(ca, request_id);
    if (!r) return failure(std::move(rep), FailInfo::BadCertId, "request " + std::to_string(request_id) + " of CA " + ca + " is gone");
    if (r->state == RequestState::Pending) {
        rep.status = PkiStatus::Pending;
        return rep;
    }
    if (r->state == RequestState::Issued) {
        const auto cert = lab_.store().find_certificate(ca, r->serial);
        if (cert) {
            ossl::X509Ptr x = parse_certificate(cert->der, "the issued certificate");
            rep.status = PkiStatus::Success;
            rep.certs_only = pkcs7_certs_only({x.get()});
            return rep;
        }
    }
    return failure(std::move(rep), FailInfo::BadRequest, refusal_text(*r));
}

CertRep ScepService::poll(const Endpoint& e, const PkiMessage& m) {
    const auto t = transactions_.find(m.transaction_id);
    if (!t || t->endpoint != e.config.name)
        return failure({}, FailInfo::BadCertId, "no pending request has transactionID " + m.transaction_id);
    return answer_for_request(t->ca, t->request_id, {});
}

CertRep ScepService::get_cert(const Endpoint& e, const PkiMessage& m) {
    const unsigned char* p = m.content.data();
    ossl::Ptr<PKCS7_ISSUER_AND_SERIAL, PKCS7_ISSUER_AND_SERIAL_free> ias(
        d2i_PKCS7_ISSUER_AND_SERIAL(nullptr, &p, static_cast<long>(m.content.size())));
    if (!ias || p != m.content.data() + m.content.size())
        return failure({}, FailInfo::BadRequest, "GetCert's content is not an IssuerAndSerialNumber");
    const CertificateAuthority& ca = lab_.ca(e.ca);
    if (X509_NAME_cmp(ias->issuer, X509_get_subject_name(ca.certificate())) != 0)
        return failure({}, FailInfo::BadCertId, "the issuer is not CA " + ca.name());
    const auto cert = lab_.store().find_certificate(ca.name(), serial_to_hex(ias->serial));
    if (!cert) return failure({}, FailInfo::BadCertId, "CA " + ca.name() + " issued no certificate with that serial");
    ossl::X509Ptr x = parse_certificate(cert->der, "the stored certificate");
    CertRep rep;
    rep.status = PkiStatus::Success;
    rep.certs_only = pkcs7_certs_only({x.get()});
    return rep;
}

}  // namespace pkilab::scep
