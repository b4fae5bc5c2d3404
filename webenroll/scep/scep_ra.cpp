#include "webenroll/scep/scep_ra.hpp"

#include "ca/errors.hpp"
#include "ca/file_lock.hpp"
#include "ca/keys/key.hpp"
#include "ca/keys/key_file.hpp"
#include "ca/ossl/error.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"

namespace pkilab::scep {

namespace fs = std::filesystem;

namespace {

const Requester kRa{"scep-ra", "system", "scep"};
constexpr Duration kRetryAfterFailure = std::chrono::hours{1};

bool encrypts_and_signs(X509* cert) {
    if (EVP_PKEY_get_base_id(X509_get0_pubkey(cert)) != EVP_PKEY_RSA) return false;
    const uint32_t flags = X509_get_extension_flags(cert);
    if ((flags & EXFLAG_KUSAGE) == 0) return true;
    const uint32_t ku = X509_get_key_usage(cert);
    return (ku & KU_DIGITAL_SIGNATURE) != 0 && (ku & KU_KEY_ENCIPHERMENT) != 0;
}

}  // namespace

fs::path RaCertificate::folder(const Lab& lab, const CertificateAuthority& ca) { return lab.state_dir() / "scep" / ca.name(); }

RaCertificate::RaCertificate(const Lab& lab, const CertificateAuthority& ca) : lab_(lab), ca_(ca), folder_(folder(lab, ca)) {
    renew(lab.clock().now());
}

std::shared_ptr<const RaIdentity> RaCertificate::current(Time now) {
    std::lock_guard lock(mutex_);
    if (!due(*identity_, now)) return identity_;
    if (failed_at_ && now >= *failed_at_ && now < *failed_at_ + kRetryAfterFailure) return identity_;
    try {
        renew(now);
    } catch (const std::exception&) {
        failed_at_ = now;  // the old certificate serves on; clients will say why if it expired
    }
    return identity_;
}

bool RaCertificate::due(const RaIdentity& id, Time now) const {
    if (now < id.not_before || now >= id.not_after) return true;
    if (id.not_after >= from_asn1_time(X509_get0_notAfter(ca_.certificate()))) return false;
    return now >= id.not_before + (id.not_after - id.not_before) * 2 / 3;
}

void RaCertificate::renew(Time now) {
    std::error_code ec;
    fs::create_directories(folder_, ec);
    if (ec) throw InternalError("cannot create " + folder_.string() + ": " + ec.message());
    fs::permissions(folder_, fs::perms::owner_all, ec);
    const FileLock lock(folder_ / "lock");
    std::shared_ptr<const RaIdentity> fresh = load(now);
    if (!fresh) fresh = issue();
    identity_ = std::move(fresh);
    failed_at_.reset();
}

std::shared_ptr<const RaIdentity> RaCertificate::load(Time now) const {
    const fs::path key_path = folder_ / "ra.key";
    const fs::path cert_path = folder_ / "ra.pem";
    if (!fs::exists(key_path) || !fs::exists(cert_path)) return nullptr;
    auto id = std::make_shared<RaIdentity>();
    try {
        id->key = load_private_key(key_path, std::nullopt);
        id->certificate = parse_certificate(read_file(cert_path, kMaxCertificateBytes), cert_path.string());
    } catch (const Error&) {
        return nullptr;  // unreadable, or a key file others can read: replaced by a new pair
    }
    X509* cert = id->certificate.get();
    ossl::ErrorMark mark;
    if (X509_check_private_key(cert, id->key.get()) != 1) return nullptr;
    if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(ca_.certificate())) != 0 ||
        X509_verify(cert, X509_get0_pubkey(ca_.certificate())) != 1 || !encrypts_and_signs(cert))
        return nullptr;  // another CA's, or from before the CA was made again
    id->not_before = from_asn1_time(X509_get0_notBefore(cert));
    id->not_after = from_asn1_time(X509_get0_notAfter(cert));
    if (due(*id, now)) return nullptr;
    return id;
}

std::shared_ptr<const RaIdentity> RaCertificate::issue() {
    ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Rsa, 2048, ""});
    const Bytes csr = csr_to_der(make_csr(key.get(), "CN=" + ca_.name() + " SCEP RA, O=pkilab", {}).get());
    IssuanceOutcome out = submit_for_ca_infrastructure(lab_.context(), EnrollmentRequest{kRaTemplate, ca_.name(), csr, kRa});
    if (out.state != RequestState::Issued || !out.certificate)
        throw ConflictError("CA " + ca_.name() + " did not issue its SCEP RA certificate (request " +
                            std::to_string(out.request_id) + ", " + to_string(out.state) + "): " + out.disposition);
    auto id = std::make_shared<RaIdentity>();
    id->certificate = parse_certificate(out.certificate->der, "the SCEP RA certificate of CA " + ca_.name());
    if (!encrypts_and_signs(id->certificate.get()))
        throw ConflictError(std::string("template ") + kRaTemplate +
                            " gives no digitalSignature and keyEncipherment key usage; SCEP clients could not use the RA");
    id->key = std::move(key);
    id->not_before = from_asn1_time(X509_get0_notBefore(id->certificate.get()));
    id->not_after = from_asn1_time(X509_get0_notAfter(id->certificate.get()));
    save_private_key(folder_ / "ra.key", id->key.get(), std::nullopt);
    write_file_atomically(folder_ / "ra.pem", certificate_pem(id->certificate.get()),
                          fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    return id;
}

}  // namespace pkilab::scep
