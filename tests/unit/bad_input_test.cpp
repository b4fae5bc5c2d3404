// The bad-input suite: hostile requests through the whole pipeline (submit), each with the
// precise answer it must get: an InputError naming the field, or a denial naming the rule.
// Lab-file cases live in lab_config_test.cpp and template_yaml_test.cpp.
#include <gtest/gtest.h>

#include <openssl/pem.h>

#include "ca/errors.hpp"
#include "ca/ossl/error.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/x509/extensions.hpp"
#include "lab_fixture.hpp"

namespace pkilab::test {
namespace {

// Builds requests the way an attacker or a broken client might: through OpenSSL's API, so
// that every byte we do not deliberately break is well-formed.
class CsrBuilder {
public:
    explicit CsrBuilder(ossl::PkeyPtr key) : key_(std::move(key)), req_(X509_REQ_new()) {
        ossl::check(X509_REQ_set_pubkey(req_.get(), key_.get()), "set pubkey");
    }
    static CsrBuilder ec() { return CsrBuilder(generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"})); }

    CsrBuilder& subject_cn(std::string_view cn) {
        X509_NAME* name = X509_REQ_get_subject_name(req_.get());
        ossl::check(X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_ASC,
                                               reinterpret_cast<const unsigned char*>(cn.data()),
                                               static_cast<int>(cn.size()), -1, 0),
                    "add CN");
        return *this;
    }
    CsrBuilder& extension(ossl::X509ExtensionPtr ext) {
        exts_.push_back(std::move(ext));
        return *this;
    }
    CsrBuilder& dns_san_raw(std::string_view raw) {  // raw bytes, NULs included
        ossl::GeneralNamesPtr names(GENERAL_NAMES_new());
        GENERAL_NAME* gn = GENERAL_NAME_new();
        ASN1_IA5STRING* s = ASN1_IA5STRING_new();
        ASN1_STRING_set(s, raw.data(), static_cast<int>(raw.size()));
        GENERAL_NAME_set0_value(gn, GEN_DNS, s);
        sk_GENERAL_NAME_push(names.get(), gn);
        return extension(ossl::X509ExtensionPtr(X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get())));
    }
    Bytes der() {
        if (!exts_.empty()) {
            ossl::ExtensionStackPtr stack(sk_X509_EXTENSION_new_null());
            for (auto& e : exts_) sk_X509_EXTENSION_push(stack.get(), X509_EXTENSION_dup(e.get()));
            ossl::check(X509_REQ_add_extensions(req_.get(), stack.get()), "add extensions");
        }
        const EVP_MD* md = EVP_PKEY_is_a(key_.get(), "ED25519") ? nullptr : EVP_sha256();
        ossl::check(X509_REQ_sign(req_.get(), key_.get(), md), "sign");
        return csr_to_der(req_.get());
    }

private:
    ossl::PkeyPtr key_;
    ossl::X509ReqPtr req_;
    std::vector<ossl::X509ExtensionPtr> exts_;
};

Bytes good_csr() { return CsrBuilder::ec().subject_cn("ok.lab.test").extension(make_subject_alt_name({dns("ok.lab.test")}, false)).der(); }

ossl::PkeyPtr rsa_key_with_exponent(unsigned long e, int bits = 2048) {
    ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    ossl::check(EVP_PKEY_keygen_init(ctx.get()), "keygen init");
    ossl::check(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits), "bits");
    ossl::BignumPtr bn(BN_new());
    BN_set_word(bn.get(), e);
    ossl::check(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), bn.get()), "exponent");
    EVP_PKEY* key = nullptr;
    ossl::check(EVP_PKEY_generate(ctx.get(), &key), "generate");
    return ossl::PkeyPtr(key);
}

struct InputCase {
    const char* name;
    Bytes (*make)();
    const char* field;    // InputError::field()
    const char* problem;  // a distinctive part of InputError::problem()
};

const InputCase kInputCases[] = {
    {"bad_signature", [] { Bytes b = good_csr(); b[b.size() - 5] ^= 0x01; return b; }, "signature", "does not verify"},
    {"truncated_der", [] { Bytes b = good_csr(); b.resize(b.size() / 2); return b; }, "encoding", "does not parse"},
    {"trailing_bytes_after_der", [] { Bytes b = good_csr(); b.push_back(0x00); return b; }, "encoding", "bytes after the end"},
    {"trailing_garbage_after_pem", [] {
         ossl::X509ReqPtr r = [] { Bytes d = good_csr(); const unsigned char* p = d.data(); return ossl::X509ReqPtr(d2i_X509_REQ(nullptr, &p, static_cast<long>(d.size()))); }();
         std::string pem = csr_to_pem(r.get()) + "garbage";
         return Bytes(pem.begin(), pem.end()); }, "encoding", "after the PEM END line"},
    {"two_pem_blocks", [] {
         Bytes d = good_csr();
         const unsigned char* p = d.data();
         ossl::X509ReqPtr r(d2i_X509_REQ(nullptr, &p, static_cast<long>(d.size())));
         std::string pem = csr_to_pem(r.get()) + csr_to_pem(r.get());
         return Bytes(pem.begin(), pem.end()); }, "encoding", "more than one PEM block"},
    {"one_megabyte", [] { Bytes b = good_csr(); b.resize(1024 * 1024, 0x41); return b; }, "size", "over the limit"},
    {"empty", [] { return Bytes{}; }, "encoding", "empty"},
    {"a_certificate_not_a_request", [] {
         std::string pem = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
         return Bytes(pem.begin(), pem.end()); }, "encoding", "not a CERTIFICATE REQUEST"},
    {"random_bytes", [] { return Bytes{0x30, 0x82, 0xff, 0xff, 0x01, 0x02}; }, "encoding", "does not parse"},
    {"unknown_critical_extension", [] {
         ossl::Asn1ObjectPtr oid(OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1));
         ossl::Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
         const unsigned char null_der[] = {0x05, 0x00};
         ASN1_OCTET_STRING_set(value.get(), null_der, 2);
         return CsrBuilder::ec().subject_cn("x.lab.test")
             .extension(ossl::X509ExtensionPtr(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 1, value.get()))).der(); },
     "extensions.1.3.6.1.4.1.99999.1", "not understood"},
    {"duplicate_extension", [] {
         return CsrBuilder::ec().subject_cn("x.lab.test")
             .extension(make_subject_alt_name({dns("a.lab.test")}, false))
             .extension(make_subject_alt_name({dns("b.lab.test")}, false)).der(); },
     "extensions", "more than once"},
    {"nul_byte_in_dns_san", [] { return CsrBuilder::ec().subject_cn("x.lab.test").dns_san_raw(std::string("good.lab.test\0.evil.test", 24)).der(); },
     "extensions.subjectAltName", "NUL"},
    {"nul_byte_in_subject_cn", [] { return CsrBuilder::ec().subject_cn(std::string_view("www.lab.test\0.evil.test", 23)).der(); },
     "subject", "NUL"},
    {"dsa_key", [] {
         ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr));
         EVP_PKEY_paramgen_init(pctx.get());
         EVP_PKEY_CTX_set_dsa_paramgen_bits(pctx.get(), 2048);
         EVP_PKEY* params = nullptr;
         EVP_PKEY_paramgen(pctx.get(), &params);
         ossl::PkeyPtr p(params);
         ossl::PkeyCtxPtr kctx(EVP_PKEY_CTX_new_from_pkey(nullptr, p.get(), nullptr));
         EVP_PKEY_keygen_init(kctx.get());
         EVP_PKEY* key = nullptr;
         EVP_PKEY_keygen(kctx.get(), &key);
         return CsrBuilder(ossl::PkeyPtr(key)).subject_cn("dsa.lab.test").der(); },
     "key", "DSA"},
    {"unsupported_curve", [] {
         EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1");
         return CsrBuilder(ossl::PkeyPtr(key)).subject_cn("k1.lab.test").der(); },
     "key", "secp256k1"},
};

class BadInput : public ::testing::TestWithParam<InputCase> {};

TEST_P(BadInput, IsRefusedAsBadInputNamingTheField) {
    static LabFixture fx;  // one lab for the whole suite: these requests never reach the store
    const InputCase& c = GetParam();
    Bytes csr = c.make();
    try {
        submit(fx.ctx(), {"WebServer", "", csr, Requester{}});
        FAIL() << c.name << ": accepted";
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "CSR") << c.name;
        EXPECT_EQ(e.field(), c.field) << c.name << ": " << e.what();
        EXPECT_NE(e.problem().find(c.problem), std::string::npos) << c.name << ": " << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(Csr, BadInput, ::testing::ValuesIn(kInputCases),
                         [](const auto& test_case) { return std::string(test_case.param.name); });

// Requests that parse but that the CA must refuse: a denial naming the rule, never a certificate.
struct PolicyCase {
    const char* name;
    const char* template_name;
    Bytes (*make)();
    const char* code;
};

const PolicyCase kPolicyCases[] = {
    {"asks_for_ca_true", "WebServer", [] {
         return CsrBuilder::ec().subject_cn("ca.lab.test").extension(make_subject_alt_name({dns("ca.lab.test")}, false))
             .extension(make_basic_constraints(true, std::nullopt)).der(); },
     "template.basic_constraints.ca_requested"},
    {"rsa_exponent_3", "WebServer", [] {
         return CsrBuilder(rsa_key_with_exponent(3)).subject_cn("e3.lab.test").extension(make_subject_alt_name({dns("e3.lab.test")}, false)).der(); },
     "template.key.rsa_exponent"},
    {"rsa_1024", "WebServer", [] {
         return CsrBuilder(rsa_key_with_exponent(65537, 1024)).subject_cn("small.lab.test").extension(make_subject_alt_name({dns("small.lab.test")}, false)).der(); },
     "template.key.size"},
    {"ed25519_not_allowed", "WebServer", [] {
         return CsrBuilder(generate_key(KeySpec{KeyAlgorithm::Ed25519, 0, ""})).subject_cn("ed.lab.test").der(); },
     "template.key.algorithm"},
    {"uri_san_on_web_server", "WebServer", [] {
         return CsrBuilder::ec().subject_cn("u.lab.test").extension(make_subject_alt_name({GeneralName{NameType::Uri, "https://u.lab.test/"}}, false)).der(); },
     "template.san.type_not_allowed"},
    {"name_outside_template_pattern", "Fixed", [] {
         return CsrBuilder::ec().subject_cn("x").extension(make_subject_alt_name({dns("www.evil.test")}, false)).der(); },
     "template.san.pattern"},
    {"too_many_names_of_a_type", "Fixed", [] {
         return CsrBuilder::ec().subject_cn("x").extension(make_subject_alt_name({dns("a.lab.test"), dns("b.lab.test"), dns("c.lab.test")}, false)).der(); },
     "template.san.too_many"},
    {"empty_subject_and_no_san", "WebServer", [] { return CsrBuilder::ec().der(); }, "template.subject.empty"},
    {"dns_san_on_user_template", "User", [] {
         return CsrBuilder::ec().subject_cn("user").extension(make_subject_alt_name({dns("pc.lab.test")}, false)).der(); },
     "template.san.type_not_allowed"},
};

class PolicyRefusal : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(PolicyRefusal, IsDeniedNamingTheRule) {
    static LabFixture fx;
    const PolicyCase& c = GetParam();
    IssuanceOutcome o = submit(fx.ctx(), {c.template_name, "", c.make(), Requester{}});
    EXPECT_EQ(o.state, RequestState::Denied) << c.name;
    EXPECT_FALSE(o.certificate) << c.name;
    bool found = false;
    for (const auto& f : o.findings) found = found || f.code == c.code;
    EXPECT_TRUE(found) << c.name << ": expected " << c.code << "; disposition: " << o.disposition;
}

INSTANTIATE_TEST_SUITE_P(Csr, PolicyRefusal, ::testing::ValuesIn(kPolicyCases),
                         [](const auto& test_case) { return std::string(test_case.param.name); });

}  // namespace
}  // namespace pkilab::test
