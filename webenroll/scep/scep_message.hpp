#pragma once
// SCEP pkiMessages (RFC 8894 section 3): a CMS SignedData whose signed attributes say what the
// message is (messageType, transactionID, nonces, and in answers pkiStatus and failInfo) and
// whose content is an EnvelopedData (pkcsPKIEnvelope) encrypted to the receiver. Read and
// written with OpenSSL's PKCS7 functions; the SCEP attribute OIDs are registered with OpenSSL
// on first use.
#include <optional>
#include <string>

#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "ca/bytes.hpp"
#include "ca/clock.hpp"
#include "ca/ossl/ptr.hpp"

namespace pkilab::scep {

inline constexpr size_t kMaxMessageBytes = 128 * 1024;
inline constexpr size_t kMaxTransactionIdBytes = 256;
inline constexpr size_t kNonceBytes = 16;

enum class MessageType { CertRep = 3, RenewalReq = 17, PkcsReq = 19, CertPoll = 20, GetCert = 21, GetCrl = 22 };
enum class PkiStatus { Success = 0, Failure = 2, Pending = 3 };
enum class FailInfo { BadAlg = 0, BadMessageCheck = 1, BadRequest = 2, BadTime = 3, BadCertId = 4 };

const char* to_string(MessageType t);
const char* to_string(FailInfo f);

// OpenSSL's NIDs for the SCEP attributes (2.16.840.1.113733.1.9.x, and failInfoText
// 1.3.6.1.5.5.7.24.1).
struct Nids {
    int message_type, pki_status, fail_info, sender_nonce, recipient_nonce, transaction_id, fail_info_text;
};
const Nids& nids();

// A request whose outer SignedData was read: enough to answer it, with a failure if need be.
struct PkiMessage {
    int message_type = 0;        // as sent; MessageType when it is one we know
    std::string transaction_id;
    Bytes sender_nonce;
    ossl::X509Ptr signer;        // the certificate that signed it (self-signed, or one a CA issued)
    // Set when the message cannot be acted on: the answer is a FAILURE with this failInfo.
    std::optional<FailInfo> problem;
    std::string problem_text;
    Bytes content;               // the decrypted pkcsPKIEnvelope (a CSR, IssuerAndSubject, ...)
    int cipher_nid = 0;          // the envelope's content encryption
};

// Reads a pkiMessage sent to the RA. InputError when not even a failure can be answered: not
// a SignedData, no signer certificate, no transactionID, senderNonce or messageType. A bad
// signature, an envelope not for the RA or a cipher OpenSSL lacks are in `problem`.
PkiMessage read_pki_message(ByteView der, const X509* ra_cert, const EVP_PKEY* ra_key);

// The cipher an answer to `request_cipher_nid` is encrypted with: the client's own when it is
// AES-CBC or 3DES-CBC (it decrypts what it encrypts with), else AES-256-CBC.
const EVP_CIPHER* reply_cipher(int request_cipher_nid);

struct CertRep {
    PkiStatus status = PkiStatus::Failure;
    FailInfo fail_info = FailInfo::BadRequest;  // with Failure
    std::string fail_text;                       // with Failure: failInfoText (RFC 8894 3.2.1.4.5)
    std::string transaction_id;
    Bytes recipient_nonce;  // the request's senderNonce
    Bytes sender_nonce;     // a fresh one
    Bytes certs_only;       // with Success: the degenerate PKCS#7 to envelope
    const X509* recipient = nullptr;  // with Success: the request's signer
    const EVP_CIPHER* cipher = nullptr;
};

// The CertRep, signed by the RA (SHA-256), its signingTime `signed_at`.
Bytes write_cert_rep(const CertRep& rep, const X509* ra_cert, const EVP_PKEY* ra_key, Time signed_at);

// The client's side, for tests, the fuzz corpus and scripts: a pkiMessage of `type` whose
// envelope holds `content` encrypted to `recipient`, signed by `signer`/`signer_key`.
Bytes write_pki_message(MessageType type, ByteView content, const std::string& transaction_id, ByteView sender_nonce,
                        const X509* signer, const EVP_PKEY* signer_key, const X509* recipient,
                        const EVP_CIPHER* cipher, Time signed_at);

struct ReadCertRep {
    int status = -1;
    std::optional<int> fail_info;
    std::string fail_text;
    std::string transaction_id;
    Bytes recipient_nonce;
    Bytes sender_nonce;
    Bytes certs_only;  // decrypted, with Success
};
// Reads a CertRep as a client does: the signature must be the RA's. InputError otherwise.
ReadCertRep read_cert_rep(ByteView der, const X509* ra_cert, const X509* my_cert, const EVP_PKEY* my_key);

Bytes random_nonce();

}  // namespace pkilab::scep
