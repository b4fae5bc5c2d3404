#pragma once
// A CA's SCEP registration authority: an RSA-2048 key and a certificate of template ScepRA
// that the CA issues itself (submit_for_ca_infrastructure), since SCEP clients encrypt to an
// RSA key and the lab's CAs have ECDSA ones. Dated by the lab clock like everything the CA
// issues; renewed once two thirds of its life have passed.
//
//   STATE/scep/CA/ra.key   its private key (PKCS#8 PEM, mode 0600)
//   STATE/scep/CA/ra.pem   its certificate
//   STATE/scep/CA/lock     serializes renewal between processes (flock)
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "ca/authority/lab.hpp"
#include "ca/ossl/ptr.hpp"

namespace pkilab::scep {

inline constexpr const char* kRaTemplate = "ScepRA";

struct RaIdentity {
    ossl::X509Ptr certificate;
    ossl::PkeyPtr key;
    Time not_before{};
    Time not_after{};
};

class RaCertificate {
public:
    // Reuses the pair on disk when it is current, else has the CA issue one. ConflictError when
    // the CA refuses it (a policy plugin, an expired CA).
    RaCertificate(const Lab& lab, const CertificateAuthority& ca);
    RaCertificate(const RaCertificate&) = delete;
    RaCertificate& operator=(const RaCertificate&) = delete;

    // The identity to use at `now`, renewed first when due; a failed renewal keeps the old one
    // (tried again at the next call an hour later).
    std::shared_ptr<const RaIdentity> current(Time now);
    const CertificateAuthority& ca() const { return ca_; }

    static std::filesystem::path folder(const Lab& lab, const CertificateAuthority& ca);

private:
    bool due(const RaIdentity& id, Time now) const;
    std::shared_ptr<const RaIdentity> load(Time now) const;
    std::shared_ptr<const RaIdentity> issue();
    void renew(Time now);

    const Lab& lab_;
    const CertificateAuthority& ca_;
    std::filesystem::path folder_;
    std::mutex mutex_;
    std::shared_ptr<const RaIdentity> identity_;
    std::optional<Time> failed_at_;
};

}  // namespace pkilab::scep
