// CRMF requests (RFC 4211 CertReqMsg, what CMP's ir, cr and kur carry) on hostile bytes: both
// decoders (OpenSSL's OSSL_CRMF_MSG and the views crmf_request.cpp declares to OpenSSL's ASN.1
// engine) must agree on what is a CertReqMsg, and what is accepted must read the same again.
// A mutated message almost never keeps a valid proof of possession, so each one that decodes is
// also given a fresh one with a fixed key, to reach the subject and extension checks after it.
#include <cstddef>
#include <cstdint>

#include <openssl/crmf.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "ca/ossl/ptr.hpp"
#include "ca/x509/crmf_request.hpp"
#include "ca/x509/csr.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace pkilab {
namespace {

using CrmfMsgPtr = ossl::Ptr<OSSL_CRMF_MSG, OSSL_CRMF_MSG_free>;

EVP_PKEY* popo_key() {
    static const ossl::PkeyPtr key(EVP_EC_gen("P-256"));
    return key.get();
}

void parse_and_exercise(ByteView input) {
    const bool crmf = is_crmf_request(input);
    fuzz::accepts([&] {
        const ParsedCsr csr = parse_certificate_request(input);
        if (!crmf) return;
        fuzz::require(csr.der.size() == input.size(), "a CertReqMsg is not kept as sent");
        fuzz::require(EVP_PKEY_eq(X509_REQ_get0_pubkey(csr.req.get()), csr.public_key.get()) == 1,
                      "the request's key differs from the template's");
        const ParsedCsr again = parse_crmf_request(csr.der);
        fuzz::require(again.subject == csr.subject && again.sans == csr.sans, "re-parse gives other fields");
    });
}

void with_fresh_popo(ByteView input) {
    const unsigned char* p = input.data();
    CrmfMsgPtr msg(d2i_OSSL_CRMF_MSG(nullptr, &p, static_cast<long>(input.size())));
    if (!msg) return;
    OSSL_CRMF_CERTTEMPLATE* tmpl = OSSL_CRMF_MSG_get0_tmpl(msg.get());
    if (tmpl == nullptr || OSSL_CRMF_CERTTEMPLATE_fill(tmpl, popo_key(), nullptr, nullptr, nullptr) != 1) return;
    if (OSSL_CRMF_MSG_create_popo(OSSL_CRMF_POPO_SIGNATURE, msg.get(), popo_key(), EVP_sha256(), nullptr, nullptr) != 1)
        return;
    unsigned char* raw = nullptr;
    const int len = i2d_OSSL_CRMF_MSG(msg.get(), &raw);
    const ossl::OsslBytesPtr owned(raw);
    if (len <= 0) return;
    const ByteView signed_input(raw, static_cast<size_t>(len));
    fuzz::require(is_crmf_request(signed_input), "a CertReqMsg OpenSSL encoded is not recognised as one");
    parse_and_exercise(signed_input);
}

}  // namespace
}  // namespace pkilab

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const pkilab::ByteView input(data, size);
    pkilab::parse_and_exercise(input);
    pkilab::with_fresh_popo(input);
    ERR_clear_error();
    return 0;
}
