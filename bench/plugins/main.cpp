// bench/plugins: what the policy-plugin chain costs per request, next to what signing costs.
//   chain:   PolicyHost::evaluate on a request already turned into views (the plugins' own work
//            plus the host's copying of findings), for the built-in key-policy and
//            product-profile plugins, in-process and isolated (each plugin in its helper process:
//            the request is encoded, sent over a socket and answered)
//   views:   building those views from a parsed CSR and a draft certificate (PolicyRequest)
//   sign:    one signature by the CA's key type over a 600-byte TBS (the floor of issuance)
//   socket:  one request-sized frame to another thread and a short answer back, over a socket
//            pair (the floor of isolation: what any helper process costs on this machine)
// usage: bench_plugins [--seconds S]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <sys/socket.h>

#include "ca/authority/lab.hpp"
#include "ca/keys/key.hpp"
#include "ca/pipeline/issuance.hpp"
#include "ca/plugin/frame_channel.hpp"
#include "ca/plugin/plugin_wire.hpp"
#include "ca/plugin/policy_host.hpp"
#include "ca/unique_fd.hpp"
#include "ca/plugin/policy_request.hpp"
#include "ca/x509/csr.hpp"
#include "ca/x509/extensions.hpp"

namespace {

using namespace pkilab;
using Steady = std::chrono::steady_clock;

template <class F>
double per_second(double seconds, F f) {
    long n = 0;
    const auto start = Steady::now();
    const auto until = start + std::chrono::duration<double>(seconds);
    while (Steady::now() < until) {
        for (int i = 0; i < 64; ++i) f();
        n += 64;
    }
    return static_cast<double>(n) / std::chrono::duration<double>(Steady::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 2.0;
    for (int i = 1; i + 1 < argc; i += 2)
        if (std::string(argv[i]) == "--seconds") seconds = std::atof(argv[i + 1]);

    PluginsConfig plugins;
    plugins.load.push_back(PluginConfig{"keys", "libpkilab_key_policy.so", "bench", {{"rsa_min_bits", "2048"}}, "{}"});
    plugins.load.push_back(PluginConfig{"lync", "libpkilab_product_profile.so", "bench",
                                        {{"profile", "lync2013"}, {"sip_domains", "bench.test"}}, "{}"});
    PolicyHost host(plugins, ".");
    host.load();
    PluginsConfig isolated_plugins = plugins;
    for (auto& p : isolated_plugins.load) p.isolated = true;
    PolicyHost isolated(isolated_plugins, ".");
    isolated.load();

    // A draft like the pipeline's: parsed CSR, certificate with the usual extensions.
    ossl::PkeyPtr key = generate_key(KeySpec{KeyAlgorithm::Ec, 0, "P-256"});
    const Bytes der = csr_to_der(make_csr(key.get(), "CN=pool.bench.test", {{NameType::Dns, "pool.bench.test"},
                                                                           {NameType::Dns, "sip.bench.test"}}).get());
    const ParsedCsr csr = parse_csr(der);
    ossl::X509Ptr cert(X509_new());
    X509_set_version(cert.get(), X509_VERSION_3);
    X509_set_subject_name(cert.get(), X509_REQ_get_subject_name(csr.req.get()));
    X509_set_issuer_name(cert.get(), X509_REQ_get_subject_name(csr.req.get()));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * 365);
    X509_set_pubkey(cert.get(), key.get());
    for (auto& ext : {make_subject_alt_name(csr.sans, false), make_extended_key_usage({"serverAuth", "clientAuth"}, false),
                      make_crl_distribution_points({"http://127.0.0.1:8080/CertEnroll/bench.crl"})})
        X509_add_ext(cert.get(), ext.get(), -1);
    X509_sign(cert.get(), key.get(), EVP_sha256());  // an encodable stand-in for the draft, passing both plugins

    PolicySubject subject;
    subject.kind = PKILAB_KIND_PREFLIGHT;
    subject.ca_name = "bench";
    subject.template_name = "LyncServer";
    subject.template_version = "100.1";
    subject.csr = &csr;
    subject.cert = cert.get();
    subject.draft_tbs = Bytes(600, 0x30);
    const PolicyRequest request(subject);
    const std::string chain[] = {"keys", "lync"};

    const double views = per_second(seconds, [&] { PolicyRequest r(subject); });
    const double chain_rate = per_second(seconds, [&] {
        PolicyVerdict v = host.evaluate(chain, request.view());
        if (has_errors(v.findings)) std::abort();
    });
    const double isolated_rate = per_second(seconds, [&] {
        PolicyVerdict v = isolated.evaluate(chain, request.view());
        if (has_errors(v.findings)) std::abort();
    });
    const unsigned char tbs[600] = {1};
    const double sign_rate = per_second(seconds, [&] {
        ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
        unsigned char sig[256];
        size_t len = sizeof sig;
        if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
            EVP_DigestSign(ctx.get(), sig, &len, tbs, sizeof tbs) != 1)
            std::abort();
    });

    const Bytes message = wire::encode(wire::evaluate_message(request.view()));
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) std::abort();
    UniqueFd ours(pair[0]), theirs(pair[1]);
    std::thread echo([&] {
        Bytes in;
        while (receive_frame(theirs.get(), in, message.size(), std::nullopt) == FrameStatus::Ok)
            if (send_frame(theirs.get(), Bytes(64, 0), std::nullopt) != FrameStatus::Ok) break;
    });
    const double socket_rate = per_second(seconds, [&] {
        Bytes in;
        if (send_frame(ours.get(), message, std::nullopt) != FrameStatus::Ok ||
            receive_frame(ours.get(), in, 1024, std::nullopt) != FrameStatus::Ok)
            std::abort();
    });
    ::shutdown(ours.get(), SHUT_RDWR);
    echo.join();

    const PolicyVerdict once = host.evaluate(chain, request.view());
    std::printf("bench/plugins: chain [key-policy, product-profile lync2013], one thread\n");
    std::printf("  (one evaluation: %zu findings, none an error)\n\n", once.findings.size());
    std::printf("%-34s %12s %12s\n", "work", "per second", "us each");
    auto row = [](const char* what, double rate) { std::printf("%-34s %12.0f %12.1f\n", what, rate, 1e6 / rate); };
    row("chain (2 plugins), in-process", chain_rate);
    row("chain (2 plugins), isolated", isolated_rate);
    row("views for the plugins", views);
    row("one P-256 signature (the floor)", sign_rate);
    char socket_row[80];
    std::snprintf(socket_row, sizeof socket_row, "socket round trip, %zu-byte request", message.size());
    row(socket_row, socket_rate);
    std::printf("\nin-process: chain + views cost %.2fx one P-256 signature\n",
                (1.0 / chain_rate + 1.0 / views) / (1.0 / sign_rate));
    std::printf("isolated:   chain + views cost %.2fx one P-256 signature; per plugin, %.1fx a bare socket round trip\n",
                (1.0 / isolated_rate + 1.0 / views) / (1.0 / sign_rate), (0.5 / isolated_rate) / (1.0 / socket_rate));
    return 0;
}
