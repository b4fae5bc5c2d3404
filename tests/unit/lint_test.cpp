// Pre-issuance lint: a good chain passes, and each rule fires on a certificate that breaks it.
#include "ca/lint/lint.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>

#include "ca/keys/key.hpp"
#include "ca/x509/extensions.hpp"
#include "tests/unit/test_cert_builder.hpp"

namespace pkilab {
namespace {

struct Keys {
    ossl::PkeyPtr ca = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-384"});
    ossl::PkeyPtr ee = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    ossl::PkeyPtr rsa = generate_key(KeySpec{KeyAlgorithm::Rsa, 2048, ""});
    ossl::PkeyPtr ed = generate_key(KeySpec{KeyAlgorithm::Ed25519, 0, ""});
};

const Keys& keys() {
    static const Keys k;
    return k;
}

Bytes key_id(const EVP_PKEY* key) {
    ossl::X509Ptr holder(X509_new());
    X509_set_pubkey(holder.get(), const_cast<EVP_PKEY*>(key));
    return key_identifier(X509_get_X509_PUBKEY(holder.get()));
}

test::CertSpec root_spec() {
    test::CertSpec s;
    s.subject = "CN=Lab Root CA, O=Example Lab";
    s.serial = {0x42};
    s.not_before = parse_time("2026-01-01T00:00:00Z");
    s.not_after = parse_time("2036-01-01T00:00:00Z");
    s.key = keys().ca.get();
    s.extensions.push_back(make_basic_constraints(true, std::nullopt));
    s.extensions.push_back(make_key_usage({"keyCertSign", "cRLSign"}, true));
    s.extensions.push_back(make_subject_key_identifier(key_id(keys().ca.get())));
    return s;
}

const X509* root() {
    static const ossl::X509Ptr cert = [] {
        auto s = root_spec();
        return test::build_cert(s);
    }();
    return cert.get();
}

test::CertSpec leaf_spec(const EVP_PKEY* key = keys().ee.get()) {
    test::CertSpec s;
    s.subject = "CN=www.lab.test";
    s.issuer = "CN=Lab Root CA, O=Example Lab";
    s.serial = {0x12, 0x34, 0x56, 0x78};
    s.not_before = parse_time("2026-02-01T00:00:00Z");
    s.not_after = parse_time("2027-02-01T00:00:00Z");
    s.key = key;
    s.signer = keys().ca.get();
    s.extensions.push_back(make_basic_constraints(false, std::nullopt));
    s.extensions.push_back(make_key_usage({"digitalSignature"}, true));
    s.extensions.push_back(make_extended_key_usage({"serverAuth"}, false));
    s.extensions.push_back(make_subject_alt_name({{NameType::Dns, "www.lab.test"}}, false));
    s.extensions.push_back(make_subject_key_identifier(key_id(key)));
    s.extensions.push_back(make_authority_key_identifier(key_id(keys().ca.get())));
    return s;
}

void drop(test::CertSpec& s, int nid) {
    std::erase_if(s.extensions, [&](const ossl::X509ExtensionPtr& e) {
        return OBJ_obj2nid(X509_EXTENSION_get_object(e.get())) == nid;
    });
}

void replace(test::CertSpec& s, ossl::X509ExtensionPtr ext) {
    drop(s, OBJ_obj2nid(X509_EXTENSION_get_object(ext.get())));
    s.extensions.push_back(std::move(ext));
}

void set_critical(test::CertSpec& s, int nid, bool critical) {
    for (auto& e : s.extensions)
        if (OBJ_obj2nid(X509_EXTENSION_get_object(e.get())) == nid) X509_EXTENSION_set_critical(e.get(), critical);
}

std::vector<const Finding*> with_code(const Findings& fs, std::string_view code) {
    std::vector<const Finding*> out;
    for (const auto& f : fs)
        if (f.code == code) out.push_back(&f);
    return out;
}

std::string dump(const Findings& fs) {
    std::string s;
    for (const auto& f : fs) s += "  " + f.code + " [" + to_string(f.severity) + "] " + f.field + ": " + f.message + "\n";
    return s;
}

// ---- the rule table ----

TEST(LintRules, EveryRuleDescribesItselfAndCodesAreUnique) {
    std::set<std::string_view> codes;
    ASSERT_GE(lint_rules().size(), 20u);
    for (const auto& r : lint_rules()) {
        EXPECT_TRUE(r.code.starts_with("lint.")) << r.code;
        EXPECT_FALSE(r.citation.empty()) << r.code;
        EXPECT_FALSE(r.description.empty()) << r.code;
        EXPECT_NE(r.check, nullptr) << r.code;
        EXPECT_TRUE(codes.insert(r.code).second) << "duplicate code " << r.code;
    }
}

// ---- good certificates ----

TEST(Lint, GoodRootHasNoFindings) {
    Findings fs = run_lint({root(), nullptr});
    EXPECT_TRUE(fs.empty()) << dump(fs);
}

TEST(Lint, GoodLeafHasNoFindings) {
    for (const EVP_PKEY* key : {keys().ee.get(), keys().rsa.get(), keys().ed.get()}) {
        auto spec = leaf_spec(key);
        if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) replace(spec, make_key_usage({"digitalSignature", "keyEncipherment"}, true));
        auto cert = test::build_cert(spec);
        Findings fs = run_lint({cert.get(), root()});
        EXPECT_TRUE(fs.empty()) << dump(fs);
    }
}

TEST(Lint, LeafWithoutSkiIsOnlyAWarning) {
    auto spec = leaf_spec();
    drop(spec, NID_subject_key_identifier);
    auto cert = test::build_cert(spec);
    Findings fs = run_lint({cert.get(), root()});
    EXPECT_FALSE(has_errors(fs)) << dump(fs);
    auto hits = with_code(fs, "lint.rfc5280.subject_key_identifier");
    ASSERT_EQ(hits.size(), 1u) << dump(fs);
    EXPECT_EQ(hits[0]->severity, Severity::Warning);
}

// ---- each rule fires ----

struct BadCase {
    const char* name;
    const char* code;
    const char* field;
    std::function<test::CertSpec()> make;
    bool self_signed = false;  // lint without an issuer
    const X509* (*issuer)() = nullptr;  // default: root()
};

// The same root, constrained: names under lab.test only, not under bad.lab.test, and no CA
// certificate below it (pathLenConstraint 0).
const X509* constrained_root() {
    static const ossl::X509Ptr cert = [] {
        auto s = root_spec();
        replace(s, make_basic_constraints(true, 0));
        s.extensions.push_back(make_name_constraints({{NameType::Dns, "lab.test"}}, {{NameType::Dns, "bad.lab.test"}}));
        return test::build_cert(s);
    }();
    return cert.get();
}

test::CertSpec leaf_named(const std::string& cn, std::vector<GeneralName> sans) {
    auto s = leaf_spec();
    s.subject = "CN=" + cn;
    if (sans.empty())
        drop(s, NID_subject_alt_name);
    else
        replace(s, make_subject_alt_name(sans, false));
    return s;
}

test::CertSpec sub_ca_spec() {
    auto s = leaf_spec();
    s.subject = "CN=Lab Sub CA, O=Example Lab";
    replace(s, make_basic_constraints(true, std::nullopt));
    replace(s, make_key_usage({"keyCertSign", "cRLSign"}, true));
    drop(s, NID_ext_key_usage);
    drop(s, NID_subject_alt_name);
    return s;
}

Bytes serial_of(size_t octets, std::uint8_t first) {
    Bytes b(octets, 0x11);
    b[0] = first;
    return b;
}

const std::vector<BadCase>& bad_cases() {
    static const std::vector<BadCase> cases = {
        {"zero serial", "lint.rfc5280.serial_positive", "serialNumber",
         [] { auto s = leaf_spec(); s.serial = {0x00}; return s; }},
        {"negative serial", "lint.rfc5280.serial_positive", "serialNumber",
         [] { auto s = leaf_spec(); s.serial = {0x05}; s.negative_serial = true; return s; }},
        {"21 octet serial", "lint.rfc5280.serial_length", "serialNumber",
         [] { auto s = leaf_spec(); s.serial = serial_of(21, 0x01); return s; }},
        {"20 bytes with top bit need 21 octets", "lint.rfc5280.serial_length", "serialNumber",
         [] { auto s = leaf_spec(); s.serial = serial_of(20, 0x80); return s; }},
        {"v1 with extensions", "lint.rfc5280.version_v3", "version",
         [] { auto s = leaf_spec(); s.version = X509_VERSION_1; return s; }},
        {"undecodable keyUsage", "lint.rfc5280.extension_malformed", "extensions.keyUsage",
         [] { auto s = leaf_spec(); replace(s, make_raw_extension("2.5.29.15", Bytes{0x05, 0x00}, true)); return s; }},
        {"two SANs", "lint.rfc5280.duplicate_extension", "extensions.subjectAltName",
         [] {
             auto s = leaf_spec();
             s.extensions.push_back(make_subject_alt_name({{NameType::Dns, "other.lab.test"}}, false));
             return s;
         }},
        {"CA without SKI", "lint.rfc5280.subject_key_identifier", "extensions.subjectKeyIdentifier",
         [] { auto s = root_spec(); drop(s, NID_subject_key_identifier); return s; }, true},
        {"issued without AKI", "lint.rfc5280.authority_key_identifier", "extensions.authorityKeyIdentifier",
         [] { auto s = leaf_spec(); drop(s, NID_authority_key_identifier); return s; }},
        {"AKI of another key", "lint.rfc5280.authority_key_identifier", "extensions.authorityKeyIdentifier",
         [] { auto s = leaf_spec(); replace(s, make_authority_key_identifier(Bytes{1, 2, 3})); return s; }},
        {"self-signed AKI not its own", "lint.rfc5280.authority_key_identifier", "extensions.authorityKeyIdentifier",
         [] { auto s = root_spec(); s.extensions.push_back(make_authority_key_identifier(Bytes{9})); return s; }, true},
        {"critical AKI", "lint.rfc5280.key_identifier_critical", "extensions.authorityKeyIdentifier",
         [] { auto s = leaf_spec(); set_critical(s, NID_authority_key_identifier, true); return s; }},
        {"CA basicConstraints not critical", "lint.rfc5280.ca_basic_constraints_critical", "extensions.basicConstraints",
         [] { auto s = root_spec(); set_critical(s, NID_basic_constraints, false); return s; }, true},
        {"CA without keyCertSign", "lint.rfc5280.ca_key_cert_sign", "extensions.keyUsage",
         [] { auto s = root_spec(); replace(s, make_key_usage({"cRLSign"}, true)); return s; }, true},
        {"CA without keyUsage", "lint.rfc5280.ca_key_cert_sign", "extensions.keyUsage",
         [] { auto s = root_spec(); drop(s, NID_key_usage); return s; }, true},
        {"keyCertSign on a leaf", "lint.rfc5280.key_cert_sign_requires_ca", "extensions.keyUsage",
         [] { auto s = leaf_spec(); replace(s, make_key_usage({"digitalSignature", "keyCertSign"}, true)); return s; }},
        {"pathLen on a leaf", "lint.rfc5280.path_length_requires_ca", "extensions.basicConstraints",
         [] {
             auto s = leaf_spec();
             replace(s, make_raw_extension("2.5.29.19", Bytes{0x30, 0x03, 0x02, 0x01, 0x01}, true));
             return s;
         }},
        {"pathLen on a CA without keyCertSign", "lint.rfc5280.path_length_requires_ca", "extensions.basicConstraints",
         [] {
             auto s = root_spec();
             replace(s, make_basic_constraints(true, 0));
             replace(s, make_key_usage({"digitalSignature"}, true));
             return s;
         }, true},
        {"keyUsage with no bits", "lint.rfc5280.key_usage_empty", "extensions.keyUsage",
         [] { auto s = leaf_spec(); replace(s, make_raw_extension("2.5.29.15", Bytes{0x03, 0x01, 0x00}, true)); return s; }},
        {"ECDSA keyEncipherment", "lint.pkix.key_usage_key_type", "extensions.keyUsage",
         [] { auto s = leaf_spec(); replace(s, make_key_usage({"digitalSignature", "keyEncipherment"}, true)); return s; }},
        {"RSA keyAgreement", "lint.pkix.key_usage_key_type", "extensions.keyUsage",
         [] {
             auto s = leaf_spec(keys().rsa.get());
             replace(s, make_key_usage({"digitalSignature", "keyAgreement"}, true));
             return s;
         }},
        {"Ed25519 keyAgreement", "lint.pkix.key_usage_key_type", "extensions.keyUsage",
         [] {
             auto s = leaf_spec(keys().ed.get());
             replace(s, make_key_usage({"digitalSignature", "keyAgreement"}, true));
             return s;
         }},
        {"Ed25519 dataEncipherment", "lint.pkix.key_usage_key_type", "extensions.keyUsage",
         [] {
             auto s = leaf_spec(keys().ed.get());
             replace(s, make_key_usage({"dataEncipherment"}, true));
             return s;
         }},
        {"empty subject without SAN", "lint.rfc5280.san_required_empty_subject", "extensions.subjectAltName",
         [] { auto s = leaf_spec(); s.subject = ""; drop(s, NID_subject_alt_name); return s; }},
        {"empty subject, SAN not critical", "lint.rfc5280.san_critical_empty_subject", "extensions.subjectAltName",
         [] { auto s = leaf_spec(); s.subject = ""; return s; }},
        {"empty SAN", "lint.rfc5280.san_empty", "extensions.subjectAltName",
         [] { auto s = leaf_spec(); replace(s, make_raw_extension("2.5.29.17", Bytes{0x30, 0x00}, false)); return s; }},
        {"empty EKU", "lint.rfc5280.eku_empty", "extensions.extendedKeyUsage",
         [] { auto s = leaf_spec(); replace(s, make_raw_extension("2.5.29.37", Bytes{0x30, 0x00}, false)); return s; }},
        {"issuer name differs", "lint.rfc5280.issuer_name_match", "issuer",
         [] { auto s = leaf_spec(); s.issuer = "CN=Some Other CA"; return s; }},
        {"self-signed issuer differs from subject", "lint.rfc5280.issuer_name_match", "issuer",
         [] { auto s = root_spec(); s.issuer = "CN=Someone Else"; return s; }, true},
        {"GeneralizedTime before 2050", "lint.rfc5280.validity_encoding", "validity.notAfter",
         [] {
             auto s = leaf_spec();
             s.tweak = [](X509* c) { ASN1_GENERALIZEDTIME_set_string(X509_getm_notAfter(c), "20270201000000Z"); };
             return s;
         }},
        {"UTCTime without seconds", "lint.rfc5280.validity_encoding", "validity.notBefore",
         [] {
             auto s = leaf_spec();
             s.tweak = [](X509* c) { ASN1_STRING_set(X509_getm_notBefore(c), "2602010000Z", 11); };
             return s;
         }},
        {"notAfter equals notBefore", "lint.rfc5280.validity_order", "validity",
         [] { auto s = leaf_spec(); s.not_after = s.not_before; return s; }},
        {"notAfter before notBefore", "lint.rfc5280.validity_order", "validity",
         [] { auto s = leaf_spec(); std::swap(s.not_before, s.not_after); return s; }},
        {"outlives the issuer", "lint.pkilab.validity_within_issuer", "validity.notAfter",
         [] { auto s = leaf_spec(); s.not_after = parse_time("2037-01-01T00:00:00Z"); return s; }},
        {"starts before the issuer", "lint.pkilab.validity_within_issuer", "validity.notBefore",
         [] { auto s = leaf_spec(); s.not_before = parse_time("2025-12-31T00:00:00Z"); return s; }},
        {"SAN outside the permitted names", "lint.rfc5280.name_constraints", "extensions.subjectAltName",
         [] { return leaf_named("www.lab.test", {{NameType::Dns, "www.lab.test"}, {NameType::Dns, "evil.example"}}); },
         false, constrained_root},
        {"SAN among the excluded names", "lint.rfc5280.name_constraints", "extensions.subjectAltName",
         [] { return leaf_named("x.bad.lab.test", {{NameType::Dns, "x.bad.lab.test"}}); }, false, constrained_root},
        {"CN outside the permitted names, no SAN", "lint.rfc5280.name_constraints", "extensions.subjectAltName",
         [] { return leaf_named("evil.example", {}); }, false, constrained_root},
        {"CA below pathLenConstraint 0", "lint.rfc5280.issuer_path_length", "extensions.basicConstraints",
         [] { return sub_ca_spec(); }, false, constrained_root},
    };
    return cases;
}

TEST(Lint, EachBrokenCertificateTriggersItsRule) {
    std::set<std::string> covered;
    for (const auto& c : bad_cases()) {
        auto spec = c.make();
        auto cert = test::build_cert(spec);
        Findings fs = run_lint({cert.get(), c.self_signed ? nullptr : (c.issuer != nullptr ? c.issuer() : root())});
        auto hits = with_code(fs, c.code);
        ASSERT_FALSE(hits.empty()) << c.name << ": expected " << c.code << ", got\n" << dump(fs);
        EXPECT_EQ(hits[0]->severity, Severity::Error) << c.name;
        EXPECT_EQ(hits[0]->field, c.field) << c.name;
        EXPECT_EQ(hits[0]->source, "lint") << c.name;
        EXPECT_FALSE(hits[0]->message.empty()) << c.name;
        EXPECT_FALSE(hits[0]->hint.empty()) << c.name;
        covered.insert(c.code);
    }
    // Every rule has at least one certificate that breaks it.
    for (const auto& r : lint_rules()) EXPECT_TRUE(covered.count(std::string(r.code)) == 1) << "untested rule " << r.code;
}

TEST(Lint, NamesInsideTheConstraintsPass) {
    for (bool with_san : {true, false}) {
        auto spec = with_san ? leaf_named("www.lab.test", {{NameType::Dns, "www.lab.test"}, {NameType::Dns, "a.b.lab.test"}})
                             : leaf_named("www.lab.test", {});
        auto cert = test::build_cert(spec);
        Findings fs = run_lint({cert.get(), constrained_root()});
        EXPECT_TRUE(with_code(fs, "lint.rfc5280.name_constraints").empty()) << dump(fs);
    }
    // A leaf below pathLenConstraint 0 is fine; so is a sub-CA below an unconstrained root.
    auto leaf = leaf_spec();
    auto leaf_cert = test::build_cert(leaf);
    EXPECT_TRUE(with_code(run_lint({leaf_cert.get(), constrained_root()}), "lint.rfc5280.issuer_path_length").empty());
    auto sub = sub_ca_spec();
    auto sub_cert = test::build_cert(sub);
    EXPECT_TRUE(with_code(run_lint({sub_cert.get(), root()}), "lint.rfc5280.issuer_path_length").empty());
}

TEST(Lint, AncestorsConstrainToo) {
    // The issuing CA has no constraints; its own issuer does.
    auto spec = leaf_named("evil.example", {{NameType::Dns, "evil.example"}});
    auto cert = test::build_cert(spec);
    const X509* ancestors[] = {constrained_root()};
    Findings fs = run_lint({cert.get(), root(), ancestors});
    EXPECT_FALSE(with_code(fs, "lint.rfc5280.name_constraints").empty()) << dump(fs);
}

TEST(Lint, GoodTimesAcrossThe2050Boundary) {
    auto spec = root_spec();
    spec.not_after = parse_time("2055-01-01T00:00:00Z");
    auto cert = test::build_cert(spec);
    Findings fs = run_lint({cert.get(), nullptr});
    EXPECT_TRUE(with_code(fs, "lint.rfc5280.validity_encoding").empty()) << dump(fs);
}

TEST(Lint, GeneralizedTimeFor2049IsRefused) {
    // (The opposite mistake cannot be written: a UTCTime "50" reads as 1950.)
    auto spec = root_spec();
    spec.not_after = parse_time("2049-06-01T00:00:00Z");
    spec.tweak = [](X509* c) { ASN1_GENERALIZEDTIME_set_string(X509_getm_notAfter(c), "20490601000000Z"); };
    auto cert = test::build_cert(spec);
    Findings fs = run_lint({cert.get(), nullptr});
    auto hits = with_code(fs, "lint.rfc5280.validity_encoding");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_NE(hits[0]->message.find("2049 must be encoded as UTCTime"), std::string::npos) << hits[0]->message;
}

}  // namespace
}  // namespace pkilab
