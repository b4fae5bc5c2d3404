#include "webenroll/cmp/cmp_identity.hpp"

#include <system_error>

#include "ca/errors.hpp"
#include "ca/file_lock.hpp"
#include "ca/keys/key.hpp"
#include "ca/keys/key_file.hpp"
#include "ca/ossl/error.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"
#include "webenroll/cmp/cmp_secrets.hpp"

namespace pkilab::web {

namespace fs = std::filesystem;

namespace {

const Requester kCmpServer{"pkilab-cmp", "system", "cmp"};
constexpr size_t kMaxChainFileBytes = 256 * 1024;

std::vector<ossl::X509Ptr> chain_of(const Lab& lab, const CertificateAuthority& ca) {
    std::vector<ossl::X509Ptr> chain;
    for (const X509* c : lab.chain(ca)) chain.emplace_back(X509_dup(const_cast<X509*>(c)));
    return chain;
}

bool usable(const CmpIdentity& id, const CertificateAuthority& ca, Time now) {
    X509* cert = id.certificate.get();
    ossl::ErrorMark mark;
    if (X509_check_private_key(cert, id.key.get()) != 1) return false;
    if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(ca.certificate())) != 0 ||
        X509_verify(cert, X509_get0_pubkey(ca.certificate())) != 1)
        return false;  // another CA's, or from before the CA was made again
    const Time not_before = from_asn1_time(X509_get0_notBefore(cert));
    const Time not_after = from_asn1_time(X509_get0_notAfter(cert));
    return now >= not_before && now + std::chrono::hours(24) < not_after;
}

std::optional<CmpIdentity> load(const Lab& lab, const CertificateAuthority& ca, const fs::path& folder) {
    const fs::path key_path = folder / "server.key";
    const fs::path cert_path = folder / "server.pem";
    if (!fs::exists(key_path) || !fs::exists(cert_path)) return std::nullopt;
    CmpIdentity id;
    try {
        id.key = load_private_key(key_path, std::nullopt);
        auto certs = parse_certificates(read_file(cert_path, kMaxChainFileBytes), cert_path.string());
        if (certs.empty()) return std::nullopt;
        id.certificate = std::move(certs.front());
    } catch (const Error&) {
        return std::nullopt;  // unreadable, or a key file others can read: replaced by a new pair
    }
    if (!usable(id, ca, lab.base_clock().now())) return std::nullopt;
    id.chain = chain_of(lab, ca);
    return id;
}

CmpIdentity issue(const Lab& lab, const CertificateAuthority& ca, const fs::path& folder) {
    CmpIdentity id;
    id.key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    const Bytes csr = csr_to_der(make_csr(id.key.get(), "CN=pkilab CMP server, O=pkilab", {}).get());
    const IssuanceContext lab_ctx = lab.context();
    const IssuanceContext ctx{lab_ctx.config, lab_ctx.cas, lab_ctx.store, lab.base_clock(), lab_ctx.policies};
    IssuanceOutcome out =
        submit_for_ca_infrastructure(ctx, EnrollmentRequest{kCmpServerTemplate, ca.name(), csr, kCmpServer});
    if (out.state != RequestState::Issued || !out.certificate)
        throw ConflictError("CA " + ca.name() + " did not issue the CMP server certificate (request " +
                            std::to_string(out.request_id) + ", " + to_string(out.state) + "): " + out.disposition);
    id.certificate = parse_certificate(out.certificate->der, "the CMP server certificate");
    id.chain = chain_of(lab, ca);
    std::string pem = certificate_pem(id.certificate.get());
    for (const auto& c : id.chain) pem += certificate_pem(c.get());
    save_private_key(folder / "server.key", id.key.get(), std::nullopt);
    write_file_atomically(folder / "server.pem", pem, fs::perms::owner_read | fs::perms::owner_write |
                                                         fs::perms::group_read | fs::perms::others_read);
    return id;
}

}  // namespace

CmpIdentity load_or_issue_cmp_identity(const Lab& lab, const CertificateAuthority& ca) {
    const fs::path folder = cmp_folder(lab.state_dir());
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw InternalError("cannot create " + folder.string() + ": " + ec.message());
    fs::permissions(folder, fs::perms::owner_all, ec);
    const FileLock lock(folder / "lock");
    if (auto id = load(lab, ca, folder)) return std::move(*id);
    return issue(lab, ca, folder);
}

}  // namespace pkilab::web
