#include "profiles.hpp"

namespace pkilab::product_profile {

namespace {

constexpr Eku kServerAuth{"1.3.6.1.5.5.7.3.1", "Server Authentication"};
constexpr Eku kClientAuth{"1.3.6.1.5.5.7.3.2", "Client Authentication"};
constexpr Eku kKdcAuth{"1.3.6.1.5.2.3.5", "KDC Authentication"};
constexpr Eku kSmartcardLogon{"1.3.6.1.4.1.311.20.2.2", "Smart Card Logon"};

std::vector<Profile> make() {
    std::vector<Profile> out;

    // Microsoft, "Certificate requirements for internal servers" and "... for external user
    // access" in Lync Server 2010/2013 and Skype for Business Server 2015/2019 planning docs.
    Profile lync;
    lync.name = "lync2013";
    lync.title = "Lync Server 2013 / Skype for Business Server (Front End, Director, Edge)";
    lync.basis = "Microsoft Lync Server 2013 and Skype for Business Server certificate requirements";
    lync.required_ekus = {kServerAuth};
    lync.recommended_ekus = {kClientAuth};  // MTLS between pool servers and federation partners
    lync.require_cdp = true;                // the server and its clients fetch the CRL over HTTP
    lync.forbid_pss = true;                 // RSASSA-PSS is not supported
    lync.rsa_min_bits = 1024;
    lync.rsa_warn_below = 2048;
    lync.curves = {"P-256", "P-384", "P-521"};
    lync.require_dns_san = true;
    lync.cn_in_san = true;
    lync.uses_pool_settings = true;
    out.push_back(lync);

    Profile lync2010 = lync;
    lync2010.name = "lync2010";
    lync2010.title = "Lync Server 2010";
    lync2010.basis = "Microsoft Lync Server 2010 certificate requirements";
    lync2010.curves = {};  // Lync Server 2010 takes RSA certificates only
    out.push_back(lync2010);

    Profile sfb = lync;
    sfb.name = "skype2015";
    sfb.title = "Skype for Business Server 2015 / 2019";
    out.push_back(sfb);

    // CA/Browser Forum Baseline Requirements for TLS server certificates (as browsers enforce
    // them): 7.1.2.7 (subscriber certificates), 6.1.5 (key sizes), 6.3.2 (398 days).
    Profile cabf;
    cabf.name = "cabf-tls";
    cabf.title = "Publicly trusted TLS server (CA/Browser Forum Baseline Requirements)";
    cabf.basis = "CA/Browser Forum TLS Baseline Requirements 6.1.5, 6.3.2, 7.1.2.7, 7.1.4.3";
    cabf.required_ekus = {kServerAuth};
    cabf.require_cdp = false;
    cabf.require_aia = true;
    cabf.forbid_sha1 = true;
    cabf.rsa_min_bits = 2048;
    cabf.curves = {"P-256", "P-384", "P-521"};
    cabf.require_dns_san = true;
    cabf.cn_in_san = true;
    cabf.max_validity_days = 398;
    out.push_back(cabf);

    // Microsoft, "Requirements for domain controller certificates from a third-party CA"
    // (KB 291010) and smart card logon: KDC Authentication EKU, a CDP the DC and clients can
    // reach, the DC's DNS name in the SAN.
    Profile kdc;
    kdc.name = "windows-kdc";
    kdc.title = "Windows domain controller (Kerberos PKINIT / smart card logon)";
    kdc.basis = "Microsoft: requirements for domain controller certificates from a third-party CA";
    kdc.required_ekus = {kServerAuth, kKdcAuth};
    kdc.recommended_ekus = {kClientAuth, kSmartcardLogon};
    kdc.require_cdp = true;
    kdc.forbid_sha1 = true;
    kdc.rsa_min_bits = 2048;
    kdc.curves = {"P-256", "P-384", "P-521"};
    kdc.require_dns_san = true;
    out.push_back(kdc);
    return out;
}

}  // namespace

const std::vector<Profile>& profiles() {
    static const std::vector<Profile> all = make();  // immutable table
    return all;
}

const Profile* find_profile(std::string_view name) {
    for (const auto& p : profiles())
        if (p.name == name) return &p;
    return nullptr;
}

}  // namespace pkilab::product_profile
