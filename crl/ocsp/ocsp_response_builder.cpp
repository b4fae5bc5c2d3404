#include "crl/ocsp/ocsp_response_builder.hpp"

#include <algorithm>
#include <ctime>

#include "ca/ossl/error.hpp"
#include "ca/x509/certificate_info.hpp"

namespace pkilab::crl {

namespace {

std::time_t to_time_t(Time t) { return static_cast<std::time_t>(t.time_since_epoch().count()); }

Bytes encode(OCSP_RESPONSE* response) {
    unsigned char* der = nullptr;
    const int len = i2d_OCSP_RESPONSE(response, &der);
    ossl::OsslBytesPtr owned(der);
    if (len <= 0) ossl::throw_error("encoding the OCSP response");
    return Bytes(der, der + len);
}

void add_answer(OCSP_BASICRESP* basic, const SingleAnswer& a, const ASN1_TIME* this_update,
                const ASN1_TIME* next_update) {
    int status = V_OCSP_CERTSTATUS_UNKNOWN;
    int reason = OCSP_REVOKED_STATUS_NOSTATUS;
    ossl::Asn1TimePtr revoked_at;
    if (a.state.kind == CertState::Kind::Good) status = V_OCSP_CERTSTATUS_GOOD;
    if (a.state.kind == CertState::Kind::Revoked) {
        status = V_OCSP_CERTSTATUS_REVOKED;
        // RFC 5280 5.3.1: unspecified is better left out than written.
        if (a.state.reason != RevocationReason::Unspecified) reason = static_cast<int>(a.state.reason);
        revoked_at = to_asn1_time(a.state.revoked_at);
    }
    // OpenSSL wants non-const times but copies them.
    OCSP_SINGLERESP* single =
        OCSP_basic_add1_status(basic, a.id, status, reason, revoked_at.get(), const_cast<ASN1_TIME*>(this_update),
                               const_cast<ASN1_TIME*>(next_update));
    ossl::check(single, "adding a status to the OCSP response");
    if (a.state.kind == CertState::Kind::Revoked && a.state.invalidity_date) {
        // RFC 6960 4.4.5: CRL entry extensions serve as singleExtensions too.
        ossl::Asn1GeneralizedTimePtr when(
            ossl::check(ASN1_GENERALIZEDTIME_set(nullptr, to_time_t(*a.state.invalidity_date)), "invalidity date"));
        ossl::check(OCSP_SINGLERESP_add1_ext_i2d(single, NID_invalidity_date, when.get(), 0, 0),
                    "adding the invalidity date");
    }
}

}  // namespace

CertState CertState::from_record(const CertificateRecord& record) {
    CertState s;
    s.kind = record.status == CertStatus::Valid ? Kind::Good : Kind::Revoked;
    if (record.status != CertStatus::Valid && record.revocation) {
        s.reason = record.status == CertStatus::OnHold ? RevocationReason::CertificateHold : record.revocation->reason;
        s.revoked_at = record.revocation->revoked_at;
        s.invalidity_date = record.revocation->invalidity_date;
    }
    return s;
}

SignedResponse build_response(const OcspSigner& signer, std::span<const SingleAnswer> answers,
                              const OCSP_REQUEST* nonce_from, Time now, Duration validity) {
    SignedResponse out;
    out.this_update = now;
    out.next_update = std::min(now + validity, signer.not_after());
    if (out.next_update <= now) out.next_update = now + Duration{1};  // an expired signer still says something
    const ossl::Asn1TimePtr this_update = to_asn1_time(out.this_update);
    const ossl::Asn1TimePtr next_update = to_asn1_time(out.next_update);

    ossl::OcspBasicRespPtr basic(ossl::check(OCSP_BASICRESP_new(), "OCSP_BASICRESP_new"));
    for (const auto& a : answers) add_answer(basic.get(), a, this_update.get(), next_update.get());
    if (nonce_from != nullptr)
        ossl::check(OCSP_copy_nonce(basic.get(), const_cast<OCSP_REQUEST*>(nonce_from)), "echoing the nonce");
    // OpenSSL has no setter for producedAt, only a const getter; the object is ours to change.
    auto* produced = const_cast<ASN1_GENERALIZEDTIME*>(OCSP_resp_get0_produced_at(basic.get()));
    ossl::check(ASN1_GENERALIZEDTIME_set(produced, to_time_t(now)), "setting producedAt");
    signer.sign(basic.get());

    ossl::OcspResponsePtr response(
        ossl::check(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()), "OCSP_response_create"));
    out.der = encode(response.get());
    return out;
}

Bytes error_response(int status) {
    ossl::OcspResponsePtr response(ossl::check(OCSP_response_create(status, nullptr), "OCSP_response_create"));
    return encode(response.get());
}

}  // namespace pkilab::crl
