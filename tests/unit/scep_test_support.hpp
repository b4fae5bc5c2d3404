#pragma once
// SCEP clients for the unit tests and the fuzz corpus: a key, its self-signed certificate and
// CSRs with a challenge password, as certmonger and devices make them.
#include <string>

#include <openssl/x509.h>

#include "ca/keys/key.hpp"
#include "ca/x509/csr.hpp"
#include "test_cert_builder.hpp"
#include "webenroll/scep/scep_message.hpp"

namespace pkilab::test {

struct ScepClient {
    ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Rsa, 2048, ""});
    ossl::X509Ptr cert;

    explicit ScepClient(const std::string& cn, Time now) {
        CertSpec spec;
        spec.subject = "CN=" + cn;
        spec.not_before = now - std::chrono::hours{1};
        spec.not_after = now + std::chrono::hours{24};
        spec.key = key.get();
        cert = build_cert(spec);
    }

    Bytes csr(const std::string& subject, const std::string& challenge, std::vector<GeneralName> sans = {}) const {
        ossl::X509ReqPtr req = make_csr(key.get(), subject, sans);
        if (!challenge.empty())
            must(X509_REQ_add1_attr_by_NID(req.get(), NID_pkcs9_challengePassword, MBSTRING_ASC,
                                           reinterpret_cast<const unsigned char*>(challenge.data()),
                                           static_cast<int>(challenge.size())), "challengePassword");
        must(X509_REQ_sign(req.get(), key.get(), EVP_sha256()), "re-signing the CSR");
        return csr_to_der(req.get());
    }

    Bytes message(scep::MessageType type, ByteView content, const std::string& transaction_id, const X509* ra,
                  Time now, const EVP_CIPHER* cipher = EVP_aes_256_cbc()) const {
        return scep::write_pki_message(type, content, transaction_id, scep::random_nonce(), cert.get(), key.get(), ra,
                                       cipher, now);
    }
};

}  // namespace pkilab::test
