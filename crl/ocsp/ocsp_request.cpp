#include "crl/ocsp/ocsp_request.hpp"

#include "ca/ossl/error.hpp"

namespace pkilab::crl {

namespace {

ByteView view(const ASN1_OCTET_STRING* s) {
    if (s == nullptr) return {};
    return {ASN1_STRING_get0_data(s), static_cast<std::size_t>(ASN1_STRING_length(s))};
}

// A nonce we echo: present, not empty, not oversize. Anything else is answered as if there
// were no nonce, which RFC 8954 allows and which keeps such requests on the cached path.
bool wants_nonce(OCSP_REQUEST* req) {
    const int at = OCSP_REQUEST_get_ext_by_NID(req, NID_id_pkix_OCSP_Nonce, -1);
    if (at < 0) return false;
    X509_EXTENSION* ext = OCSP_REQUEST_get_ext(req, at);
    const std::size_t size = ext != nullptr ? view(X509_EXTENSION_get_data(ext)).size() : 0;
    return size > 0 && size <= kMaxNonceValueBytes;
}

}  // namespace

std::string serial_key(const ASN1_INTEGER* serial) {
    constexpr std::size_t kMaxSerialOctets = 20;  // RFC 5280 4.1.2.2
    if (serial == nullptr || ASN1_STRING_type(serial) != V_ASN1_INTEGER) return {};
    ByteView magnitude = view(serial);
    std::size_t first = 0;
    while (first < magnitude.size() && magnitude[first] == 0) ++first;
    magnitude = magnitude.subspan(first);
    if (magnitude.size() > kMaxSerialOctets) return {};
    if (magnitude.empty()) return "00";
    std::string hex = to_hex(magnitude);
    if ((magnitude[0] & 0x80) != 0) hex.insert(0, "00");
    return hex;
}

std::optional<ParsedOcspRequest> parse_ocsp_request(ByteView der) {
    if (der.empty() || der.size() > kMaxOcspRequestBytes) return std::nullopt;
    ossl::ErrorMark mark;  // a request that does not parse is an answer, not an error to report
    const unsigned char* p = der.data();
    ParsedOcspRequest out;
    out.request.reset(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(der.size())));
    if (!out.request || p != der.data() + der.size()) return std::nullopt;
    OCSP_REQUEST* req = out.request.get();
    const int count = OCSP_request_onereq_count(req);
    if (count <= 0 || static_cast<std::size_t>(count) > kMaxCertIdsPerRequest) return std::nullopt;
    out.certs.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        RequestedCert c;
        c.id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, i));
        ASN1_OCTET_STRING* name_hash = nullptr;
        ASN1_OBJECT* md = nullptr;
        ASN1_OCTET_STRING* key_hash = nullptr;
        ASN1_INTEGER* serial = nullptr;
        if (c.id == nullptr || OCSP_id_get0_info(&name_hash, &md, &key_hash, &serial, c.id) != 1)
            return std::nullopt;
        // A response copies the CertID by encoding it and reading it back, which some that
        // d2i accepted do not survive (a fuzzer found one): such a request is malformed, not a
        // fault of ours.
        unsigned char* enc = nullptr;
        const int len = i2d_OCSP_CERTID(c.id, &enc);
        ossl::OsslBytesPtr owned(enc);
        if (len <= 0) return std::nullopt;
        const unsigned char* q = enc;
        ossl::OcspCertIdPtr again(d2i_OCSP_CERTID(nullptr, &q, len));
        if (!again || q != enc + len) return std::nullopt;
        c.der.assign(enc, enc + len);
        c.hash_nid = md != nullptr ? OBJ_obj2nid(md) : NID_undef;
        c.name_hash = view(name_hash);
        c.key_hash = view(key_hash);
        c.serial = serial_key(serial);
        out.certs.push_back(std::move(c));
    }
    out.nonce = wants_nonce(req);
    return out;
}

}  // namespace pkilab::crl
