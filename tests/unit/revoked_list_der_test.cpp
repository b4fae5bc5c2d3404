// The hand-written revoked list (crl/revoked_list_der.cpp) against OpenSSL's own encoding of the
// same X509_REVOKED, entry shape by entry shape.
#include <gtest/gtest.h>

#include "ca/errors.hpp"
#include "ca/ossl/ptr.hpp"
#include "crl/revoked_list_der.hpp"

namespace pkilab::crl {
namespace {

using std::chrono::sys_days;
using std::chrono::year;

Time at(int y, unsigned m, unsigned d, int hours = 0) {
    return sys_days{year{y} / static_cast<int>(m) / static_cast<int>(d)} + std::chrono::hours{hours} +
           std::chrono::seconds{17};
}

Bytes openssl_entry(const std::string& serial_hex, RevocationReason reason, Time revoked,
                    std::optional<Time> invalidity, HoldInstruction hold) {
    ossl::Ptr<X509_REVOKED, X509_REVOKED_free> r(X509_REVOKED_new());
    BIGNUM* raw = nullptr;
    EXPECT_GT(BN_hex2bn(&raw, serial_hex.c_str()), 0);
    ossl::BignumPtr bn(raw);
    ossl::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    X509_REVOKED_set_serialNumber(r.get(), serial.get());
    ossl::Asn1TimePtr t(ASN1_TIME_set(nullptr, revoked.time_since_epoch().count()));
    X509_REVOKED_set_revocationDate(r.get(), t.get());
    if (reason != RevocationReason::Unspecified) {
        ossl::Asn1StringPtr e(ASN1_ENUMERATED_new());
        ASN1_ENUMERATED_set(e.get(), static_cast<long>(reason));
        X509_REVOKED_add1_ext_i2d(r.get(), NID_crl_reason, e.get(), 0, 0);
    }
    if (reason == RevocationReason::CertificateHold && hold != HoldInstruction::Omit) {
        const int nid = hold == HoldInstruction::None ? NID_hold_instruction_none
                        : hold == HoldInstruction::CallIssuer ? NID_hold_instruction_call_issuer
                                                              : NID_hold_instruction_reject;
        X509_REVOKED_add1_ext_i2d(r.get(), NID_hold_instruction_code, OBJ_nid2obj(nid), 0, 0);
    }
    if (invalidity) {
        ossl::Ptr<ASN1_GENERALIZEDTIME, ASN1_GENERALIZEDTIME_free> g(
            ASN1_GENERALIZEDTIME_set(nullptr, invalidity->time_since_epoch().count()));
        X509_REVOKED_add1_ext_i2d(r.get(), NID_invalidity_date, g.get(), 0, 0);
    }
    unsigned char* out = nullptr;
    const int len = i2d_X509_REVOKED(r.get(), &out);
    ossl::OsslBytesPtr owned(out);
    return Bytes(out, out + len);
}

struct Shape {
    const char* serial;
    RevocationReason reason;
    Time revoked;
    std::optional<Time> invalidity;
    HoldInstruction hold;
};

TEST(RevokedListDer, EveryEntryShapeIsByteForByteWhatOpenSslEncodes) {
    const std::vector<Shape> shapes = {
        {"01", RevocationReason::Unspecified, at(2026, 11, 23), std::nullopt, HoldInstruction::Omit},
        {"7f", RevocationReason::KeyCompromise, at(2026, 1, 2, 3), at(2025, 12, 31), HoldInstruction::Omit},
        {"0080", RevocationReason::CaCompromise, at(2049, 12, 31, 23), std::nullopt, HoldInstruction::Omit},
        {"1234567890abcdef", RevocationReason::AffiliationChanged, at(2050, 1, 1), std::nullopt, HoldInstruction::Omit},
        {"00ffeeddccbbaa99887766554433221100", RevocationReason::Superseded, at(2099, 6, 30), at(2099, 6, 29),
         HoldInstruction::Omit},
        {"7fffffffffffffffffffffffffffffffffffffff", RevocationReason::CessationOfOperation, at(1999, 3, 4),
         std::nullopt, HoldInstruction::Omit},
        {"00ffffffffffffffffffffffffffffffffffffff", RevocationReason::PrivilegeWithdrawn, at(2030, 5, 5), std::nullopt,
         HoldInstruction::Omit},
        {"42", RevocationReason::AaCompromise, at(2030, 5, 5), std::nullopt, HoldInstruction::Omit},
        {"43", RevocationReason::RemoveFromCrl, at(2030, 5, 5), std::nullopt, HoldInstruction::Omit},
        {"44", RevocationReason::CertificateHold, at(2030, 5, 5), std::nullopt, HoldInstruction::Omit},
        {"45", RevocationReason::CertificateHold, at(2030, 5, 5), std::nullopt, HoldInstruction::None},
        {"46", RevocationReason::CertificateHold, at(2030, 5, 5), at(2030, 5, 4), HoldInstruction::CallIssuer},
        {"47", RevocationReason::CertificateHold, at(2030, 5, 5), std::nullopt, HoldInstruction::Reject},
    };
    for (const auto& s : shapes) {
        SCOPED_TRACE(std::string("serial ") + s.serial + " reason " + to_string(s.reason));
        RevokedListWriter w(s.hold);
        w.add(s.serial, s.reason, s.revoked, s.invalidity);
        EXPECT_EQ(to_hex(w.entries()), to_hex(openssl_entry(s.serial, s.reason, s.revoked, s.invalidity, s.hold)));
    }
}

TEST(RevokedListDer, EntriesFollowEachOtherAndLongListsGetLongLengths) {
    RevokedListWriter w;
    Bytes expected;
    for (int i = 1; i <= 300; ++i) {
        char hex[12];
        std::snprintf(hex, sizeof hex, "7e%04x", i);
        w.add(hex, RevocationReason::KeyCompromise, at(2026, 11, 23));
        const Bytes one = openssl_entry(hex, RevocationReason::KeyCompromise, at(2026, 11, 23), std::nullopt, HoldInstruction::Omit);
        expected.insert(expected.end(), one.begin(), one.end());
    }
    EXPECT_EQ(w.count(), 300u);
    EXPECT_EQ(w.entries(), expected);

    for (std::size_t len : {0ul, 1ul, 127ul, 128ul, 255ul, 256ul, 65535ul, 65536ul, 16777216ul}) {
        Bytes ours;
        append_der_length(ours, len);
        EXPECT_EQ(ours.size(), der_length_size(len)) << len;
        ossl::Asn1StringPtr s(ASN1_OCTET_STRING_new());
        // OpenSSL's header for a length: ASN1_put_object into a buffer.
        unsigned char buf[8];
        unsigned char* p = buf;
        ASN1_put_object(&p, 0, static_cast<int>(len), V_ASN1_OCTET_STRING, V_ASN1_UNIVERSAL);
        EXPECT_EQ(to_hex(ours), to_hex(ByteView(buf + 1, static_cast<std::size_t>(p - buf - 1)))) << len;
    }
}

TEST(RevokedListDer, RefusesSerialsThatAreNotMinimalPositiveHex) {
    RevokedListWriter w;
    for (const char* bad : {"", "1", "0001", "80", "zz", "0x12", "001122334455667788990011223344556677889900aa"})
        EXPECT_THROW(w.add(bad, RevocationReason::KeyCompromise, at(2026, 1, 1)), InternalError) << bad;
    EXPECT_EQ(w.count(), 0u);
    EXPECT_TRUE(w.entries().empty());
}

}  // namespace
}  // namespace pkilab::crl
