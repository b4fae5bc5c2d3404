#include "crl/revoked_list_der.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <chrono>

#include "ca/errors.hpp"

namespace pkilab::crl {

namespace {

constexpr std::uint8_t kSequence = 0x30, kInteger = 0x02, kOctetString = 0x04, kEnumerated = 0x0a,
                       kOid = 0x06, kUtcTime = 0x17, kGeneralizedTime = 0x18;

// 2.5.29.21 reasonCode, 2.5.29.24 invalidityDate, 2.5.29.23 holdInstructionCode
constexpr std::array<std::uint8_t, 5> kReasonCodeOid{kOid, 3, 0x55, 0x1d, 0x15};
constexpr std::array<std::uint8_t, 5> kInvalidityDateOid{kOid, 3, 0x55, 0x1d, 0x18};
constexpr std::array<std::uint8_t, 5> kHoldInstructionOid{kOid, 3, 0x55, 0x1d, 0x17};
// 1.2.840.10040.2.{1,2,3}: id-holdinstruction-none, -callissuer, -reject, without the last arc
constexpr std::array<std::uint8_t, 8> kHoldPrefix{kOid, 7, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x02};

void put2(std::uint8_t* p, unsigned v) {
    p[0] = static_cast<std::uint8_t>('0' + v / 10);
    p[1] = static_cast<std::uint8_t>('0' + v % 10);
}

// YYYYMMDDHHMMSSZ into `p` (15 bytes), or YYMMDDHHMMSSZ (13) when `utc`.
std::size_t format_time(std::uint8_t* p, Time t, bool utc) {
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{t - day};
    const int year = static_cast<int>(ymd.year());
    std::size_t n = 0;
    if (!utc) {
        put2(p, static_cast<unsigned>(year / 100));
        n = 2;
    }
    put2(p + n, static_cast<unsigned>(year % 100));
    put2(p + n + 2, static_cast<unsigned>(ymd.month()));
    put2(p + n + 4, static_cast<unsigned>(ymd.day()));
    put2(p + n + 6, static_cast<unsigned>(hms.hours().count()));
    put2(p + n + 8, static_cast<unsigned>(hms.minutes().count()));
    put2(p + n + 10, static_cast<unsigned>(hms.seconds().count()));
    p[n + 12] = 'Z';
    return n + 13;
}

bool is_utc_year(Time t) {
    const int year = static_cast<int>(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(t)}.year());
    return year >= 1950 && year < 2050;
}

void check_representable(Time t) {
    const int year = static_cast<int>(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(t)}.year());
    if (year < 1 || year > 9999) throw InternalError("a CRL time outside the years 1..9999 cannot be encoded");
}

template <std::size_t N>
void append(Bytes& out, const std::array<std::uint8_t, N>& a) {
    out.insert(out.end(), a.begin(), a.end());
}

// Extension ::= SEQUENCE { extnID, extnValue OCTET STRING } (critical left at its default), for
// the short values entries carry.
void append_extension(Bytes& out, const std::array<std::uint8_t, 5>& oid, std::span<const std::uint8_t> value) {
    out.push_back(kSequence);
    out.push_back(static_cast<std::uint8_t>(oid.size() + 2 + value.size()));
    append(out, oid);
    out.push_back(kOctetString);
    out.push_back(static_cast<std::uint8_t>(value.size()));
    out.insert(out.end(), value.begin(), value.end());
}

}  // namespace

HoldInstruction parse_hold_instruction(std::string_view text) {
    if (text == "none") return HoldInstruction::None;
    if (text == "call-issuer") return HoldInstruction::CallIssuer;
    if (text == "reject") return HoldInstruction::Reject;
    return HoldInstruction::Omit;
}

std::size_t der_length_size(std::size_t length) {
    if (length < 0x80) return 1;
    std::size_t n = 1;
    while (length > 0) {
        ++n;
        length >>= 8;
    }
    return n;
}

void append_der_length(Bytes& out, std::size_t length) {
    if (length < 0x80) {
        out.push_back(static_cast<std::uint8_t>(length));
        return;
    }
    const std::size_t bytes = der_length_size(length) - 1;
    out.push_back(static_cast<std::uint8_t>(0x80 | bytes));
    for (std::size_t i = bytes; i-- > 0;) out.push_back(static_cast<std::uint8_t>(length >> (8 * i)));
}

void append_der_time(Bytes& out, Time t) {
    check_representable(t);
    std::uint8_t buf[15];
    const bool utc = is_utc_year(t);
    const std::size_t n = format_time(buf, t, utc);
    out.push_back(utc ? kUtcTime : kGeneralizedTime);
    out.push_back(static_cast<std::uint8_t>(n));
    out.insert(out.end(), buf, buf + n);
}

void RevokedListWriter::add(std::string_view serial_hex, RevocationReason reason, Time revoked_at,
                            std::optional<Time> invalidity_date) {
    // The serial's INTEGER content: the store keeps it minimal and positive (a leading 00
    // where the top bit is set), which is exactly DER's form; check rather than trust it.
    std::array<std::uint8_t, 21> serial{};
    const std::size_t digits = serial_hex.size();
    if (digits == 0 || digits % 2 != 0 || digits / 2 > serial.size())
        throw InternalError("a stored serial is not an even number of at most 42 hex digits: '" +
                            std::string(serial_hex.substr(0, 48)) + "'");
    const std::size_t serial_len = digits / 2;
    for (std::size_t i = 0; i < serial_len; ++i) {
        const int hi = hex_digit_value(serial_hex[2 * i]), lo = hex_digit_value(serial_hex[2 * i + 1]);
        if (hi < 0 || lo < 0) throw InternalError("a stored serial is not hex: '" + std::string(serial_hex.substr(0, 48)) + "'");
        serial[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    if ((serial_len > 1 && serial[0] == 0 && serial[1] < 0x80) || (serial[0] & 0x80) != 0)
        throw InternalError("a stored serial is not a minimal positive integer: '" + std::string(serial_hex) + "'");

    const bool with_reason = reason != RevocationReason::Unspecified;
    const bool with_hold = reason == RevocationReason::CertificateHold && hold_ != HoldInstruction::Omit;
    if (invalidity_date) check_representable(*invalidity_date);
    check_representable(revoked_at);

    // Sizes first, so each header is written once.
    constexpr std::size_t kReasonExt = 2 + 5 + 2 + 3;      // SEQ{OID, OCTET STRING{ENUMERATED}}
    constexpr std::size_t kInvalidityExt = 2 + 5 + 2 + 17;  // SEQ{OID, OCTET STRING{GeneralizedTime}}
    constexpr std::size_t kHoldExt = 2 + 5 + 2 + 9;        // SEQ{OID, OCTET STRING{OID}}
    const std::size_t exts = (with_reason ? kReasonExt : 0) + (invalidity_date ? kInvalidityExt : 0) +
                             (with_hold ? kHoldExt : 0);
    const std::size_t time_len = is_utc_year(revoked_at) ? 15 : 17;
    const std::size_t body = 2 + serial_len + time_len + (exts > 0 ? 1 + der_length_size(exts) + exts : 0);

    out_.push_back(kSequence);
    append_der_length(out_, body);
    out_.push_back(kInteger);
    out_.push_back(static_cast<std::uint8_t>(serial_len));
    out_.insert(out_.end(), serial.begin(), serial.begin() + static_cast<std::ptrdiff_t>(serial_len));
    append_der_time(out_, revoked_at);
    if (exts > 0) {
        out_.push_back(kSequence);
        append_der_length(out_, exts);
        // In the order OpenSSL's `ca` writes them: reason, hold instruction, invalidity date.
        if (with_reason) {
            const std::uint8_t value[] = {kEnumerated, 1, static_cast<std::uint8_t>(reason)};
            append_extension(out_, kReasonCodeOid, value);
        }
        if (with_hold) {
            std::array<std::uint8_t, 9> value{};
            std::copy(kHoldPrefix.begin(), kHoldPrefix.end(), value.begin());
            value[8] = hold_ == HoldInstruction::None ? 1 : hold_ == HoldInstruction::CallIssuer ? 2 : 3;
            append_extension(out_, kHoldInstructionOid, value);
        }
        if (invalidity_date) {
            // Always GeneralizedTime (RFC 5280 5.3.2).
            std::array<std::uint8_t, 17> value{kGeneralizedTime, 15};
            format_time(value.data() + 2, *invalidity_date, false);
            append_extension(out_, kInvalidityDateOid, value);
        }
    }
    ++count_;
}

}  // namespace pkilab::crl
