// A hostile SCEP PKIOperation body (webenroll/scep/scep_message.hpp) read by an RA, then answered.
// The RA's key and certificate are fixed (below; for fuzzing only), so that the seed corpus
// (built with write_pki_message for this RA) reaches the decryption and what follows it.
//
// Properties, on every input:
//  - no crash, only InputError for what cannot be answered;
//  - an accepted message has a transactionID of 1 to 256 characters and a senderNonce of 1 to 64
//    bytes, and either a problem (with a reason) or a non-empty decrypted content;
//  - the RA can always answer it: a FAILURE CertRep built from it reads back with the request's
//    transactionID, its nonce as recipientNonce, and the failInfo and text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <openssl/pem.h>

#include "ca/x509/csr.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "webenroll/scep/scep_message.hpp"

namespace pkilab {
namespace {

constexpr std::string_view kRaKey = R"(-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDau9WtEpTilHxa
pULwqvH0VBnTpeUOVQAQ1C/Q4k9dirJqaQbbDPOkedcLkNNvUgBklq85krgo3fq8
IbAQ0RHBlzXkRKbEHnRQHpy6sEi8gyv7oVsStK8S7NlRF4RYRek9oT/2N9fgQXef
4ONQA+QBuD/Gm6ogPyf/xN99n3pUQhCTtlQ+X1pOnOJ5mXwNYfh7zxx3GvhEfdS2
ifOObJPdXfo3OOisxD41mprDW84raDC8/fy4ieLGcwrI4Ui1K+bepiRi5yaUYCnJ
yFlf4y+Trad6xPg5tJP4nYcwbRFN2juGzskWZbuHbqXvh1g5GPBdPLrjhTL3Z04g
v4yfjRqTAgMBAAECggEACBQc6bYAerfaOezVopbltczvYUJEyfk4teZoV7IsFTvc
qBJ19twtGXuIhjxUms1wB0cLdLhnBddg/dbOrmhSXBCOJH6mnCK10Am5ZynAnfnI
Q5RrjS7QMoY95oFUWYBHg4ezmY/pcLZqSSTgsGFcZ/XaoSa5q1Q50Xf/ex/LQFZY
zT3VzHHwQUkJAaDz6s/w+wns7FOGtpsnf/bB8wxEUoMN05EnlmXKQ7s5TNVbd7k8
TUo2kK5lVL8wuLq/JsLIMuiaQJBtQ5JxKqbYwGlMPfMMyN66enUp+DWnYRB1TMQ8
AnzpNXM3ilopeTSIbNmqHxIzhY2E2WTzuqjAUlDWsQKBgQD6mLF2kfcjG3ZU89dc
q4I1dW/nywUmwQxaAJbHdDgfv+KDHFnrnDq0WB3t/SpLcdP0Zb5pBHcXsNxXnSyF
F2CwY04YFLdE5lrZ5Q1vIRnEnGQ+i/zNxyLyPp61HrTyDJ12X9cDixTYwPC3aRok
oErWMNztPysenO6JC7EbaOw7MQKBgQDfc0HjFzPyiSiIDvAE3E9dLU1+kvjIPsOX
4488Mu49kJDYti+48pD6Sg3icWhRKpDLs0LD48banc8700qXJGJ1ZAtMwCDGjTZc
aqACLGD13CCqkTufWWHVneb2Kg/d+aHMNv/XfFu6Qr4K78QgCwUaJf6LTTLaCLze
S4bNiaK5AwKBgCrWXUe6jfeXYzQEduUlgF2pFJcYEmpch8L+5Md1q35p68uj1g87
pqFbiso7A7bf326g0drb44vONOxZNtoNc/7TCu984xNJGXC0AgbkLqZ4YX57qZx3
lRa586FcfWv/Eg/BNF0rskWXPc7sjYaDTCevNKTtrm5OP0x4Di90USWRAoGAQJKz
OKgM6AsA/oiqjg0IllmwKmLYqC2TIoKtcu0Y8gukACxuEBlxEhNyfbzeM46Ed4lf
QvLBFY5DQ/ukc5cdKOV3an+fOSG30u8xPE+M2Z/6hLAhtcQDxNKz2vF+0lwAiN5g
Auq6K1J8TvbJC6WDnPHb5G+zwVSDGA5lb2JV9vcCgYEAxzb4VdXrH6nAa5QtEvLG
cNj5Re7dsQ3gDo5TPugTvT6LXkz0LOqVqTkgfaWdGJcYri36gimg0G0YHsWhrvvs
NprkErNyVNJRpoW7DGT0qudurmsFfyD3thh4iS1Dv7GuBOT5iuoW7RiT8RFoC4Kh
tK0G3RxwQ0udh3IRs5gsjGg=
-----END PRIVATE KEY-----)";

constexpr std::string_view kRaCert = R"(-----BEGIN CERTIFICATE-----
MIIDITCCAgmgAwIBAgIUIQb6jEpJVlFa54ZiEHGj8R5STIcwDQYJKoZIhvcNAQEL
BQAwFzEVMBMGA1UEAwwMZnV6eiBTQ0VQIFJBMCAXDTI2MTIwMTE3MjYyNloYDzIx
MjYxMTA3MTcyNjI2WjAXMRUwEwYDVQQDDAxmdXp6IFNDRVAgUkEwggEiMA0GCSqG
SIb3DQEBAQUAA4IBDwAwggEKAoIBAQDau9WtEpTilHxapULwqvH0VBnTpeUOVQAQ
1C/Q4k9dirJqaQbbDPOkedcLkNNvUgBklq85krgo3fq8IbAQ0RHBlzXkRKbEHnRQ
Hpy6sEi8gyv7oVsStK8S7NlRF4RYRek9oT/2N9fgQXef4ONQA+QBuD/Gm6ogPyf/
xN99n3pUQhCTtlQ+X1pOnOJ5mXwNYfh7zxx3GvhEfdS2ifOObJPdXfo3OOisxD41
mprDW84raDC8/fy4ieLGcwrI4Ui1K+bepiRi5yaUYCnJyFlf4y+Trad6xPg5tJP4
nYcwbRFN2juGzskWZbuHbqXvh1g5GPBdPLrjhTL3Z04gv4yfjRqTAgMBAAGjYzBh
MB0GA1UdDgQWBBSiEpnRmHsFesYrk7+anyiI081yTzAfBgNVHSMEGDAWgBSiEpnR
mHsFesYrk7+anyiI081yTzAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIF
oDANBgkqhkiG9w0BAQsFAAOCAQEARgcsDxFkdvoZQ++/bVP0ab0cCY8qDk8ieCul
GYs16v4ebKO0/k2f5PmbwjhW8lHU1ktjNCyalba4kYAWPkjiryfrQSLp4ejiahO3
w54A5y4loHT5rpUCZkxXXEGcDUV0uJzTeiMvJsfbv1N2REfWIBzaqclgFCYHTCx2
CCb7Hhsjb3CcdFMAvcTa84nZ/B44CXxkfkCFBSziuAjTHNFlWIfROdOZnb2aCl/c
V4vksG87YmDRKb9qhsG+0HqWvp89huf5qhiIRdHsrhAy2uGFdpG+mLlepKwmgN4a
faHmtn+Gj1tTyk7EtLTe46KCDZ0l2fb/6j8idshNbiDWqOtTJA==
-----END CERTIFICATE-----)";

struct Ra {
    ossl::PkeyPtr key;
    ossl::X509Ptr cert;
    Ra() {
        ossl::BioPtr k(BIO_new_mem_buf(kRaKey.data(), static_cast<int>(kRaKey.size())));
        key.reset(PEM_read_bio_PrivateKey(k.get(), nullptr, nullptr, nullptr));
        ossl::BioPtr c(BIO_new_mem_buf(kRaCert.data(), static_cast<int>(kRaCert.size())));
        cert.reset(PEM_read_bio_X509(c.get(), nullptr, nullptr, nullptr));
        fuzz::require(key && cert, "the fixed RA key or certificate does not load");
    }
};

const Ra& ra() {
    static const Ra fixed;
    return fixed;
}

void exercise(ByteView input) {
    const scep::PkiMessage m = scep::read_pki_message(input, ra().cert.get(), ra().key.get());
    fuzz::require(!m.transaction_id.empty() && m.transaction_id.size() <= scep::kMaxTransactionIdBytes, "transactionID out of bounds");
    fuzz::require(!m.sender_nonce.empty() && m.sender_nonce.size() <= 64, "senderNonce out of bounds");
    fuzz::require(m.signer != nullptr, "no signer certificate");
    if (m.problem) {
        fuzz::require(!m.problem_text.empty(), "a problem without a reason");
    } else {
        fuzz::require(!m.content.empty(), "no problem and no content");
        fuzz::accepts([&] { (void)parse_csr(m.content); });
    }
    scep::CertRep rep;
    rep.status = scep::PkiStatus::Failure;
    rep.fail_info = m.problem.value_or(scep::FailInfo::BadRequest);
    rep.fail_text = m.problem_text.empty() ? "fuzz" : m.problem_text;
    rep.transaction_id = m.transaction_id;
    rep.recipient_nonce = m.sender_nonce;
    rep.sender_nonce = scep::random_nonce();
    const Bytes answer = scep::write_cert_rep(rep, ra().cert.get(), ra().key.get(), Time{std::chrono::seconds{1800000000}});
    const scep::ReadCertRep back = scep::read_cert_rep(answer, ra().cert.get(), nullptr, nullptr);
    fuzz::require(back.status == 2 && back.fail_info == static_cast<int>(rep.fail_info), "the answer's status does not read back");
    fuzz::require(back.transaction_id == m.transaction_id && back.recipient_nonce == m.sender_nonce,
                  "the answer does not echo the transactionID and nonce");
}

}  // namespace
}  // namespace pkilab

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    pkilab::fuzz::accepts([&] { pkilab::exercise(pkilab::ByteView(data, size)); });
    ERR_clear_error();
    return 0;
}
