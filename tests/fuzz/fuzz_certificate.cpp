// parse_certificate / parse_certificates on hostile bytes (one PEM or DER certificate, or a PEM
// bundle), then what the CLI and the store do with an accepted certificate: describe it,
// re-encode it, bundle it as PKCS#7, and lint it.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <openssl/x509.h>

#include "ca/lint/lint.hpp"
#include "ca/x509/certificate_info.hpp"
#include "ca/x509/name.hpp"
#include "ca/x509/pem.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace pkilab {
namespace {

void exercise(const X509* cert) {
    fuzz::accepts([&] {
        const CertificateInfo info = describe_certificate(cert);
        for (const GeneralName& san : info.sans) (void)to_string(san);
        (void)format_time(info.not_before);
        (void)format_time(info.not_after);
    });
    (void)format_dn(X509_get_subject_name(cert));
    (void)serial_to_hex(X509_get0_serialNumber(cert));
    fuzz::accepts([&] { (void)run_lint(LintContext{cert, nullptr}); });

    const Bytes der = certificate_der(cert);
    const bool again = fuzz::accepts([&] { (void)parse_certificate(der, "fuzz re-encoded"); });
    fuzz::require(again, "an accepted certificate is refused after certificate_der()");
    const std::string pem = certificate_pem(cert);
    const bool again_pem = fuzz::accepts([&] { (void)parse_certificate(as_bytes(pem), "fuzz re-encoded"); });
    fuzz::require(again_pem, "an accepted certificate is refused after certificate_pem()");
}

}  // namespace
}  // namespace pkilab

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pkilab;
    const ByteView input(data, size);
    fuzz::accepts([&] {
        ossl::X509Ptr cert = parse_certificate(input, "fuzz");
        exercise(cert.get());
    });
    fuzz::accepts([&] {
        std::vector<ossl::X509Ptr> certs = parse_certificates(input, "fuzz bundle");
        std::vector<const X509*> view;
        for (const auto& c : certs) view.push_back(c.get());
        if (view.size() > 1)
            for (const X509* c : view) (void)describe_certificate(c);
        const Bytes p7 = pkcs7_certs_only(view);
        (void)pkcs7_pem(p7);
    });
    ERR_clear_error();
    return 0;
}
