#pragma once
// The requests every front end of the bench sends: P-256 CSRs made once, up front (the clients'
// key generation is not what is measured), sent round robin; and the full check of what came
// back for one of them.
#include <cstddef>
#include <string>
#include <vector>

#include "ca/ossl/ptr.hpp"

namespace pkilab::bench {

struct CsrPool {
    std::vector<std::string> pem;     // "-----BEGIN CERTIFICATE REQUEST-----..."
    std::vector<ossl::PkeyPtr> keys;  // the public key of each (the private key is dropped)
    std::size_t size() const { return pem.size(); }
};

// `count` requests for hostN.bench.test (CN and a DNS subjectAltName), each with its own key.
CsrPool make_csr_pool(int count);

// An issued certificate (PEM or DER) parses and carries `key`; and, when `serial` is not empty,
// that serial (lower-case hex, as the REST API writes it). Empty when right, else what is wrong.
std::string check_certificate(const std::string& certificate, const EVP_PKEY* key, const std::string& serial = {});

}  // namespace pkilab::bench
