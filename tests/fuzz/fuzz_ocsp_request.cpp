// The OCSP request path on hostile bytes, as `pkilab serve` takes it: a POST body goes to the
// responder as it came, a GET path's base64 through decode_ocsp_get first. Both reach
// parse_ocsp_request and OcspResponder::respond on a real lab (made once, in a temp folder, on
// a fixed clock), whose answer must always be one OCSPResponse: malformedRequest exactly when
// the request does not parse, never internalError, and when successful signed by a certificate
// that chains to the lab's root, with one answer per CertID, the nonce echoed, and the status
// the lab holds for the certificates it knows.
//
// The seed corpus holds real requests (openssl ocsp -reqout) whose issuer key hash and serials
// are placeholders, since every start makes new keys and serials: 0xA5 x 32 (SHA-256) or x 20
// (SHA-1) for the key hash, 0x5A x 15 followed by 0, 1 or 2 for a serial. They are replaced with
// the live lab's before a request is used; the issuer name hash needs no placeholder (the CA's
// subject is fixed below).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "ca/authority/lab.hpp"
#include "ca/bytes.hpp"
#include "ca/keys/key.hpp"
#include "ca/ossl/ptr.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/pipeline/revocation.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"
#include "crl/ocsp/ocsp_request.hpp"
#include "crl/ocsp/ocsp_responder.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "webenroll/ocsp_http.hpp"

namespace pkilab {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLab = R"(lab:
  name: fuzz-ocsp
cas:
  - name: fuzz-root
    subject: "CN=Fuzz OCSP Root, O=pkilab fuzz"
    key: ecdsa-p256
    validity: 20y
    templates: [SubCA]
  - name: fuzz-issuing
    subject: "CN=Fuzz OCSP Issuing, O=pkilab fuzz"
    key: ecdsa-p256
    parent: fuzz-root
    validity: 5y
    path_length: 0
    ocsp: ["http://127.0.0.1:8080/ocsp"]
    templates: [WebServer]
)";

constexpr std::size_t kKnownCerts = 3;  // good, revoked, on hold
constexpr std::size_t kSerialOctets = 16;
constexpr unsigned char kKeyHashPlaceholder = 0xA5;
constexpr unsigned char kSerialPlaceholder = 0x5A;

struct Known {
    Bytes serial_octets;  // INTEGER content, kSerialOctets long
    std::string serial;   // as the store keeps it
    int status = V_OCSP_CERTSTATUS_GOOD;
};

Bytes key_hash(const X509* cert, const EVP_MD* md) {
    const ASN1_BIT_STRING* key = X509_get0_pubkey_bitstr(cert);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (key == nullptr || EVP_Digest(key->data, static_cast<std::size_t>(key->length), out, &len, md, nullptr) != 1)
        fuzz::finding("set-up", "hashing the issuing CA key");
    return Bytes(out, out + len);
}

Bytes name_hash(const X509* cert, const EVP_MD* md) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_NAME_digest(X509_get_subject_name(cert), md, out, &len) != 1)
        fuzz::finding("set-up", "hashing the issuing CA name");
    return Bytes(out, out + len);
}

// The lab, its responder and what the checks need to know about it, for the whole run.
class FuzzLab {
public:
    FuzzLab() : clock_(std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours{12}) {
        std::string tmpl = (fs::temp_directory_path() / "pkilab-fuzz-ocsp-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr) fuzz::finding("set-up", "mkdtemp");
        dir_ = tmpl;
        std::ofstream(dir_ / "lab.yaml") << kLab;
        lab_up(dir_ / "state", dir_ / "lab.yaml", clock_);
        lab_ = Lab::open(dir_ / "state", clock_);
        const X509* issuing = lab_->ca("fuzz-issuing").certificate();
        sha1_key_ = key_hash(issuing, EVP_sha1());
        sha256_key_ = key_hash(issuing, EVP_sha256());
        sha1_name_ = name_hash(issuing, EVP_sha1());
        sha256_name_ = name_hash(issuing, EVP_sha256());
        issue_known();
        responder_ = std::make_unique<crl::OcspResponder>(*lab_);

        store_.reset(X509_STORE_new());
        untrusted_.reset(sk_X509_new_null());
        if (!store_ || !untrusted_ ||
            X509_STORE_add_cert(store_.get(), const_cast<X509*>(lab_->ca("fuzz-root").certificate())) != 1 ||
            sk_X509_push(untrusted_.get(), X509_dup(issuing)) <= 0)
            fuzz::finding("set-up", "the verification store");
        ERR_clear_error();
    }
    ~FuzzLab() {
        responder_.reset();
        lab_.reset();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    FuzzLab(const FuzzLab&) = delete;
    FuzzLab& operator=(const FuzzLab&) = delete;

    const crl::OcspResponder& responder() const { return *responder_; }
    Time now() const { return clock_.now(); }
    X509_STORE* store() const { return store_.get(); }
    STACK_OF(X509) * untrusted() const { return untrusted_.get(); }

    // The placeholders of the seed corpus replaced with this lab's key hashes and serials.
    void substitute(Bytes& b) const {
        replace_runs(b, Bytes(32, kKeyHashPlaceholder), sha256_key_);  // before the SHA-1 run it contains
        replace_runs(b, Bytes(20, kKeyHashPlaceholder), sha1_key_);
        for (std::size_t k = 0; k < known_.size(); ++k) {
            Bytes placeholder(kSerialOctets, kSerialPlaceholder);
            placeholder.back() = static_cast<unsigned char>(k);
            replace_runs(b, placeholder, known_[k].serial_octets);
        }
    }

    // The status the lab holds for a CertID of its issuing CA, if it is one it knows.
    std::optional<int> expected_status(const OCSP_CERTID* id) const {
        ASN1_OCTET_STRING *nh = nullptr, *kh = nullptr;
        ASN1_OBJECT* md = nullptr;
        ASN1_INTEGER* serial = nullptr;
        if (OCSP_id_get0_info(&nh, &md, &kh, &serial, const_cast<OCSP_CERTID*>(id)) != 1) return std::nullopt;
        const int nid = OBJ_obj2nid(md);
        const Bytes* want_name = nid == NID_sha1 ? &sha1_name_ : nid == NID_sha256 ? &sha256_name_ : nullptr;
        const Bytes* want_key = nid == NID_sha1 ? &sha1_key_ : nid == NID_sha256 ? &sha256_key_ : nullptr;
        if (want_name == nullptr || !same(nh, *want_name) || !same(kh, *want_key)) return std::nullopt;
        const std::string key = crl::serial_key(serial);
        for (const auto& k : known_)
            if (k.serial == key) return k.status;
        return std::nullopt;
    }

private:
    static bool same(const ASN1_OCTET_STRING* s, const Bytes& b) {
        return s != nullptr && static_cast<std::size_t>(ASN1_STRING_length(s)) == b.size() &&
               std::equal(b.begin(), b.end(), ASN1_STRING_get0_data(s));
    }

    static void replace_runs(Bytes& b, const Bytes& from, const Bytes& to) {
        if (from.size() != to.size()) return;
        for (auto it = std::search(b.begin(), b.end(), from.begin(), from.end()); it != b.end();
             it = std::search(it + static_cast<std::ptrdiff_t>(to.size()), b.end(), from.begin(), from.end()))
            std::copy(to.begin(), to.end(), it);
    }

    // Certificates whose serial INTEGER has exactly kSerialOctets content octets, so that a
    // placeholder can stand for it without changing any DER length.
    void issue_known() {
        const Requester who{"fuzz", "enrollee", "cli"};
        for (int attempt = 0; known_.size() < kKnownCerts && attempt < 200; ++attempt) {
            ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
            const std::string host = "host" + std::to_string(attempt) + ".fuzz.test";
            const Bytes csr = csr_to_der(make_csr(key.get(), "CN=" + host, {GeneralName{NameType::Dns, host}}).get());
            const IssuanceOutcome o = submit(lab_->context(), EnrollmentRequest{"WebServer", "fuzz-issuing", csr, who});
            if (!o.certificate) fuzz::finding("set-up", "a certificate was not issued: " + o.disposition);
            ossl::X509Ptr cert = parse_certificate(o.certificate->der, "issued");
            const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
            if (ASN1_STRING_length(serial) != static_cast<int>(kSerialOctets)) continue;
            Known k;
            k.serial_octets.assign(ASN1_STRING_get0_data(serial), ASN1_STRING_get0_data(serial) + kSerialOctets);
            k.serial = o.certificate->serial;
            known_.push_back(std::move(k));
        }
        if (known_.size() < kKnownCerts) fuzz::finding("set-up", "no serials of the expected length");
        revoke(lab_->context(), known_[1].serial, RevocationReason::KeyCompromise, who, std::nullopt, "fuzz-issuing");
        known_[1].status = V_OCSP_CERTSTATUS_REVOKED;
        hold(lab_->context(), known_[2].serial, who, "fuzz-issuing");
        known_[2].status = V_OCSP_CERTSTATUS_REVOKED;  // certificateHold
    }

    FixedClock clock_;
    fs::path dir_;
    std::unique_ptr<Lab> lab_;
    std::unique_ptr<crl::OcspResponder> responder_;
    std::vector<Known> known_;
    Bytes sha1_key_, sha256_key_, sha1_name_, sha256_name_;
    ossl::Ptr<X509_STORE, X509_STORE_free> store_;
    struct StackFree {
        void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
    };
    std::unique_ptr<STACK_OF(X509), StackFree> untrusted_;
};

const FuzzLab& fuzz_lab() {
    static const FuzzLab lab;  // on first use: the replay runner calls no LLVMFuzzerInitialize
    return lab;
}

void check_parsed(const crl::ParsedOcspRequest& req) {
    fuzz::require(!req.certs.empty() && req.certs.size() <= crl::kMaxCertIdsPerRequest, "1 to 32 CertIDs");
    fuzz::require(static_cast<std::size_t>(OCSP_request_onereq_count(req.request.get())) == req.certs.size(),
                  "one RequestedCert per CertID");
    for (const auto& c : req.certs) {
        fuzz::require(c.id != nullptr, "a CertID");
        fuzz::require(c.serial.size() % 2 == 0 && c.serial.size() <= 42, "a serial key is whole octets, at most 21");
        fuzz::require(c.serial.find_first_not_of("0123456789abcdef") == std::string::npos, "a serial key is lower-case hex");
    }
}

void check_response(const FuzzLab& lab, const std::optional<crl::ParsedOcspRequest>& req,
                    const crl::OcspResponder::Reply& reply) {
    const Bytes& der = reply.der;
    const unsigned char* p = der.data();
    ossl::Ptr<OCSP_RESPONSE, OCSP_RESPONSE_free> resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    fuzz::require(resp != nullptr && p == der.data() + der.size(), "the answer is exactly one OCSPResponse");
    const int status = OCSP_response_status(resp.get());
    fuzz::require(status == reply.status, "the reply's status is the response's");
    fuzz::require(reply.next_update.has_value() == (status == OCSP_RESPONSE_STATUS_SUCCESSFUL),
                  "a successful reply, and only one, has a nextUpdate");
    if (!req) {
        fuzz::require(status == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, "a request that does not parse is malformed");
        return;
    }
    if (status == OCSP_RESPONSE_STATUS_INTERNALERROR) fuzz::finding("internalError", "for a request that parses");
    fuzz::require(status == OCSP_RESPONSE_STATUS_SUCCESSFUL || status == OCSP_RESPONSE_STATUS_UNAUTHORIZED,
                  "a request that parses is answered or unauthorized");
    if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL) return;
    ossl::Ptr<OCSP_BASICRESP, OCSP_BASICRESP_free> basic(OCSP_response_get1_basic(resp.get()));
    fuzz::require(basic != nullptr, "a successful answer is a BasicOCSPResponse");
    // OpenSSL refuses a delegated responder's answer whose CertIDs name different issuers
    // (ocsp_check_ids), which RFC 6960 allows and the responder gives (the others are unknown to
    // it): then only the signature and the signer's chain are checked.
    bool one_issuer = true;
    for (const auto& c : req->certs) one_issuer = one_issuer && OCSP_id_issuer_cmp(req->certs.front().id, c.id) == 0;
    fuzz::require(OCSP_basic_verify(basic.get(), lab.untrusted(), lab.store(), one_issuer ? 0 : OCSP_NOCHECKS) == 1,
                  "the answer is signed by a responder of the lab");
    fuzz::require(static_cast<std::size_t>(OCSP_resp_count(basic.get())) == req->certs.size(), "one answer per CertID");
    if (req->nonce) fuzz::require(OCSP_check_nonce(req->request.get(), basic.get()) == 1, "the nonce is echoed");
    for (int i = 0; i < OCSP_resp_count(basic.get()); ++i) {
        OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), i);
        const int got = OCSP_single_get0_status(single, nullptr, nullptr, nullptr, nullptr);
        if (const std::optional<int> want = lab.expected_status(OCSP_SINGLERESP_get0_id(single)))
            fuzz::require(got == *want, "a known certificate has the status the lab holds");
    }
    for (int i = 0; i < OCSP_resp_count(basic.get()); ++i) {
        ASN1_GENERALIZEDTIME* next = nullptr;
        OCSP_single_get0_status(OCSP_resp_get0(basic.get(), i), nullptr, nullptr, nullptr, &next);
        fuzz::require(next != nullptr && from_asn1_time(next) == *reply.next_update,
                      "the reply's nextUpdate is each answer's");
    }
    fuzz::require(web::ocsp_cache_control(status, reply.next_update, lab.now()).starts_with("max-age="),
                  "a GET answer may be cached until its nextUpdate");
}

void exercise(const FuzzLab& lab, Bytes der) {
    lab.substitute(der);
    std::optional<crl::ParsedOcspRequest> req;
    try {
        req = crl::parse_ocsp_request(der);
    } catch (const std::exception& e) {
        fuzz::finding("parse_ocsp_request threw", e.what());
    }
    if (req) check_parsed(*req);
    // respond() catches everything itself; what it answers is checked, including internalError.
    check_response(lab, req, lab.responder().answer(der));
    ERR_clear_error();
}

}  // namespace
}  // namespace pkilab

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pkilab;
    const FuzzLab& lab = fuzz_lab();
    const ByteView input(data, size);
    // POST: the body as it came.
    exercise(lab, Bytes(input.begin(), input.end()));
    // GET: the same bytes as the path after "/ocsp/" (percent-decoding is the server's).
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    Bytes decoded;
    try {
        decoded = web::decode_ocsp_get(text);
    } catch (const std::exception& e) {
        fuzz::finding("decode_ocsp_get threw", e.what());
    }
    if (!decoded.empty()) {
        fuzz::require(web::decode_ocsp_get(base64_encode(decoded)) == decoded, "base64 round trip");
        exercise(lab, std::move(decoded));
    }
    return 0;
}
