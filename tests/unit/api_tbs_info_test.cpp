// The preflight's certificate: the to-be-signed part the pipeline builds, described as the
// certificate it becomes once signed.
#include <gtest/gtest.h>

#include "ca/errors.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/x509/pem.hpp"
#include "lab_fixture.hpp"
#include "webenroll/api/tbs_info.hpp"

namespace pkilab::web {
namespace {

using test::dns;
using test::ec_csr;
using test::LabFixture;

TEST(ApiTbsInfo, TheDraftReadsAsTheCertificateItBecomes) {
    LabFixture fx;
    const Bytes csr = ec_csr("CN=draft.lab.test", {dns("draft.lab.test"), dns("alt.lab.test")});
    const Requester who{"alice", "enrollee", "rest"};
    const Evaluation e = evaluate(fx.ctx(), {"WebServer", "", csr, who});
    ASSERT_FALSE(e.tbs_der.empty());
    const CertificateInfo draft = describe_tbs(e.tbs_der);

    const IssuanceOutcome o = submit(fx.ctx(), {"WebServer", "", csr, who});
    ASSERT_TRUE(o.certificate);
    ossl::X509Ptr cert = parse_certificate(o.certificate->der, "issued");
    const CertificateInfo issued = describe_certificate(cert.get());

    EXPECT_EQ(draft.subject, issued.subject);
    EXPECT_EQ(draft.issuer, issued.issuer);
    EXPECT_EQ(draft.sans, issued.sans);
    EXPECT_EQ(draft.not_before, issued.not_before);  // the fixture's clock does not move
    EXPECT_EQ(draft.not_after, issued.not_after);
    EXPECT_EQ(draft.key.description, issued.key.description);
    EXPECT_EQ(draft.signature_algorithm, issued.signature_algorithm);
    EXPECT_EQ(draft.key_usage, issued.key_usage);
    EXPECT_EQ(draft.extended_key_usage, issued.extended_key_usage);
    EXPECT_EQ(draft.crl_urls, issued.crl_urls);
    EXPECT_EQ(draft.ocsp_urls, issued.ocsp_urls);
    EXPECT_EQ(draft.authority_key_id, issued.authority_key_id);
    ASSERT_EQ(draft.extensions.size(), issued.extensions.size());
    for (size_t i = 0; i < draft.extensions.size(); ++i) EXPECT_EQ(draft.extensions[i].oid, issued.extensions[i].oid);
    EXPECT_TRUE(draft.sha256_fingerprint.empty());  // nothing was signed
}

TEST(ApiTbsInfo, BytesThatAreNotATbsCertificateAreOurFault) {
    EXPECT_THROW(describe_tbs(Bytes{0x30, 0x00}), InternalError);
    EXPECT_THROW(describe_tbs(Bytes{0x04, 0x01, 0x00}), InternalError);
    EXPECT_THROW(describe_tbs(Bytes{}), InternalError);
}

}  // namespace
}  // namespace pkilab::web
