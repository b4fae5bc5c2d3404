// The EST body decoder (RFC 7030 §4.2.1 with RFC 8951's base64 rules), the text refusals and
// the CsrAttrs answer.
#include "webenroll/est/est_body.hpp"

#include <gtest/gtest.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include "ca/errors.hpp"
#include "ca/keys/key.hpp"
#include "ca/ossl/ptr.hpp"
#include "ca/x509/csr.hpp"
#include "webenroll/est/est_csrattrs.hpp"
#include "webenroll/est/est_responses.hpp"

namespace pkilab::web::est {
namespace {

Bytes sample_csr_der() {
    ossl::PkeyPtr key = generate_key(parse_key_spec("ecdsa-p256"));
    ossl::X509ReqPtr req = make_csr(key.get(), "CN=dev.lab.test", {{NameType::Dns, "dev.lab.test"}});
    return csr_to_der(req.get());
}

std::string field_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.field();
    }
    return "(accepted)";
}

TEST(EstBody, TakesBase64InAnyLineLayoutWithOrWithoutTheEncodingHeader) {
    const Bytes der = sample_csr_der();
    const std::string flat = base64_encode(der);
    EXPECT_EQ(decode_csr_body("application/pkcs10", "base64", flat), der);
    EXPECT_EQ(decode_csr_body("application/pkcs10", "", flat), der);
    EXPECT_EQ(decode_csr_body("", "", flat), der);
    EXPECT_EQ(decode_csr_body("Application/PKCS10; charset=us-ascii", " Base64 ", flat), der);
    std::string crlf;
    for (size_t at = 0; at < flat.size(); at += 64) crlf += flat.substr(at, 64) + "\r\n";
    EXPECT_EQ(decode_csr_body("application/pkcs10", "base64", crlf), der);
    EXPECT_EQ(decode_csr_body("application/pkcs10", "base64", "  " + base64_lines(der) + "\t\n"), der);
}

TEST(EstBody, TakesPemAndBinaryForClientsThatSendTheFile) {
    const Bytes der = sample_csr_der();
    ossl::X509ReqPtr req = parse_csr(der).req;
    EXPECT_EQ(decode_csr_body("application/pkcs10", "", csr_to_pem(req.get())), der);
    EXPECT_EQ(decode_csr_body("application/pkcs10", "binary", as_chars(der)), der);
    EXPECT_EQ(field_of([&] {
                  decode_csr_body("application/pkcs10", "", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
              }),
              "body");
}

TEST(EstBody, RefusesWhatIsNoBase64Csr) {
    EXPECT_EQ(field_of([] { decode_csr_body("application/x-www-form-urlencoded", "", "x=1"); }), "Content-Type");
    EXPECT_EQ(field_of([] { decode_csr_body("application/pkcs10", "quoted-printable", "AAAA"); }),
              "Content-Transfer-Encoding");
    EXPECT_EQ(field_of([] { decode_csr_body("application/pkcs10", "", ""); }), "body");
    EXPECT_EQ(field_of([] { decode_csr_body("application/pkcs10", "", " \r\n\t"); }), "body");
    EXPECT_NE(field_of([] { decode_csr_body("application/pkcs10", "", "this is not a PKCS#10 request"); }), "(accepted)");
    // Base64 that decodes, but to something else: parse_csr's to refuse, with a CSR field.
    const Bytes junk = decode_csr_body("application/pkcs10", "", "aGVsbG8gd29ybGQ=");
    EXPECT_EQ(field_of([&] { parse_csr(junk); }), "encoding");
}

TEST(EstBody, AnswersAreBase64InShortLfLines) {
    Bytes data(200);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i);
    const std::string text = base64_lines(data);
    EXPECT_EQ(text.find('\r'), std::string::npos);
    EXPECT_EQ(text.find('\n'), 64u);
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(base64_decode(text), data);
    EXPECT_EQ(media_type(" Application/PKCS7-MIME ; smime-type=certs-only"), "application/pkcs7-mime");
}

TEST(EstBody, RefusalsCarryEveryFindingsMessageAndHint) {
    Findings f{{"names", "name.dns.denied", Severity::Error, "san[0]", "www.forbidden.test is denied", "ask for a lab name"},
               {"lint", "note", Severity::Info, "", "an info note", ""}};
    const std::string text = refusal_text("lab-issuing-ca", 7, RequestState::Denied, "Denied by policy", f);
    EXPECT_NE(text.find("Request 7 to lab-issuing-ca was denied: Denied by policy"), std::string::npos) << text;
    EXPECT_NE(text.find("- error name.dns.denied (names): www.forbidden.test is denied Hint: ask for a lab name"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("an info note"), std::string::npos) << text;
}

// The OIDs of the CsrAttrs DER, an Attribute as "type{value,value}".
std::vector<std::string> csr_attrs(const Bytes& der) {
    const unsigned char* p = der.data();
    ASN1_SEQUENCE_ANY* seq = d2i_ASN1_SEQUENCE_ANY(nullptr, &p, static_cast<long>(der.size()));
    EXPECT_NE(seq, nullptr);
    std::vector<std::string> out;
    if (!seq) return out;
    auto name = [](const ASN1_OBJECT* o) { return std::string(OBJ_nid2sn(OBJ_obj2nid(o))); };
    for (int i = 0; i < sk_ASN1_TYPE_num(seq); ++i) {
        const ASN1_TYPE* t = sk_ASN1_TYPE_value(seq, i);
        if (t->type == V_ASN1_OBJECT) {
            out.push_back(name(t->value.object));
            continue;
        }
        EXPECT_EQ(t->type, V_ASN1_SEQUENCE);
        const unsigned char* q = t->value.sequence->data;
        X509_ATTRIBUTE* a = d2i_X509_ATTRIBUTE(nullptr, &q, t->value.sequence->length);
        EXPECT_NE(a, nullptr);
        if (!a) continue;
        std::string s = name(X509_ATTRIBUTE_get0_object(a)) + "{";
        for (int v = 0; v < X509_ATTRIBUTE_count(a); ++v)
            s += (v ? "," : "") + name(X509_ATTRIBUTE_get0_type(a, v)->value.object);
        out.push_back(s + "}");
        X509_ATTRIBUTE_free(a);
    }
    sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
    return out;
}

TEST(EstCsrAttrs, NamesTheKeysSignatureAndSanTheTemplateWants) {
    CertificateTemplate t;
    t.keys.ec_curves = {"P-256"};
    t.keys.rsa_min_bits = 0;
    t.san_rules = {SanRule{}};
    EXPECT_EQ(csr_attrs(csr_attributes_der(t)),
              (std::vector<std::string>{"id-ecPublicKey{prime256v1}", "ecdsa-with-SHA256", "extReq{subjectAltName}"}));
    t.keys.ec_curves.clear();
    t.keys.rsa_min_bits = 2048;
    t.keys.allow_ed25519 = true;
    t.san_rules.clear();
    EXPECT_EQ(csr_attrs(csr_attributes_der(t)),
              (std::vector<std::string>{"rsaEncryption", "RSA-SHA256", "ED25519"}));
    t.keys.rsa_min_bits = 0;
    t.keys.allow_ed25519 = false;
    EXPECT_TRUE(csr_attributes_der(t).empty());
}

}  // namespace
}  // namespace pkilab::web::est
