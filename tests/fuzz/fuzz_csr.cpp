// parse_csr on hostile bytes (PEM or DER), and everything a caller does with what it accepts.
// A mutated request almost never keeps a valid self-signature, so each DER input that decodes
// is also re-signed with a fixed Ed25519 key: that lets the fuzzer reach the subject, extension
// and attribute checks that come after proof of possession.
#include <cstddef>
#include <cstdint>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ca/ossl/ptr.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/name.hpp"
#include "ca/x509/spki_key.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace pkilab {
namespace {

const EVP_PKEY* resigning_key() {
    static const ossl::PkeyPtr key = [] {
        const unsigned char seed[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                        17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
        return ossl::PkeyPtr(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed, sizeof seed));
    }();
    return key.get();
}

void exercise(const ParsedCsr& csr) {
    const X509_NAME* subject = X509_REQ_get_subject_name(csr.req.get());
    fuzz::require(format_dn(subject) == csr.subject, "format_dn(subject) differs from ParsedCsr::subject");
    (void)dn_values(subject, NID_commonName);
    const KeyInfo key = describe_key(csr.public_key.get());
    fuzz::require(key.description == csr.key.description, "describe_key differs from ParsedCsr::key");
    // The fast key import must agree with OpenSSL's decoder on every key it accepts.
    unsigned char* spki = nullptr;
    const int spki_len = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(csr.req.get()), &spki);
    fuzz::require(spki_len > 0, "the request's SPKI does not encode");
    const ossl::OsslBytesPtr spki_owned(spki);
    const ossl::PkeyPtr reference = public_key_by_decoder(ByteView(spki, static_cast<size_t>(spki_len)));
    fuzz::require(reference && EVP_PKEY_eq(reference.get(), csr.public_key.get()) == 1,
                  "the imported key differs from the one d2i_PUBKEY decodes");
    for (const GeneralName& san : csr.sans) {
        const std::string text = to_string(san);
        // The pipeline validates requested names later; a refusal here is normal, a fault is not.
        fuzz::accepts([&] { validate_general_name(san, "fuzz"); });
        fuzz::accepts([&] { (void)parse_general_name(text, "fuzz"); });
        fuzz::accepts([&] {
            ossl::GeneralNamePtr native = to_openssl(san);
            fuzz::require(from_openssl(native.get(), "fuzz") == san, "SAN does not survive to_openssl/from_openssl: " + text);
        });
    }
    for (const RequestedExtension& ext : csr.extensions) fuzz::require(!ext.oid.empty(), "extension without OID");

    // What was accepted once must be accepted again, in either encoding. (The DER may differ
    // from the input's: OpenSSL re-encodes the outer SEQUENCE, so BER lengths get normalised.)
    const Bytes der = csr_to_der(csr.req.get());
    const std::string pem = csr_to_pem(csr.req.get());
    for (ByteView again : {ByteView(der), as_bytes(pem)}) {
        bool ok = fuzz::accepts([&] {
            ParsedCsr second = parse_csr(again);
            fuzz::require(second.subject == csr.subject && second.sans == csr.sans, "re-parse gives other fields");
        });
        fuzz::require(ok, "an accepted CSR is refused when parsed again");
    }
}

void parse_and_exercise(ByteView input) {
    fuzz::accepts([&] { exercise(parse_csr(input)); });
}

void resign_and_parse(ByteView input) {
    const unsigned char* p = input.data();
    ossl::X509ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(input.size())));
    EVP_PKEY* key = const_cast<EVP_PKEY*>(resigning_key());
    if (!req || key == nullptr) return;
    if (X509_REQ_set_pubkey(req.get(), key) != 1 || X509_REQ_sign(req.get(), key, nullptr) <= 0) return;
    unsigned char* raw = nullptr;
    const int len = i2d_X509_REQ(req.get(), &raw);
    ossl::OsslBytesPtr owned(raw);
    if (len <= 0) return;
    parse_and_exercise(ByteView(raw, static_cast<size_t>(len)));
}

}  // namespace
}  // namespace pkilab

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const pkilab::ByteView input(data, size);
    pkilab::parse_and_exercise(input);
    pkilab::resign_and_parse(input);
    ERR_clear_error();
    return 0;
}
