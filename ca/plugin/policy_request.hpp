#pragma once
// What a policy plugin is shown: the C views of plugins/sdk/pkilab_plugin.h, built from our
// own types, with the storage they point into. Built once per request and shared by every
// plugin in the chain; read-only for all of them.
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ca/bytes.hpp"
#include "ca/clock.hpp"
#include "ca/ossl/ptr.hpp"
#include "ca/store/store.hpp"
#include "ca/x509/csr.hpp"
#include "plugins/sdk/pkilab_plugin.h"

namespace pkilab {

struct PolicySubject {
    std::uint32_t kind = PKILAB_KIND_ISSUANCE;
    Time now{};
    std::string ca_name;
    std::string template_name;
    std::string template_version;
    Requester requester;
    std::string profile;
    const ParsedCsr* csr = nullptr;  // null in a certificate check
    const X509* cert = nullptr;      // the draft or the certificate checked; null if none was built
    Bytes draft_tbs;                 // a draft's exact TBSCertificate (the CA fills its signature field)
    std::optional<Time> issuer_not_after;
};

class PolicyRequest final {
public:
    explicit PolicyRequest(const PolicySubject& subject);
    PolicyRequest(const PolicyRequest&) = delete;
    PolicyRequest& operator=(const PolicyRequest&) = delete;

    const pkilab_request& view() const { return request_; }

private:
    pkilab_str keep(std::string s);
    pkilab_bytes keep(Bytes b);
    pkilab_key key_view(const EVP_PKEY* key, const X509_PUBKEY* spki, const std::string& curve, int bits);

    // Deques: what the views point into must not move when more is added.
    std::deque<std::string> strings_;
    std::deque<Bytes> bytes_;
    std::deque<std::vector<pkilab_name>> names_;
    std::deque<std::vector<pkilab_str>> lists_;
    std::deque<std::vector<pkilab_extension>> extensions_;
    pkilab_csr csr_{};
    pkilab_cert cert_{};
    pkilab_request request_{};
};

}  // namespace pkilab
