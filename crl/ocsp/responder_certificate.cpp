#include "crl/ocsp/responder_certificate.hpp"

#include "ca/errors.hpp"
#include "ca/file_lock.hpp"
#include "ca/keys/key.hpp"
#include "ca/keys/key_file.hpp"
#include "ca/ossl/error.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"

namespace pkilab::crl {

namespace fs = std::filesystem;

namespace {

const Requester kResponder{"ocsp-responder", "system", "ocsp"};
constexpr Duration kRetryAfterFailure = std::chrono::hours{1};

// The CA's kind of key: clients that accept the CA's signatures accept these. RSA stops at 3072
// bits (a responder key is short-lived); Ed25519 becomes P-256, which OCSP clients support.
KeySpec responder_key_spec(const KeySpec& ca_key) {
    if (ca_key.algorithm == KeyAlgorithm::Rsa) return KeySpec{KeyAlgorithm::Rsa, ca_key.bits > 2048 ? 3072 : 2048, ""};
    if (ca_key.algorithm == KeyAlgorithm::Ec) return ca_key;
    return KeySpec{KeyAlgorithm::Ec, 0, "P-256"};
}

bool signs_ocsp(const X509* cert) {
    const uint32_t flags = X509_get_extension_flags(const_cast<X509*>(cert));
    return (flags & EXFLAG_XKUSAGE) != 0 && (X509_get_extended_key_usage(const_cast<X509*>(cert)) & XKU_OCSP_SIGN) != 0;
}


}  // namespace

fs::path ResponderCertificate::folder(const Lab& lab, const CertificateAuthority& ca) {
    return ca_folder(lab.state_dir(), ca.name()) / "ocsp";
}

ResponderCertificate::ResponderCertificate(const Lab& lab, const CertificateAuthority& ca)
    : lab_(lab), ca_(ca), folder_(folder(lab, ca)) {
    if (!ca.config().ocsp.delegated) {
        ca.load_key();  // a missing passphrase is said now, not in the first answer
        signer_ = std::make_shared<OcspSigner>(ca);
        return;
    }
    const Time now = lab.clock().now();
    try {
        renew(now);
    } catch (const ConflictError& e) {
        ca.load_key();
        signer_ = std::make_shared<OcspSigner>(ca);
        problem_ = std::string("the CA key signs: ") + e.what();
        failed_at_ = now;
    }
}

std::shared_ptr<const OcspSigner> ResponderCertificate::signer() const {
    std::lock_guard lock(mutex_);
    return signer_;
}

std::string ResponderCertificate::problem() const {
    std::lock_guard lock(mutex_);
    return problem_;
}

bool ResponderCertificate::renew_if_due(Time now) {
    if (!ca_.config().ocsp.delegated) return false;
    {
        std::lock_guard lock(mutex_);
        if (!due(*signer_, now)) return false;
        // An hour between attempts, unless the clock went back (training): each attempt that the
        // CA refuses is a request in the store.
        if (failed_at_ && now >= *failed_at_ && now < *failed_at_ + kRetryAfterFailure) return false;
    }
    try {
        renew(now);
        return true;
    } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        problem_ = std::string("renewing the OCSP responder certificate failed: ") + e.what();
        failed_at_ = now;
        return false;
    }
}

void ResponderCertificate::renew(Time now) {
    std::error_code ec;
    fs::create_directories(folder_, ec);
    if (ec) throw InternalError("cannot create " + folder_.string() + ": " + ec.message());
    fs::permissions(folder_, fs::perms::owner_all, ec);
    // Held while this process looks at or replaces the files, so two servers do not both renew.
    const FileLock lock(folder_ / "lock");
    // Another process may have renewed it while this one waited for the lock.
    std::shared_ptr<const OcspSigner> fresh = load(now);
    if (!fresh) fresh = issue();
    std::lock_guard guard(mutex_);
    signer_ = std::move(fresh);
    problem_.clear();
    failed_at_.reset();
}

bool ResponderCertificate::due(const OcspSigner& signer, Time now) const {
    if (!signer.delegated()) return true;  // configured delegated but fell back to the CA key
    if (now < signer.not_before() || now >= signer.not_after()) return true;
    // A certificate cut to the CA's own end cannot be followed by a longer one.
    if (signer.not_after() >= from_asn1_time(X509_get0_notAfter(ca_.certificate()))) return false;
    return now >= signer.not_before() + (signer.not_after() - signer.not_before()) * 2 / 3;
}

std::shared_ptr<const OcspSigner> ResponderCertificate::load(Time now) const {
    const fs::path key_path = folder_ / "responder.key";
    const fs::path cert_path = folder_ / "responder.pem";
    if (!fs::exists(key_path) || !fs::exists(cert_path)) return nullptr;
    ossl::PkeyPtr key;
    ossl::X509Ptr cert;
    try {
        key = load_private_key(key_path, std::nullopt);
        cert = parse_certificate(read_file(cert_path, kMaxCertificateBytes), cert_path.string());
    } catch (const Error&) {
        return nullptr;  // unreadable, or a key file others can read: replaced by a new pair
    }
    ossl::ErrorMark mark;
    if (X509_check_private_key(cert.get(), key.get()) != 1) return nullptr;
    if (X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(ca_.certificate())) != 0 ||
        X509_verify(cert.get(), X509_get0_pubkey(ca_.certificate())) != 1 || !signs_ocsp(cert.get()))
        return nullptr;  // another CA's, or from before the CA was made again
    auto signer = std::make_shared<OcspSigner>(ca_, std::move(cert), std::move(key));
    if (due(*signer, now)) return nullptr;
    return signer;
}

std::shared_ptr<const OcspSigner> ResponderCertificate::issue() {
    ossl::PkeyPtr key = generate_key(responder_key_spec(ca_.config().key));
    const Bytes csr = csr_to_der(make_csr(key.get(), "CN=" + ca_.name() + " OCSP Responder", {}).get());
    IssuanceOutcome out = submit_for_ca_infrastructure(
        lab_.context(), EnrollmentRequest{kResponderTemplate, ca_.name(), csr, kResponder});
    if (out.state != RequestState::Issued || !out.certificate)
        throw ConflictError("CA " + ca_.name() + " did not issue its OCSP responder certificate (request " +
                            std::to_string(out.request_id) + ", " + to_string(out.state) + "): " + out.disposition);
    const Bytes der = std::move(out.certificate->der);
    ossl::X509Ptr cert = parse_certificate(der, "the OCSP responder certificate of CA " + ca_.name());
    if (!signs_ocsp(cert.get()))
        throw ConflictError("template " + std::string(kResponderTemplate) +
                            " gives no OCSPSigning extended key usage; clients would refuse the responder");
    save_private_key(folder_ / "responder.key", key.get(), std::nullopt);
    write_file_atomically(folder_ / "responder.pem", certificate_pem(cert.get()),
                          fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    return std::make_shared<OcspSigner>(ca_, std::move(cert), std::move(key));
}

}  // namespace pkilab::crl
