#include "ca/authority/lab.hpp"

#include <fstream>
#include <map>

#include "ca/authority/ca_certificate.hpp"
#include "ca/keys/key_file.hpp"
#include "ca/ossl/error.hpp"
#include "ca/store/sqlite_store.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/name.hpp"
#include "ca/x509/pem.hpp"

namespace pkilab {

namespace fs = std::filesystem;

namespace {

constexpr const char* kClockOffsetSetting = "clock.offset_seconds";
constexpr const char* kLabFileDigestSetting = "lab.file_sha256";
constexpr const char* kLabFileSourceSetting = "lab.file_source";

fs::path lab_copy(const fs::path& state) { return state / "lab.yaml"; }
fs::path db_path(const fs::path& state) { return state / "pkilab.db"; }
fs::path cert_path(const fs::path& state, const std::string& ca) { return ca_folder(state, ca) / "ca.pem"; }
fs::path key_path(const fs::path& state, const std::string& ca) { return ca_folder(state, ca) / "ca.key"; }
fs::path chain_path(const fs::path& state, const std::string& ca) { return ca_folder(state, ca) / "chain.pem"; }

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    ossl::check(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr), "EVP_Digest");
    return to_hex(ByteView(md, len));
}

std::optional<std::string> passphrase_for(const CaConfig& config) {
    if (config.key_passphrase.empty()) return std::nullopt;
    return resolve_passphrase(config.key_passphrase);
}

Duration stored_offset(const Store& store) {
    auto s = store.get_setting(kClockOffsetSetting);
    if (!s) return Duration{0};
    try {
        return Duration{std::stoll(*s)};
    } catch (const std::exception&) {
        throw InternalError("stored clock offset is corrupt: '" + *s + "'");
    }
}

ossl::X509Ptr load_ca_cert(const fs::path& state, const std::string& ca) {
    return parse_certificate(read_file(cert_path(state, ca), kMaxCertificateBytes), cert_path(state, ca).string());
}

// The CAs of a lab, loaded from disk in the lab file's order (parents first).
std::vector<CertificateAuthority> load_cas(const fs::path& state, const LabConfig& config) {
    std::vector<CertificateAuthority> cas;
    cas.reserve(config.cas.size());
    for (const auto& c : config.cas) {
        if (!fs::exists(cert_path(state, c.name)))
            throw NotFoundError("CA " + c.name + " of the lab file has not been created; run `pkilab lab up`");
        std::vector<ossl::X509Ptr> issuers;
        if (c.parent) {
            const CertificateAuthority* parent = nullptr;
            for (const auto& made : cas)
                if (made.name() == *c.parent) parent = &made;
            issuers.push_back(ossl::up_ref(const_cast<X509*>(parent->certificate())));
            for (const auto& up : parent->issuers()) issuers.push_back(ossl::up_ref(up.get()));
        }
        // The key is read when the CA first signs: listing, exporting or the clock need no passphrase.
        CertificateAuthority::KeyLoader load = [path = key_path(state, c.name), c] {
            return load_private_key(path, passphrase_for(c));
        };
        cas.emplace_back(c, load_ca_cert(state, c.name), std::move(issuers), std::move(load), config.server_dns_name);
    }
    return cas;
}

}  // namespace

fs::path ca_folder(const fs::path& state_dir, const std::string& ca_name) { return state_dir / "cas" / ca_name; }

Lab::Lab(fs::path state_dir, LabConfig config, std::unique_ptr<Store> store, const Clock& base_clock, Duration offset)
    : state_dir_(std::move(state_dir)), config_(std::move(config)), store_(std::move(store)), base_clock_(base_clock),
      clock_(std::make_unique<OffsetClock>(base_clock_, offset)) {
    cas_ = load_cas(state_dir_, config_);
    // Relative plugin directories are the lab file's, as `lab up` read it, not the copy's.
    fs::path base = state_dir_;
    if (auto source = store_->get_setting(kLabFileSourceSetting)) base = fs::path(*source).parent_path();
    policies_ = std::make_unique<PolicyHost>(config_.plugins, base);
}

Lab::~Lab() = default;

std::unique_ptr<Lab> Lab::open(const fs::path& state_dir, const Clock& base_clock) {
    if (!fs::exists(lab_copy(state_dir)) || !fs::exists(db_path(state_dir)))
        throw NotFoundError("no lab in " + state_dir.string() +
                            " (run `pkilab lab up` first, or point --state / PKILAB_STATE at the lab's folder)");
    LabConfig config = load_lab_file(lab_copy(state_dir));
    std::unique_ptr<Store> store = open_sqlite_store(db_path(state_dir));
    Duration offset = stored_offset(*store);
    return std::unique_ptr<Lab>(new Lab(state_dir, std::move(config), std::move(store), base_clock, offset));
}

const CertificateAuthority& Lab::ca(std::string_view name) const { return find_ca(context(), name); }

bool Lab::reload_clock_offset() {
    const Duration stored = stored_offset(*store_);
    if (stored == clock_->offset()) return false;
    clock_->set_offset(stored);
    return true;
}

void Lab::set_clock_offset(Duration offset, const std::string& actor) {
    const Time before = clock_->now();
    // X.509 times end at 9999-12-31 and certificates need room after "now"; before 1950 is
    // not expressible as UTCTime. Refused, not clamped: a training clock must say where it is.
    const Time earliest = parse_time("1950-01-01T00:00:00Z");
    const Time latest = parse_time("9000-01-01T00:00:00Z");
    const Time wanted = base_clock_.now() + offset;
    if (wanted < earliest || wanted >= latest)
        throw InputError("clock", "offset",
                         "the lab clock would read " + (wanted < earliest ? std::string("before 1950") : "after 9000") +
                             ", where certificates cannot be dated",
                         "set a lab time between 1950 and 9000 (`pkilab clock set now` resets it)");
    store_->set_setting(kClockOffsetSetting, std::to_string(offset.count()));
    clock_->set_offset(offset);
    AuditEvent e;
    e.at = clock_->now();
    e.actor = actor;
    e.action = "clock";
    e.outcome = "ok";
    e.detail = "lab clock moved from " + format_time(before) + " to " + format_time(e.at) + " (offset " +
               format_duration(offset) + ")";
    store_->append_audit(e);
}

std::vector<const X509*> Lab::chain(const CertificateAuthority& ca) const {
    std::vector<const X509*> out{ca.certificate()};
    for (const auto& i : ca.issuers()) out.push_back(i.get());
    return out;
}

namespace {

std::vector<std::string> differences(const CaConfig& wanted, const X509* existing) {
    std::vector<std::string> out;
    const CertificateInfo info = describe_certificate(existing);
    const std::string wanted_subject = format_dn(parse_dn(wanted.subject, "CA " + wanted.name, "subject").get());
    if (info.subject != wanted_subject)
        out.push_back("subject is '" + info.subject + "', the lab file says '" + wanted_subject + "'");
    const KeyInfo& k = info.key;
    bool same_key = k.algorithm == wanted.key.algorithm &&
                    (k.algorithm != KeyAlgorithm::Rsa || k.bits == wanted.key.bits) &&
                    (k.algorithm != KeyAlgorithm::Ec || k.curve == wanted.key.curve);
    if (!same_key) out.push_back("key is " + k.description + ", the lab file says " + to_string(wanted.key));
    if (info.path_length != wanted.path_length) {
        auto shown = [](std::optional<int> p) { return p ? std::to_string(*p) : std::string("unlimited"); };
        out.push_back("path length is " + shown(info.path_length) + ", the lab file says " + shown(wanted.path_length));
    }
    return out;
}

// The certificate's lifetime against the lab file's validity. A CA cannot outlive its issuer,
// so a child's validity may have been cut to its parent's notAfter when it was made.
std::optional<std::string> validity_note(const CaConfig& wanted, const X509* cert, bool created) {
    const Time not_before = from_asn1_time(X509_get0_notBefore(cert));
    const Time not_after = from_asn1_time(X509_get0_notAfter(cert));
    const Duration lifetime = not_after - not_before;
    const Duration slack = std::chrono::hours{25};  // backdating and rounding
    if (lifetime + slack >= wanted.validity && lifetime <= wanted.validity + slack) return std::nullopt;
    if (lifetime < wanted.validity && wanted.parent)
        return "validity is " + format_duration(lifetime) + " instead of " + format_duration(wanted.validity) +
               ": a CA cannot outlive its issuer, so it ends with " + *wanted.parent + " at " + format_time(not_after);
    if (created) return std::nullopt;
    return "validity is " + format_duration(lifetime) + ", the lab file says " + format_duration(wanted.validity);
}

// The key first, before the certificate is recorded: a certificate in the store whose key
// was lost would be a CA nobody can use. A key left without a certificate is overwritten
// when `lab up` runs again.
void save_ca_key(const fs::path& state, const CaConfig& config, const EVP_PKEY* key,
                 const std::optional<std::string>& passphrase) {
    fs::create_directories(ca_folder(state, config.name));
    fs::permissions(ca_folder(state, config.name), fs::perms::owner_all);
    save_private_key(key_path(state, config.name), key, passphrase);
}

void write_ca_files(const fs::path& state, const CaConfig& config, const X509* cert, const CertificateAuthority* parent) {
    std::string chain = certificate_pem(cert);
    if (parent != nullptr) {
        chain += certificate_pem(parent->certificate());
        for (const auto& up : parent->issuers()) chain += certificate_pem(up.get());
    }
    // The certificate last: its presence is what marks the CA as made.
    write_file_atomically(chain_path(state, config.name), chain, fs::perms::owner_read | fs::perms::owner_write |
                                                                     fs::perms::group_read | fs::perms::others_read);
    write_file_atomically(cert_path(state, config.name), certificate_pem(cert),
                          fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                              fs::perms::others_read);
}

void record_ca_certificate(Store& store, const CaConfig& config, const X509* cert, const std::string& serial,
                           const CertificateAuthority* parent, Time now) {
    const std::string issuer = parent ? parent->name() : config.name;
    const CertificateInfo info = describe_certificate(cert);
    NewRequest req;
    req.ca = issuer;
    req.template_name = parent ? "SubCA" : "RootCA";
    req.template_version = "1.0";
    req.requester = Requester{"lab", "admin", "lab"};
    req.subject = info.subject;
    req.at = now;
    unsigned char* der = nullptr;
    int len = i2d_re_X509_tbs(const_cast<X509*>(cert), &der);
    ossl::OsslBytesPtr owned(der);
    if (len <= 0) ossl::throw_error("i2d_re_X509_tbs");
    std::int64_t id = store.record_intent(IssuanceIntent{issuer, std::nullopt, req, serial, Bytes(der, der + len), now});
    CertificateRecord rec;
    rec.ca = issuer;
    rec.serial = serial;
    rec.request_id = id;
    rec.subject = info.subject;
    rec.template_name = req.template_name;
    rec.not_before = info.not_before;
    rec.not_after = info.not_after;
    rec.issued_at = now;
    rec.der = certificate_der(cert);
    AuditEvent e;
    e.at = now;
    e.actor = "lab";
    e.action = "create-ca";
    e.ca = issuer;
    e.request_id = id;
    e.serial = serial;
    e.outcome = "ok";
    e.detail = "CA " + config.name + " created: " + info.subject;
    store.record_issued(rec, "Issued", e);
}

}  // namespace

LabUpReport lab_up(const fs::path& state_dir, const fs::path& lab_file, const Clock& base_clock) {
    LabConfig config = load_lab_file(lab_file);
    // The plugins load and accept their configuration before anything is made.
    PolicyHost(config.plugins, fs::absolute(lab_file).parent_path()).load();
    std::ifstream in(lab_file, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

    LabUpReport report;
    report.state_dir = state_dir;
    report.lab_file = lab_file;
    report.created = !fs::exists(db_path(state_dir));
    fs::create_directories(state_dir);
    fs::permissions(state_dir, fs::perms::owner_all);

    std::unique_ptr<Store> store = open_sqlite_store(db_path(state_dir));
    const std::string digest = sha256_hex(text);
    const auto old_digest = store->get_setting(kLabFileDigestSetting);
    report.lab_file_changed = old_digest && *old_digest != digest;
    OffsetClock clock(base_clock, stored_offset(*store));
    const Time now = clock.now();

    // Every passphrase is read before anything is made: a missing one must not leave a CA
    // half-created (a certificate recorded whose key was never written).
    std::map<std::string, std::optional<std::string>> passphrases;
    for (const auto& c : config.cas) passphrases[c.name] = passphrase_for(c);

    std::vector<CertificateAuthority> cas;
    cas.reserve(config.cas.size());
    for (const auto& c : config.cas) {
        const CertificateAuthority* parent = nullptr;
        if (c.parent)
            for (const auto& made : cas)
                if (made.name() == *c.parent) parent = &made;
        LabUpReport::CaLine line;
        line.name = c.name;
        ossl::X509Ptr cert;
        ossl::PkeyPtr key;
        if (fs::exists(cert_path(state_dir, c.name))) {
            cert = load_ca_cert(state_dir, c.name);
            key = load_private_key(key_path(state_dir, c.name), passphrases[c.name]);
            line.differences = differences(c, cert.get());
        } else {
            key = generate_key(c.key);
            CaCertificate made = make_ca_certificate(c, key.get(), parent, now);
            save_ca_key(state_dir, c, key.get(), passphrases[c.name]);
            record_ca_certificate(*store, c, made.cert.get(), made.serial, parent, now);
            write_ca_files(state_dir, c, made.cert.get(), parent);
            cert = std::move(made.cert);
            line.created = true;
        }
        if (c.signature.hash == HashAlgorithm::Sha1)
            line.warnings.push_back("CA " + c.name + " signs with SHA-1 (legacy simulation): current browsers, "
                                    "Windows and OpenSSL at security level 1+ reject SHA-1 signatures");
        if (c.key.algorithm == KeyAlgorithm::Rsa && c.key.bits < 2048)
            line.warnings.push_back("CA " + c.name + " has an RSA-1024 key (legacy simulation): it is factorable by "
                                    "well-funded attackers, and Windows, browsers and OpenSSL at security level 2+ "
                                    "refuse it");
        if (c.signature.rsa_pss)
            line.warnings.push_back("CA " + c.name + " signs with RSASSA-PSS: some products (Lync/Skype for Business, "
                                    "older Java and Windows components) reject PSS-signed certificates");
        if (auto note = validity_note(c, cert.get(), line.created)) line.differences.push_back(*note);
        const CertificateInfo info = describe_certificate(cert.get());
        line.subject = info.subject;
        line.serial = info.serial;
        std::vector<ossl::X509Ptr> issuers;
        if (parent != nullptr) {
            issuers.push_back(ossl::up_ref(const_cast<X509*>(parent->certificate())));
            for (const auto& up : parent->issuers()) issuers.push_back(ossl::up_ref(up.get()));
        }
        cas.emplace_back(c, std::move(cert), std::move(issuers), std::move(key), config.server_dns_name);
        report.cas.push_back(std::move(line));
    }

    if (config.web.san_from_request_attributes)
        report.warnings.push_back("web.san_from_request_attributes is ON (AD CS's EDITF_ATTRIBUTESUBJECTALTNAME2): certsrv "
                                  "puts the names of a request's SAN attribute into the certificate, so anyone who may "
                                  "enroll can name any host or user (the ESC6 attack). For teaching it only.");

    // CAs made by an earlier lab file that this one no longer names: not loaded any more.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(state_dir / "cas", ec)) {
        const std::string name = entry.path().filename().string();
        if (config.find_ca(name) == nullptr && fs::exists(entry.path() / "ca.pem"))
            report.warnings.push_back("CA " + name + " exists in the state folder but not in the lab file: it is no "
                                      "longer loaded (its certificates stay in the store)");
    }

    write_file_atomically(lab_copy(state_dir), text, fs::perms::owner_read | fs::perms::owner_write);
    store->set_setting(kLabFileDigestSetting, digest);
    store->set_setting(kLabFileSourceSetting, fs::absolute(lab_file).string());
    AuditEvent e;
    e.at = now;
    e.actor = "lab";
    e.action = "lab-up";
    e.outcome = "ok";
    e.detail = std::string(report.created ? "lab created from " : report.lab_file_changed ? "lab file changed: " : "lab reused: ") +
               fs::absolute(lab_file).string();
    store->append_audit(e);
    return report;
}

}  // namespace pkilab
