// certsrv's form fields and query parameters (webenroll/certsrv/certsrv_forms.hpp): what is
// taken, and every malformed input refused with its field and problem named.
#include "webenroll/certsrv/certsrv_forms.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ca/errors.hpp"

namespace pkilab::web::certsrv {
namespace {

// SEQUENCE { INTEGER 1 }: the normalizer judges text, not the CSR, so any DER SEQUENCE does.
const std::string kBody = "MAMCAQE=";
const Bytes kDer{0x30, 0x03, 0x02, 0x01, 0x01};

struct Refusal {
    const char* name;
    std::string input;
    std::string field;
    std::string problem;  // a part of InputError::problem()
};

template <class F>
void expect_refusal(const Refusal& c, F&& parse) {
    try {
        parse(c.input);
        ADD_FAILURE() << c.name << ": accepted";
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), kFormWhere) << c.name;
        EXPECT_EQ(e.field(), c.field) << c.name << ": " << e.what();
        EXPECT_NE(e.problem().find(c.problem), std::string::npos) << c.name << ": " << e.what();
    }
}

std::string pem(const std::string& label, const std::string& body, const char* eol = "\n") {
    return "-----BEGIN " + label + "-----" + eol + body + eol + "-----END " + label + "-----" + eol;
}

TEST(CertsrvCsrText, TakesPemWithEitherLabelOrBareBase64WithAnyLineBreaksAndSpaces) {
    const struct {
        const char* name;
        std::string input;
    } cases[] = {
        {"bare base64", kBody},
        {"PEM", pem("CERTIFICATE REQUEST", kBody)},
        {"PEM with CRLF", pem("CERTIFICATE REQUEST", kBody, "\r\n")},
        {"certreq's label", pem("NEW CERTIFICATE REQUEST", kBody, "\r\n")},
        {"whitespace around", " \r\n\t" + pem("CERTIFICATE REQUEST", kBody) + "\r\n  \n"},
        {"body broken over lines", "MAMC\r\n  AQE=\r\n"},
        {"spaces and tabs inside", "MA MC\tAQ E="},
    };
    for (const auto& c : cases) {
        try {
            EXPECT_EQ(normalize_csr_text(c.input), kDer) << c.name;
        } catch (const InputError& e) {
            ADD_FAILURE() << c.name << ": " << e.what();
        }
    }
}

TEST(CertsrvCsrText, RefusesEachMalformedInputNamingTheProblem) {
    const std::vector<Refusal> cases{
        {"empty", "", "CertRequest", "is empty"},
        {"blank", " \r\n\t\n", "CertRequest", "is empty"},
        {"oversize", std::string(kMaxCertRequestChars + 1, 'A'), "CertRequest", "65537 characters long; at most 65536"},
        {"text before BEGIN", "hello\n" + pem("CERTIFICATE REQUEST", kBody), "CertRequest", "text before its -----BEGIN line"},
        {"BEGIN line cut", "-----BEGIN CERTIFICATE REQUEST\n" + kBody, "CertRequest", "does not end in -----"},
        {"a certificate", pem("CERTIFICATE", kBody), "CertRequest", "holds a certificate, not a certificate request"},
        {"a private key", pem("PRIVATE KEY", kBody), "CertRequest", "holds a private key"},
        {"an EC private key", pem("EC PRIVATE KEY", kBody), "CertRequest", "holds a private key"},
        {"another PEM type", pem("PKCS7", kBody), "CertRequest", "labelled 'PKCS7', not a certificate request"},
        {"control bytes in the label", pem("CERT\x01REQ", kBody), "CertRequest", "labelled 'CERT?REQ'"},
        {"no END", "-----BEGIN CERTIFICATE REQUEST-----\n" + kBody + "\n", "CertRequest",
         "has no -----END CERTIFICATE REQUEST----- line"},
        {"END of another label", "-----BEGIN CERTIFICATE REQUEST-----\n" + kBody + "\n-----END NEW CERTIFICATE REQUEST-----\n",
         "CertRequest", "has no -----END CERTIFICATE REQUEST----- line"},
        {"text after END", pem("CERTIFICATE REQUEST", kBody) + "trailer", "CertRequest", "text after its -----END line"},
        {"two requests", pem("CERTIFICATE REQUEST", kBody) + pem("CERTIFICATE REQUEST", kBody), "CertRequest",
         "text after its -----END line"},
        {"PEM headers", pem("CERTIFICATE REQUEST", "Proc-Type: 4,ENCRYPTED\n\n" + kBody), "CertRequest", "PEM header lines"},
        {"dashes without BEGIN", kBody + "\n-----END CERTIFICATE REQUEST-----", "CertRequest", "not a -----BEGIN line"},
        {"not base64", "MAMC!QE=", "CertRequest", "not base64 (0x21 at character 5)"},
        {"a NUL", std::string("MAMC\0QE=", 8), "CertRequest", "not base64 (0x00 at character 5)"},
        {"UTF-8", "MAMC\xc3\xa9QE=", "CertRequest", "not base64 (0xC3 at character 5)"},
        {"data after the padding", "MA=MCAQE", "CertRequest", "base64 after its '=' padding"},
        {"three padding characters", "MAMCA===", "CertRequest", "more than two '=' padding characters"},
        {"cut short", "MAMCAQE", "CertRequest", "cut short: its base64 has 7 characters"},
        {"not a SEQUENCE", "AAAA", "CertRequest", "its first byte is 0x00"},
        {"only padding", "==", "CertRequest", "cut short"},
    };
    for (const auto& c : cases) expect_refusal(c, [](const std::string& s) { normalize_csr_text(s); });
}

TEST(CertsrvCertAttrib, ReadsTheTemplateTheSanAttributeAndTheOtherNames) {
    const CertAttributes a = parse_cert_attrib(
        "CertificateTemplate:WebServer\r\n\r\nSAN:dns=a.example&DNS = b.example&upn=u@lab.test\r\nccm:host.lab.test\nrmd:x\r\n");
    EXPECT_EQ(a.template_name, "WebServer");
    ASSERT_EQ(a.san.size(), 3u);
    EXPECT_EQ(a.san[0].type, "dns");
    EXPECT_EQ(a.san[0].value, "a.example");
    EXPECT_EQ(a.san[1].type, "dns");
    EXPECT_EQ(a.san[1].value, "b.example");
    EXPECT_EQ(a.san[2].type, "upn");
    EXPECT_EQ(a.san_text, "dns=a.example&DNS = b.example&upn=u@lab.test");
    EXPECT_EQ(a.other_names, (std::vector<std::string>{"ccm", "rmd"}));

    // Names without case, values trimmed, blank lines and a missing final line break.
    EXPECT_EQ(parse_cert_attrib(" certificatetemplate :  Web Server \t").template_name, "Web Server");
    const CertAttributes empty = parse_cert_attrib("");
    EXPECT_EQ(empty.template_name, "");
    EXPECT_TRUE(empty.san.empty());
    EXPECT_TRUE(empty.other_names.empty());
    EXPECT_EQ(parse_cert_attrib("\r\n\n \r\n").template_name, "");
    EXPECT_EQ(parse_cert_attrib("UserAgent:Mozilla/5.0 (x: y)").other_names, (std::vector<std::string>{"UserAgent"}));
}

TEST(CertsrvCertAttrib, RefusesEachMalformedInputNamingTheLine) {
    std::string many;
    for (size_t i = 0; i <= kMaxAttributes; ++i) many += "a" + std::to_string(i) + ":x\r\n";
    std::string many_names = "SAN:";
    for (size_t i = 0; i <= kMaxSanEntries; ++i) many_names += (i ? "&" : "") + std::string("dns=h") + std::to_string(i);
    const std::vector<Refusal> cases{
        {"oversize", std::string(kMaxCertAttribChars + 1, ' '), "CertAttrib", "16385 characters long; at most 16384"},
        {"too many attributes", many, "CertAttrib", "more than 64 attributes"},
        {"no colon", "CertificateTemplate", "CertAttrib line 1", "is not name:value"},
        {"no name", "\r\n:WebServer", "CertAttrib line 2", "no attribute name before its ':'"},
        {"space in a name", "Certificate Template:WebServer", "CertAttrib line 1", "not allowed in an attribute name (0x20)"},
        {"long name", std::string(65, 'n') + ":v", "CertAttrib line 1", "name longer than 64 characters"},
        {"long value", "x:" + std::string(kMaxAttributeValueChars + 1, 'v'), "CertAttrib line 1", "value longer than 4096"},
        {"NUL", std::string("a:b\0c", 5), "CertAttrib line 1", "control character (0x00)"},
        {"bare CR", "a:b\rCertificateTemplate:User", "CertAttrib line 1", "control character (0x0D)"},
        {"DEL", "CertificateTemplate:Web\x7fServer", "CertAttrib line 1", "control character (0x7F)"},
        {"empty template", "CertificateTemplate:  ", "CertAttrib line 1", "empty template name"},
        {"long template", "CertificateTemplate:" + std::string(kMaxTemplateNameChars + 1, 't'), "CertAttrib line 1",
         "template name longer than 128"},
        {"non-ASCII template", "CertificateTemplate:Web\xc3\xa9", "CertAttrib line 1", "not printable ASCII (0xC3)"},
        {"tab inside a template name", "CertificateTemplate:Web\tServer", "CertAttrib line 1", "not printable ASCII (0x09)"},
        {"two templates", "CertificateTemplate:WebServer\r\ncertificatetemplate:User", "CertAttrib line 2",
         "second certificate template"},
        {"SAN without names", "SAN:", "CertAttrib line 1", "SAN attribute without names"},
        {"SAN trailing &", "SAN:dns=a.example&", "CertAttrib line 1", "SAN name 2 is empty"},
        {"SAN double &", "SAN:dns=a.example&&dns=b", "CertAttrib line 1", "SAN name 2 is empty"},
        {"SAN without =", "SAN:dns", "CertAttrib line 1", "SAN name 1 is not type=value"},
        {"SAN unknown type", "SAN:dns=a&foo=bar", "CertAttrib line 1", "SAN name 2 has the unknown type 'foo'"},
        {"SAN without value", "SAN:email=", "CertAttrib line 1", "SAN name 1 (email) has no value"},
        {"SAN too many names", many_names, "CertAttrib line 1", "more than 100 names"},
        {"two SAN attributes", "SAN:dns=a\r\nSAN:dns=b", "CertAttrib line 2", "second SAN attribute"},
    };
    for (const auto& c : cases) expect_refusal(c, [](const std::string& s) { parse_cert_attrib(s); });
}

TEST(CertsrvTemplateField, TakesAPrintableNameAndRefusesTheRest) {
    EXPECT_EQ(parse_template_field(" WebServer "), "WebServer");
    const std::vector<Refusal> cases{
        {"blank", "  ", "CertificateTemplate", "empty template name"},
        {"line break (a second attribute smuggled in)", "WebServer\r\nSAN:dns=dc01", "CertificateTemplate",
         "not printable ASCII (0x0D)"},
        {"long", std::string(kMaxTemplateNameChars + 1, 't'), "CertificateTemplate", "longer than 128"},
    };
    for (const auto& c : cases) expect_refusal(c, [](const std::string& s) { parse_template_field(s); });
}

TEST(CertsrvQuery, ReadsReqIdRenewalEncAndType) {
    EXPECT_TRUE(parse_request_id_param("CACert").ca_certificate);
    EXPECT_TRUE(parse_request_id_param("cacert").ca_certificate);
    EXPECT_EQ(parse_request_id_param("42").id, 42);
    EXPECT_FALSE(parse_request_id_param("42").ca_certificate);
    EXPECT_EQ(parse_request_id("007"), 7);
    EXPECT_EQ(parse_request_id("999999999999999"), 999999999999999);
    EXPECT_EQ(parse_renewal(""), 0u);
    EXPECT_EQ(parse_renewal("0"), 0u);
    EXPECT_EQ(parse_renewal("9999"), 9999u);
    EXPECT_EQ(parse_encoding("bin", Encoding::Pem), Encoding::Der);
    EXPECT_EQ(parse_encoding("B64", Encoding::Der), Encoding::Pem);
    EXPECT_EQ(parse_encoding("", Encoding::Der), Encoding::Der);
    EXPECT_EQ(parse_encoding("", Encoding::Pem), Encoding::Pem);
    EXPECT_EQ(parse_crl_type(""), CrlKind::Base);
    EXPECT_EQ(parse_crl_type("base"), CrlKind::Base);
    EXPECT_EQ(parse_crl_type("Delta"), CrlKind::Delta);
}

TEST(CertsrvQuery, RefusesEachMalformedParameterNamingIt) {
    const std::vector<Refusal> ids{
        {"missing", "", "ReqID", "is missing"},
        {"zero", "0", "ReqID", "is 0; request ids start at 1"},
        {"sign", "-1", "ReqID", "is not a request id: '-1'"},
        {"plus", "+1", "ReqID", "is not a request id"},
        {"hex", "0x10", "ReqID", "is not a request id"},
        {"space", "1 ", "ReqID", "is not a request id"},
        {"too long", "1234567890123456", "ReqID", "more than 15 digits"},
        {"control byte quoted safely", "1\n2", "ReqID", "'1?2'"},
    };
    for (const auto& c : ids) expect_refusal(c, [](const std::string& s) { parse_request_id_param(s); });
    expect_refusal({"another field's name", "x", "id", "is not a request id"},
                   [](const std::string& s) { parse_request_id(s, "id"); });
    const std::vector<Refusal> renewals{
        {"negative", "-1", "Renewal", "from 0 to 9999, not '-1'"},
        {"too large", "10000", "Renewal", "from 0 to 9999"},
        {"not a number", "new", "Renewal", "not 'new'"},
    };
    for (const auto& c : renewals) expect_refusal(c, [](const std::string& s) { parse_renewal(s); });
    expect_refusal({"unknown encoding", "pem", "Enc", "must be bin (DER) or b64 (PEM), not 'pem'"},
                   [](const std::string& s) { parse_encoding(s, Encoding::Pem); });
    expect_refusal({"unknown CRL type", "full", "Type", "must be base or delta, not 'full'"},
                   [](const std::string& s) { parse_crl_type(s); });
}

}  // namespace
}  // namespace pkilab::web::certsrv
