#include "crl/ocsp/ocsp_responder.hpp"

#include <atomic>
#include <mutex>
#include <unordered_map>

#include "ca/authority/lab.hpp"
#include "ca/errors.hpp"
#include "ca/x509/certificate_info.hpp"
#include "crl/ocsp/issuer_index.hpp"
#include "crl/ocsp/ocsp_request.hpp"
#include "crl/ocsp/ocsp_response_builder.hpp"
#include "crl/ocsp/responder_certificate.hpp"

namespace pkilab::crl {

namespace {

// Bounds the time one refresh spends signing; the rest waits for the next call, which is
// harmless since answers are re-signed with half their life left.
constexpr std::size_t kMaxResignsPerRefresh = 4096;

void bump(std::atomic<std::uint64_t>& n) { n.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

struct OcspResponder::Impl {
    Impl(const Lab& the_lab, ResponseCacheLimits limits)
        : lab(the_lab), issuers(the_lab.cas()), cache(the_lab.cas().size(), limits),
          malformed(error_response(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST)),
          unauthorized(error_response(OCSP_RESPONSE_STATUS_UNAUTHORIZED)),
          internal_error(error_response(OCSP_RESPONSE_STATUS_INTERNALERROR)) {
        for (const auto& ca : the_lab.cas()) {
            // Read before anything is cached: a change after this is seen by the first refresh.
            seen_seq.push_back(the_lab.store().status_sequence(ca.name()));
            keepers.push_back(std::make_unique<ResponderCertificate>(the_lab, ca));
        }
        refresh_problems.resize(the_lab.cas().size());
    }

    OcspResponder::Reply respond(ByteView der);
    OcspResponder::Reply respond_cached(const ParsedOcspRequest& req, std::size_t ca, Time now);
    CertState look_up(std::size_t ca, const std::string& serial) const;
    AnswerPtr sign_answer(std::size_t ca, Bytes certid, const CertState& state, Time now);
    void pick_up_status_changes(std::size_t ca, Time now);
    void resign_due(Time now);

    Duration validity(std::size_t ca) const { return lab.cas()[ca].config().ocsp.response_validity; }

    const Lab& lab;
    const IssuerIndex issuers;
    std::vector<std::unique_ptr<ResponderCertificate>> keepers;  // by CA position
    ResponseCache cache;
    const Bytes malformed;
    const Bytes unauthorized;
    const Bytes internal_error;

    std::mutex refresh_mutex;  // guards the two below
    std::vector<std::int64_t> seen_seq;
    std::vector<std::string> refresh_problems;

    std::atomic<std::uint64_t> requests{0}, hits{0}, signed_responses{0}, malformed_count{0}, unauthorized_count{0},
        internal_errors{0};
};

OcspResponder::Reply OcspResponder::Impl::respond(ByteView der) {
    bump(requests);
    const std::optional<ParsedOcspRequest> req = parse_ocsp_request(der);
    if (!req) {
        bump(malformed_count);
        return {malformed, OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, std::nullopt};
    }
    // One response has one signer: the CA of the first CertID this lab serves answers, and
    // CertIDs of other issuers in the same request are "unknown" to it (RFC 6960 2.2).
    std::vector<std::optional<std::size_t>> owners;
    owners.reserve(req->certs.size());
    std::optional<std::size_t> ca;
    for (const auto& c : req->certs) {
        owners.push_back(issuers.find(c.hash_nid, c.name_hash, c.key_hash));
        if (!ca) ca = owners.back();
    }
    if (!ca) {
        bump(unauthorized_count);
        return {unauthorized, OCSP_RESPONSE_STATUS_UNAUTHORIZED, std::nullopt};  // RFC 6960 2.3: not a responder for any of these
    }
    const Time now = lab.clock().now();
    if (req->certs.size() == 1 && !req->nonce) return respond_cached(*req, *ca, now);

    std::vector<SingleAnswer> answers;
    answers.reserve(req->certs.size());
    for (std::size_t i = 0; i < req->certs.size(); ++i)
        answers.push_back(SingleAnswer{req->certs[i].id, owners[i] == ca ? look_up(*ca, req->certs[i].serial) : CertState{}});
    const SignedResponse r = build_response(*keepers[*ca]->signer(), answers,
                                            req->nonce ? req->request.get() : nullptr, now, validity(*ca));
    bump(signed_responses);
    return {r.der, OCSP_RESPONSE_STATUS_SUCCESSFUL, r.next_update};
}

OcspResponder::Reply OcspResponder::Impl::respond_cached(const ParsedOcspRequest& req, std::size_t ca, Time now) {
    const RequestedCert& c = req.certs.front();
    Bytes certid = c.der;
    if (c.serial.empty()) {  // never issued
        const AnswerPtr a = sign_answer(ca, std::move(certid), CertState{}, now);
        return {a->response.der, OCSP_RESPONSE_STATUS_SUCCESSFUL, a->response.next_update};
    }
    const std::string key = cache_key(ca, c.hash_nid, c.serial);
    Reply out{{}, OCSP_RESPONSE_STATUS_SUCCESSFUL, std::nullopt};
    Time next_update{};
    if (cache.find(key, certid, now, out.der, next_update)) {
        bump(hits);
        out.next_update = next_update;
        return out;
    }
    const std::uint64_t epoch = cache.epoch(ca);  // before the store is read
    AnswerPtr answer = sign_answer(ca, std::move(certid), look_up(ca, c.serial), now);
    cache.insert(key, ca, c.serial, answer, epoch, now);
    return {answer->response.der, OCSP_RESPONSE_STATUS_SUCCESSFUL, answer->response.next_update};
}

CertState OcspResponder::Impl::look_up(std::size_t ca, const std::string& serial) const {
    if (serial.empty()) return {};
    const std::optional<CertificateRecord> record = lab.store().find_certificate(lab.cas()[ca].name(), serial);
    return record ? CertState::from_record(*record) : CertState{};
}

AnswerPtr OcspResponder::Impl::sign_answer(std::size_t ca, Bytes certid, const CertState& state, Time now) {
    const unsigned char* p = certid.data();
    ossl::OcspCertIdPtr id(d2i_OCSP_CERTID(nullptr, &p, static_cast<long>(certid.size())));
    if (!id) throw InternalError("a cached CertID does not decode");
    const SingleAnswer single{id.get(), state};
    auto answer = std::make_shared<CachedAnswer>();
    answer->response = build_response(*keepers[ca]->signer(), {&single, 1}, nullptr, now, validity(ca));
    answer->certid = std::move(certid);
    answer->state = state;
    bump(signed_responses);
    return answer;
}

void OcspResponder::Impl::pick_up_status_changes(std::size_t ca, Time now) {
    const std::string& name = lab.cas()[ca].name();
    const std::int64_t seq = lab.store().status_sequence(name);
    if (seq == seen_seq[ca]) return;
    std::unordered_map<std::string, CertState> changed;
    const RevocationScan scan = lab.store().scan_revocations(name, seen_seq[ca], Time{}, [&](const RevokedRow& row) {
        CertState s;
        s.kind = row.reason == RevocationReason::RemoveFromCrl ? CertState::Kind::Good : CertState::Kind::Revoked;
        if (s.kind == CertState::Kind::Revoked) {
            s.reason = row.reason;
            s.revoked_at = row.revoked_at;
            s.invalidity_date = row.invalidity_date;
        }
        changed.emplace(std::string(row.serial), s);
    });
    std::unordered_set<std::string> serials;
    for (const auto& [serial, state] : changed) serials.insert(serial);
    const std::vector<ResponseCache::Entry> dropped = cache.invalidate(ca, &serials);
    const std::uint64_t epoch = cache.epoch(ca);
    // Signed again at once, so that the hot path stays free of signing for them.
    for (const auto& e : dropped)
        cache.insert(e.key, ca, e.serial, sign_answer(ca, e.answer->certid, changed.at(e.serial), now), epoch, now);
    seen_seq[ca] = scan.status_seq;
}

void OcspResponder::Impl::resign_due(Time now) {
    for (const auto& e : cache.due(now, kMaxResignsPerRefresh))
        cache.replace(e, sign_answer(e.ca, e.answer->certid, e.answer->state, now));
}

OcspResponder::OcspResponder(const Lab& lab, ResponseCacheLimits limits)
    : impl_(std::make_unique<Impl>(lab, limits)) {}

OcspResponder::~OcspResponder() = default;

Bytes OcspResponder::respond(ByteView request_der) const { return answer(request_der).der; }

OcspResponder::Reply OcspResponder::answer(ByteView request_der) const {
    try {
        return impl_->respond(request_der);
    } catch (...) {
        // The store, a signature, memory: the client may try again; nothing else is said to it.
        bump(impl_->internal_errors);
        return {impl_->internal_error, OCSP_RESPONSE_STATUS_INTERNALERROR, std::nullopt};
    }
}

void OcspResponder::refresh() {
    Impl& d = *impl_;
    std::lock_guard lock(d.refresh_mutex);
    const Time now = d.lab.clock().now();
    for (std::size_t ca = 0; ca < d.keepers.size(); ++ca) {
        d.keepers[ca]->renew_if_due(now);
        try {
            d.pick_up_status_changes(ca, now);
            d.refresh_problems[ca].clear();
        } catch (const std::exception& e) {
            d.refresh_problems[ca] = std::string("reading status changes failed: ") + e.what();
        }
    }
    try {
        d.resign_due(now);
    } catch (const std::exception&) {
        // Signing failed; the answers stay valid until their nextUpdate and the next call tries again.
    }
}

std::vector<OcspSignerStatus> OcspResponder::signers() const {
    Impl& d = *impl_;
    std::vector<std::string> refresh_problems;
    {
        std::lock_guard lock(d.refresh_mutex);
        refresh_problems = d.refresh_problems;
    }
    std::vector<OcspSignerStatus> out;
    for (std::size_t ca = 0; ca < d.keepers.size(); ++ca) {
        const std::shared_ptr<const OcspSigner> signer = d.keepers[ca]->signer();
        OcspSignerStatus s;
        s.ca = d.lab.cas()[ca].name();
        s.delegated = signer->delegated();
        s.serial = serial_to_hex(X509_get0_serialNumber(signer->certificate()));
        s.not_after = signer->not_after();
        if (signer->delegated())
            s.certificate_file = ResponderCertificate::folder(d.lab, d.lab.cas()[ca]) / "responder.pem";
        s.problem = d.keepers[ca]->problem();
        if (!refresh_problems[ca].empty()) s.problem += (s.problem.empty() ? "" : "; ") + refresh_problems[ca];
        out.push_back(std::move(s));
    }
    return out;
}

OcspCounters OcspResponder::counters() const {
    const Impl& d = *impl_;
    OcspCounters c;
    c.requests = d.requests.load(std::memory_order_relaxed);
    c.cache_hits = d.hits.load(std::memory_order_relaxed);
    c.signed_responses = d.signed_responses.load(std::memory_order_relaxed);
    c.malformed = d.malformed_count.load(std::memory_order_relaxed);
    c.unauthorized = d.unauthorized_count.load(std::memory_order_relaxed);
    c.internal_errors = d.internal_errors.load(std::memory_order_relaxed);
    c.cache = d.cache.stats();
    return c;
}

}  // namespace pkilab::crl
