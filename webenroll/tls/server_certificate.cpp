#include "webenroll/tls/server_certificate.hpp"

#include <openssl/x509v3.h>

#include "ca/errors.hpp"
#include "ca/file_lock.hpp"
#include "ca/keys/key.hpp"
#include "ca/keys/key_file.hpp"
#include "ca/ossl/error.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"

namespace pkilab::web {

namespace fs = std::filesystem;

namespace {

const Requester kServer{"pkilab-serve", "system", "web"};
constexpr size_t kMaxChainFileBytes = 256 * 1024;

bool covers(X509* cert, const GeneralName& name) {
    if (name.type == NameType::Ip) return X509_check_ip_asc(cert, name.value.c_str(), 0) == 1;
    return X509_check_host(cert, name.value.data(), name.value.size(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
}

bool serves_tls(X509* cert) {
    const uint32_t flags = X509_get_extension_flags(cert);
    return (flags & EXFLAG_XKUSAGE) == 0 || (X509_get_extended_key_usage(cert) & XKU_SSL_SERVER) != 0;
}

std::vector<ossl::X509Ptr> chain_without_root(const Lab& lab, const CertificateAuthority& ca) {
    std::vector<ossl::X509Ptr> chain;
    for (const X509* c : lab.chain(ca)) {
        if (X509_check_issued(const_cast<X509*>(c), const_cast<X509*>(c)) == X509_V_OK) continue;  // self-signed
        chain.emplace_back(X509_dup(const_cast<X509*>(c)));
    }
    return chain;
}

// The certificate callback: each handshake gets the identity current at that moment.
int select_certificate(SSL* ssl, void* arg) {
    const auto* self = static_cast<const ServerCertificate*>(arg);
    const auto id = self->current();
    if (!id) return 0;
    if (SSL_use_certificate(ssl, id->certificate.get()) != 1 || SSL_use_PrivateKey(ssl, id->key.get()) != 1) return 0;
    STACK_OF(X509)* chain = sk_X509_new_null();
    if (chain == nullptr) return 0;
    for (const auto& c : id->chain) sk_X509_push(chain, c.get());
    const int ok = SSL_set1_chain(ssl, chain);  // takes its own references
    sk_X509_free(chain);
    return ok == 1 ? 1 : 0;
}

// The chain is checked after the handshake, against the lab's CAs, the lab clock and the store
// (client_certificates.cpp): here any certificate is let through, so that a wrong one is
// answered with a 401 that says why rather than a failed handshake that says nothing.
int accept_for_later_check(int, X509_STORE_CTX*) { return 1; }

}  // namespace

std::vector<GeneralName> server_names(const LabConfig& config, const std::string& host) {
    std::vector<GeneralName> names;
    auto add = [&](const std::string& text) {
        if (text.empty() || text == "0.0.0.0" || text == "::") return;
        const bool ip = text.find_first_not_of("0123456789.") == std::string::npos || text.find(':') != std::string::npos;
        GeneralName n = parse_general_name((ip ? "ip:" : "dns:") + text, "server name");
        for (const auto& have : names)
            if (have == n) return;
        names.push_back(std::move(n));
    };
    add(config.server_dns_name);
    add(host);
    add("localhost");
    add("127.0.0.1");
    return names;
}

fs::path ServerCertificate::folder(const Lab& lab) { return lab.state_dir() / "web" / "tls"; }

ServerCertificate::ServerCertificate(const Lab& lab, const CertificateAuthority& ca, std::vector<GeneralName> names)
    : lab_(lab), ca_(ca), names_(std::move(names)), folder_(folder(lab)) {
    renew(lab.base_clock().now());
}

std::shared_ptr<const TlsIdentity> ServerCertificate::current() const {
    std::lock_guard lock(mutex_);
    return identity_;
}

std::string ServerCertificate::problem() const {
    std::lock_guard lock(mutex_);
    return problem_;
}

bool ServerCertificate::renew_if_due() {
    const Time now = lab_.base_clock().now();
    {
        std::lock_guard lock(mutex_);
        if (identity_ && !due(*identity_, now)) return false;
    }
    try {
        renew(now);
        return true;
    } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        problem_ = std::string("renewing the HTTPS certificate failed: ") + e.what();
        return false;
    }
}

bool ServerCertificate::due(const TlsIdentity& id, Time now) const {
    if (now < id.not_before || now >= id.not_after) return true;
    // One cut to the CA's own end cannot be followed by a longer one.
    if (id.not_after >= from_asn1_time(X509_get0_notAfter(ca_.certificate()))) return false;
    return now >= id.not_before + (id.not_after - id.not_before) * 2 / 3;
}

void ServerCertificate::renew(Time now) {
    std::error_code ec;
    fs::create_directories(folder_, ec);
    if (ec) throw InternalError("cannot create " + folder_.string() + ": " + ec.message());
    fs::permissions(folder_, fs::perms::owner_all, ec);
    const FileLock lock(folder_ / "lock");
    std::shared_ptr<const TlsIdentity> fresh = load(now);
    if (!fresh) fresh = issue();
    std::lock_guard guard(mutex_);
    identity_ = std::move(fresh);
    problem_.clear();
}

std::shared_ptr<const TlsIdentity> ServerCertificate::load(Time now) const {
    const fs::path key_path = folder_ / "server.key";
    const fs::path cert_path = folder_ / "server.pem";
    if (!fs::exists(key_path) || !fs::exists(cert_path)) return nullptr;
    auto id = std::make_shared<TlsIdentity>();
    try {
        id->key = load_private_key(key_path, std::nullopt);
        auto certs = parse_certificates(read_file(cert_path, kMaxChainFileBytes), cert_path.string());
        if (certs.empty()) return nullptr;
        id->certificate = std::move(certs.front());
    } catch (const Error&) {
        return nullptr;  // unreadable, or a key file others can read: replaced by a new pair
    }
    X509* cert = id->certificate.get();
    ossl::ErrorMark mark;
    if (X509_check_private_key(cert, id->key.get()) != 1) return nullptr;
    if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(ca_.certificate())) != 0 ||
        X509_verify(cert, X509_get0_pubkey(ca_.certificate())) != 1 || !serves_tls(cert))
        return nullptr;  // another CA's, or from before the CA was made again
    for (const auto& n : names_)
        if (!covers(cert, n)) return nullptr;  // the server listens under a new name
    id->not_before = from_asn1_time(X509_get0_notBefore(cert));
    id->not_after = from_asn1_time(X509_get0_notAfter(cert));
    if (due(*id, now)) return nullptr;
    id->serial = describe_certificate(cert).serial;
    id->chain = chain_without_root(lab_, ca_);
    return id;
}

std::shared_ptr<const TlsIdentity> ServerCertificate::issue() {
    ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    const std::string cn = names_.empty() ? std::string("pkilab") : names_.front().value;
    const Bytes csr = csr_to_der(make_csr(key.get(), "CN=" + cn + ", O=pkilab web enrollment", names_).get());
    // The real clock dates it (see the header); the rest is the lab's: its CAs, store, plugins.
    const IssuanceContext lab_ctx = lab_.context();
    const IssuanceContext ctx{lab_ctx.config, lab_ctx.cas, lab_ctx.store, lab_.base_clock(), lab_ctx.policies};
    IssuanceOutcome out =
        submit_for_ca_infrastructure(ctx, EnrollmentRequest{kServerTemplate, ca_.name(), csr, kServer});
    if (out.state != RequestState::Issued || !out.certificate)
        throw ConflictError("CA " + ca_.name() + " did not issue the HTTPS server certificate (request " +
                            std::to_string(out.request_id) + ", " + to_string(out.state) + "): " + out.disposition);
    auto id = std::make_shared<TlsIdentity>();
    id->certificate = parse_certificate(out.certificate->der, "the HTTPS server certificate");
    id->key = std::move(key);
    id->chain = chain_without_root(lab_, ca_);
    id->serial = out.certificate->serial;
    id->not_before = from_asn1_time(X509_get0_notBefore(id->certificate.get()));
    id->not_after = from_asn1_time(X509_get0_notAfter(id->certificate.get()));
    std::string pem = certificate_pem(id->certificate.get());
    for (const auto& c : id->chain) pem += certificate_pem(c.get());
    save_private_key(folder_ / "server.key", id->key.get(), std::nullopt);
    write_file_atomically(folder_ / "server.pem", pem, fs::perms::owner_read | fs::perms::owner_write |
                                                         fs::perms::group_read | fs::perms::others_read);
    return id;
}

bool ServerCertificate::configure(SSL_CTX& ctx) {
    if (SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION) != 1) return false;
    SSL_CTX_set_options(&ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_cert_cb(&ctx, select_certificate, this);
    if (!client_cas_.empty()) {
        SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, accept_for_later_check);
        for (const X509* ca : client_cas_)
            if (SSL_CTX_add_client_CA(&ctx, const_cast<X509*>(ca)) != 1) return false;
    }
    return true;
}

}  // namespace pkilab::web
