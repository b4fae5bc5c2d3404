#include "bench/http/csr_pool.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <exception>
#include <stdexcept>

#include "ca/keys/key.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/pem.hpp"

namespace pkilab::bench {

CsrPool make_csr_pool(int count) {
    CsrPool pool;
    for (int i = 0; i < count; ++i) {
        ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
        const std::string host = "host" + std::to_string(i) + ".bench.test";
        ossl::X509ReqPtr req = make_csr(key.get(), "CN=" + host, {GeneralName{NameType::Dns, host}});
        pool.pem.push_back(csr_to_pem(req.get()));
        // The public half alone, from the request as a server reads it.
        pool.keys.emplace_back(X509_REQ_get_pubkey(req.get()));
        if (!pool.keys.back()) throw std::runtime_error("a CSR without a readable key");
    }
    return pool;
}

std::string check_certificate(const std::string& certificate, const EVP_PKEY* key, const std::string& serial) {
    ossl::X509Ptr cert;
    try {
        cert = parse_certificate(as_bytes(certificate), "certificate");
    } catch (const std::exception& e) {
        return std::string("the certificate does not parse: ") + e.what();
    }
    const EVP_PKEY* got = X509_get0_pubkey(cert.get());
    if (got == nullptr || EVP_PKEY_eq(got, key) != 1) {
        ERR_clear_error();
        return "the certificate's public key is not the CSR's";
    }
    if (!serial.empty() && serial_to_hex(X509_get0_serialNumber(cert.get())) != serial)
        return "the certificate's serial is not the answer's \"serial\"";
    return {};
}

}  // namespace pkilab::bench
