#include "ca/store/store.hpp"

#include <array>
#include <charconv>
#include <string_view>

#include "ca/errors.hpp"

namespace pkilab {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// Echoes hostile input back in a message without letting it grow or carry control characters.
std::string quoted(std::string_view s) {
    constexpr std::size_t kMax = 64;
    std::string out = "'";
    for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
    }
    if (s.size() > kMax) out += "...";
    return out + "'";
}

struct ReasonName {
    RevocationReason reason;
    std::string_view rfc;     // RFC 5280 ASN.1 name
    std::string_view hyphen;  // the CLI-friendly spelling
};

constexpr std::array<ReasonName, 10> kReasons{{
    {RevocationReason::Unspecified, "unspecified", "unspecified"},
    {RevocationReason::KeyCompromise, "keyCompromise", "key-compromise"},
    {RevocationReason::CaCompromise, "cACompromise", "ca-compromise"},
    {RevocationReason::AffiliationChanged, "affiliationChanged", "affiliation-changed"},
    {RevocationReason::Superseded, "superseded", "superseded"},
    {RevocationReason::CessationOfOperation, "cessationOfOperation", "cessation-of-operation"},
    {RevocationReason::CertificateHold, "certificateHold", "certificate-hold"},
    {RevocationReason::RemoveFromCrl, "removeFromCRL", "remove-from-crl"},
    {RevocationReason::PrivilegeWithdrawn, "privilegeWithdrawn", "privilege-withdrawn"},
    {RevocationReason::AaCompromise, "aACompromise", "aa-compromise"},
}};

constexpr const char* kReasonHint =
    "use one of unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, "
    "cessationOfOperation, certificateHold, privilegeWithdrawn, aACompromise (or the hyphenated "
    "form such as key-compromise, or the code 0-6, 9, 10)";

}  // namespace

const char* to_string(RequestState s) {
    switch (s) {
        case RequestState::Pending: return "pending";
        case RequestState::Issued: return "issued";
        case RequestState::Denied: return "denied";
        case RequestState::Failed: return "failed";
    }
    return "unknown";
}

RequestState parse_request_state(std::string_view s) {
    for (auto state : {RequestState::Pending, RequestState::Issued, RequestState::Denied, RequestState::Failed})
        if (iequals(s, to_string(state))) return state;
    throw InputError("request state", "state",
                     s.empty() ? "is empty" : "unknown request state " + quoted(s),
                     "use one of pending, issued, denied, failed");
}

const char* to_string(CrlKind k) { return k == CrlKind::Delta ? "delta" : "base"; }

const char* to_string(CertStatus s) {
    switch (s) {
        case CertStatus::Valid: return "valid";
        case CertStatus::Revoked: return "revoked";
        case CertStatus::OnHold: return "on-hold";
    }
    return "unknown";
}

const char* to_string(RevocationReason r) {
    for (const auto& n : kReasons)
        if (n.reason == r) return n.rfc.data();
    return "unknown";
}

RevocationReason parse_revocation_reason(std::string_view s, std::string_view where) {
    const std::string w(where);
    if (s.empty()) throw InputError(w, "reason", "is empty", kReasonHint);

    std::optional<RevocationReason> found;
    if (s.find_first_not_of("0123456789") == std::string_view::npos) {
        int code = -1;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), code);
        if (ec == std::errc() && end == s.data() + s.size()) {
            for (const auto& n : kReasons)
                if (static_cast<int>(n.reason) == code) found = n.reason;
        }
        if (!found)
            throw InputError(w, "reason",
                             code == 7 ? "7 is not a CRL reason code (RFC 5280 leaves it unused)"
                                       : "unknown revocation reason code " + quoted(s),
                             kReasonHint);
    } else {
        for (const auto& n : kReasons)
            if (iequals(s, n.rfc) || iequals(s, n.hyphen)) found = n.reason;
        if (!found) throw InputError(w, "reason", "unknown revocation reason " + quoted(s), kReasonHint);
    }
    if (*found == RevocationReason::RemoveFromCrl)
        throw InputError(w, "reason", "removeFromCRL is not a revocation reason",
                         "use `release` to take a certificate off hold");
    return *found;
}

}  // namespace pkilab
