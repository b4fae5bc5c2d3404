// Isolated mode: a plugin in a helper process answers as it would in-process, and whatever it
// does wrong (crash, abort, hang, runaway memory, garbage on the socket, exit) refuses that one
// request with "policy unavailable", leaves the CA serving, and the helper comes back.
#include "ca/plugin/isolated_plugin.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ca/errors.hpp"
#include "ca/pipeline/revocation.hpp"
#include "crl/crl_publisher.hpp"
#include "ca/plugin/finding_collector.hpp"
#include "ca/plugin/plugin_wire.hpp"
#include "ca/plugin/policy_host.hpp"
#include "lab_fixture.hpp"
#include "plugin_test_support.hpp"

namespace pkilab::test {
namespace {

namespace fs = std::filesystem;

std::string isolated_gate(const std::string& extra = "") {
    // The timeout leaves room for a loaded CI machine (only a hang should meet it); the memory
    // cap is small so that the hog meets it in a few milliseconds.
    return "    - {name: gate, file: libtest_plugin_good.so, mode: isolated, timeout_ms: 250, memory_mb: 16, "
           "config: {marker: forbidden" +
           extra + "}}\n";
}

const Finding* unavailable_finding(const IssuanceOutcome& o) {
    for (const auto& f : o.findings)
        if (f.code == "plugin.unavailable") return &f;
    return nullptr;
}

std::size_t open_descriptors() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

// This process's children, and how many of them are zombies (exited, never reaped).
struct Children {
    std::size_t running = 0, zombies = 0;
};
Children children() {
    Children out;
    for (const auto& task : fs::directory_iterator("/proc/self/task")) {
        std::ifstream in(task.path() / "children");
        for (long pid = 0; in >> pid;) {
            std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
            std::string line;
            std::getline(stat, line);
            const auto paren = line.rfind(')');
            const char state = paren != std::string::npos && paren + 2 < line.size() ? line[paren + 2] : '?';
            ++(state == 'Z' ? out.zombies : out.running);
        }
    }
    return out;
}

// A request that shows the plugin nothing but a CSR subject (what the test plugin acts on).
struct SubjectOnly {
    explicit SubjectOnly(std::string s) : subject(std::move(s)) {
        csr.struct_size = sizeof csr;
        csr.subject = {subject.data(), subject.size()};
        request.struct_size = sizeof request;
        request.csr = &csr;
    }
    SubjectOnly(const SubjectOnly&) = delete;
    SubjectOnly& operator=(const SubjectOnly&) = delete;
    std::string subject;
    pkilab_csr csr{};
    pkilab_request request{};
};

TEST(IsolatedPlugin, AnswersAsTheSamePluginInProcessWould) {
    LabFixture fx(lab_with(isolated_gate(), "gate"));
    IssuanceOutcome ok = ask(fx, "www.lab.test");
    EXPECT_EQ(ok.state, RequestState::Issued);
    EXPECT_TRUE(has_code(ok.findings, "test.seen"));  // it saw the draft's SAN, through the socket

    IssuanceOutcome no = ask(fx, "forbidden.lab.test");
    EXPECT_EQ(no.state, RequestState::Denied);
    bool found = false;
    for (const auto& f : no.findings)
        if (f.code == "test.subject.denied") {
            found = true;
            EXPECT_EQ(f.source, "gate");
            EXPECT_EQ(f.field, "subject");
            EXPECT_EQ(f.hint, "choose another subject");
        }
    EXPECT_TRUE(found);
    EXPECT_EQ(ask(fx, "pend.lab.test").state, RequestState::Pending);
    EXPECT_TRUE(has_code(ask(fx, "garbage.lab.test").findings, "plugin.bad_verdict"));

    auto status = fx.lab().policies().status();
    ASSERT_EQ(status.size(), 1u);
    EXPECT_EQ(status[0].mode, "isolated");
    EXPECT_EQ(status[0].plugin, "test-plugin");
    EXPECT_EQ(status[0].version, "0.1");
    EXPECT_EQ(status[0].abi, "1.0");
    EXPECT_EQ(status[0].allowed, 1u);
    EXPECT_EQ(status[0].denied, 1u);
    EXPECT_EQ(status[0].pended, 1u);
    EXPECT_EQ(status[0].failed, 1u);
    EXPECT_EQ(status[0].restarts, 0u);
}

struct Fault {
    const char* word;    // in the subject: what the test plugin does (tests/plugins/test_plugin.c)
    const char* reason;  // part of the refusal
};

const Fault kFaults[] = {
    {"segfault", "was killed by SIGSEGV"},
    {"abort", "was killed by SIGABRT"},
    {"hang", "did not answer within 250 ms"},
    {"spin", "did not answer within 250 ms"},
    {"hog", "was killed by SIGABRT"},  // malloc returns NULL at the cap; the plugin aborts
    {"quit", "exited with status 7"},
    {"scribble", "answered with bytes that are not a message"},
    {"bigframe", "sent an answer over 4 MiB"},
};

TEST(IsolatedPlugin, EachFaultRefusesOneRequestWithItsReasonAndTheHelperComesBack) {
    LabFixture fx(lab_with(isolated_gate(), "gate"));
    std::uint64_t n = 0;
    for (const Fault& fault : kFaults) {
        SCOPED_TRACE(fault.word);
        IssuanceOutcome bad = ask(fx, std::string(fault.word) + ".lab.test");
        EXPECT_EQ(bad.state, RequestState::Denied);
        EXPECT_FALSE(bad.certificate);
        const Finding* f = unavailable_finding(bad);
        ASSERT_NE(f, nullptr);
        EXPECT_EQ(f->message.rfind("policy unavailable: gate: ", 0), 0u) << f->message;
        EXPECT_NE(f->message.find(fault.reason), std::string::npos) << f->message;
        EXPECT_NE(bad.disposition.find("policy unavailable: gate"), std::string::npos) << bad.disposition;
        ++n;
        EXPECT_EQ(ask(fx, "www.lab.test").state, RequestState::Issued);  // a new helper answers
    }
    EXPECT_EQ(fx.lab().policies().status()[0].restarts, n);
    EXPECT_EQ(fx.lab().policies().status()[0].failed, n);

    // The refusals are in the audit log, one event per unavailable plugin.
    std::size_t audited = 0;
    for (const auto& e : fx.lab().store().list_audit(10000))
        if (e.action == "policy-unavailable") {
            ++audited;
            EXPECT_EQ(e.outcome, "failed");
            EXPECT_TRUE(e.request_id.has_value());
            EXPECT_EQ(e.detail.rfind("policy unavailable: gate: ", 0), 0u) << e.detail;
        }
    EXPECT_EQ(audited, n);
}

TEST(IsolatedPlugin, AFloodOfFindingsIsBounded) {
    LabFixture fx(lab_with(isolated_gate(), "gate"));
    IssuanceOutcome o = ask(fx, "flood.lab.test");
    EXPECT_EQ(o.state, RequestState::Issued);  // warnings only
    std::size_t from_plugin = 0;
    for (const auto& f : o.findings)
        if (f.source == "gate" && f.code != "plugin.too_many_findings") {
            ++from_plugin;
            EXPECT_LE(f.message.size(), kMaxTextBytes + 3);
            EXPECT_LE(f.code.size(), kMaxCodeBytes + 3);
        }
    EXPECT_EQ(from_plugin, kMaxFindingsPerCall);
    EXPECT_TRUE(has_code(o.findings, "plugin.too_many_findings"));
}

// The bar: 1,000 bad requests in a row, every kind of fault, through the whole
// pipeline; none issued, each refused with its reason, and nothing left behind. A second
// isolated plugin throws on every request, so each one meets two faults.
TEST(IsolatedPlugin, SurvivesAThousandFaultsInARowWithoutLeakingDescriptorsOrProcesses) {
    LabFixture fx(lab_with(isolated_gate() + "    - {name: thrower, file: libtest_plugin_throws.so, mode: isolated}\n",
                           "gate, thrower"));
    struct Case {
        Fault fault;
        const char* code;
        Bytes csr;
    };
    std::vector<Case> cases;
    for (const Fault& f : kFaults)
        if (std::string(f.word) != "spin") cases.push_back({f, "plugin.unavailable", {}});  // "hang" times out already
    cases.push_back({{"garbage", "which is not a verdict"}, "plugin.bad_verdict", {}});
    cases.push_back({{"error", "the plugin could not decide"}, "plugin.error", {}});
    for (auto& c : cases) c.csr = ec_csr(std::string("CN=") + c.fault.word + ".lab.test", {dns(std::string(c.fault.word) + ".lab.test")});

    const std::size_t certificates_before = fx.lab().store().search_certificates({}).size();
    ask(fx, "warm-up.lab.test");  // both helpers running, as they are from now on
    const std::size_t fds_before = open_descriptors();
    constexpr int kRequests = 1000;
    int refused_with_reason = 0;
    for (int i = 0; i < kRequests; ++i) {
        const Case& c = cases[static_cast<std::size_t>(i) % cases.size()];
        IssuanceOutcome o = submit(fx.ctx(), {"WebServer", "", c.csr, kAlice});
        bool gate = false, thrower = false;
        for (const auto& f : o.findings) {
            gate = gate || (f.source == "gate" && f.code == c.code && f.message.find(c.fault.reason) != std::string::npos);
            thrower = thrower || (f.source == "thrower" && f.code == "plugin.exception");
        }
        if (o.state == RequestState::Denied && !o.certificate && gate && thrower)
            ++refused_with_reason;
        else
            ADD_FAILURE() << "request " << i << " (" << c.fault.word << "): " << o.disposition;
    }
    EXPECT_EQ(refused_with_reason, kRequests);
    EXPECT_EQ(fx.lab().store().search_certificates({}).size(), certificates_before);
    EXPECT_EQ(open_descriptors(), fds_before);
    const Children left = children();
    EXPECT_EQ(left.zombies, 0u);  // every helper that failed was reaped
    EXPECT_LE(left.running, 2u);  // at most the two plugins' current helpers
}

TEST(IsolatedPlugin, ABadAbiIsRefusedAtLoadAndWhenTheHelperRestarts) {
    try {
        LabFixture fx(lab_with("    - {name: p, file: libtest_plugin_abi2.so, mode: isolated}\n", "p"));
        ADD_FAILURE() << "an ABI 2 plugin was loaded in isolated mode";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("built for plugin ABI 2.0"), std::string::npos) << e.what();
    }

    // The file changes under a running CA: the restart after a crash checks it again.
    const fs::path dir = fs::temp_directory_path() / ("pkilab-isolated-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all);
    fs::copy_file(kTestPlugins + "/libtest_plugin_good.so", dir / "gate.so", fs::copy_options::overwrite_existing);
    PluginConfig pc{"gate", "gate.so", "lab.yaml:1:1", {}, "{}"};
    pc.isolated = true;
    IsolatedPlugin plugin(plugin_helper_program(), dir / "gate.so", pc);
    fs::copy_file(kTestPlugins + "/libtest_plugin_abi2.so", dir / "gate.so", fs::copy_options::overwrite_existing);

    const SubjectOnly crash("CN=segfault");
    FindingCollector first("gate");
    EXPECT_NE(plugin.evaluate(crash.request, first).unavailable.find("SIGSEGV"), std::string::npos);
    FindingCollector second("gate");
    const IsolatedPlugin::Answer a = plugin.evaluate(crash.request, second);
    EXPECT_FALSE(a.verdict);
    EXPECT_NE(a.unavailable.find("could not be restarted"), std::string::npos) << a.unavailable;
    EXPECT_NE(a.unavailable.find("built for plugin ABI 2.0"), std::string::npos) << a.unavailable;
    fs::remove_all(dir);
}

// Reload: new settings take effect at once, a bad reload changes nothing, and requests that run
// during reloads finish with the plugins they started with (ASan would see one that did not).
TEST(PluginReload, SwapsPluginsWhileRequestsRunAndKeepsTheOldOnesOnError) {
    auto config = [](const std::string& marker, bool isolated, const std::string& file = "libtest_plugin_good.so") {
        PluginsConfig c;
        c.directories = {kTestPlugins};
        PluginConfig pc{"gate", file, "lab.yaml:1:1", {{"marker", marker}}, "{}"};
        pc.isolated = isolated;
        c.load.push_back(pc);
        return c;
    };
    auto verdict = [](const PolicyHost& host, const std::string& subject) {
        const SubjectOnly r(subject);
        const std::string chain[] = {"gate"};
        const PolicyVerdict v = host.evaluate(chain, r.request);
        return v.verdicts.empty() ? std::string("none") : v.verdicts[0].second;
    };
    PolicyHost host(config("alpha", false), "/");
    EXPECT_EQ(verdict(host, "CN=alpha"), "deny");
    EXPECT_EQ(verdict(host, "CN=beta"), "allow");

    host.reload(config("beta", true));  // new settings, and now isolated
    EXPECT_EQ(verdict(host, "CN=alpha"), "allow");
    EXPECT_EQ(verdict(host, "CN=beta"), "deny");
    EXPECT_EQ(host.status()[0].mode, "isolated");

    EXPECT_THROW(host.reload(config("gamma", false, "libtest_plugin_abi2.so")), InputError);
    EXPECT_EQ(verdict(host, "CN=beta"), "deny");  // still the previous plugins

    std::atomic<bool> stop{false};
    std::atomic<int> wrong{0}, done{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < 3; ++t)
        workers.emplace_back([&] {
            while (!stop) {
                const std::string v = verdict(host, "CN=omega");
                if (v != "allow" && v != "deny") ++wrong;
                ++done;
            }
        });
    for (int i = 0; i < 20; ++i) host.reload(config(i % 2 == 0 ? "omega" : "other", i % 3 == 0));
    stop = true;
    for (auto& w : workers) w.join();
    EXPECT_EQ(wrong, 0);
    EXPECT_GT(done, 0);
    EXPECT_EQ(verdict(host, "CN=omega"), "allow");  // the last reload ("other") is in force
}

// Events (AD CS exit modules): each plugin with on_event hears of what happened, in-process and
// isolated alike; the test plugin writes a line per event to a file.
TEST(PluginEvents, IssuedDeniedPendingRevokedAndCrlPublishedReachThePlugin) {
    for (const bool isolated : {false, true}) {
        SCOPED_TRACE(isolated ? "isolated" : "in-process");
        const fs::path log = fs::temp_directory_path() / ("pkilab-events-" + std::to_string(::getpid()) + ".log");
        fs::remove(log);
        const std::string entry = "    - {name: gate, file: libtest_plugin_good.so" + std::string(isolated ? ", mode: isolated" : "") +
                                  ", config: {marker: forbidden, events: \"" + log.string() + "\"}}\n";
        LabFixture fx(lab_with(entry, "gate"));
        IssuanceOutcome ok = ask(fx, "www.lab.test");
        ASSERT_TRUE(ok.certificate);
        IssuanceOutcome no = ask(fx, "forbidden.lab.test");
        IssuanceOutcome wait = ask(fx, "pend.lab.test");
        revoke(fx.ctx(), ok.certificate->serial, RevocationReason::KeyCompromise, kAlice, std::nullopt, "");
        const crl::Published crl = crl::publish_crl(fx.lab(), fx.lab().ca("issuing"), CrlKind::Base, "alice", "test");
        std::ifstream in(log);
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        const std::string id = " forbidden ";
        EXPECT_EQ(lines, (std::vector<std::string>{
                             "0" + id + std::to_string(ok.request_id) + " " + ok.certificate->serial,
                             "1" + id + std::to_string(no.request_id) + " ",
                             "2" + id + std::to_string(wait.request_id) + " ",
                             "3" + id + std::to_string(ok.request_id) + " " + ok.certificate->serial,
                             "4" + id + "0 ",
                         }));
        EXPECT_EQ(crl.record.entries, 1u);
        fs::remove(log);
    }
}

// ---- the messages ----

TEST(PluginWire, ARequestCrossesTheSocketFieldForField) {
    const std::string s[] = {"CN=www", "www.lab.test", "P-256", "1.3.6.1.5.5.7.3.1", "http://crl", "http://aia", "http://ocsp",
                             "2.23.140.1.2.1", "2.5.29.17", "RootCA", "WebServer", "1.2", "alice", "enrollee", "est",
                             "lync2013", "ab12", "CN=Issuing", "ecdsa-with-SHA256"};
    auto v = [](const std::string& x) { return pkilab_str{x.data(), x.size()}; };
    const Bytes der{0x30, 0x03, 0x02, 0x01, 0x05}, modulus{0xc1, 0x02}, exponent{0x01, 0x00, 0x01};
    auto b = [](const Bytes& x) { return pkilab_bytes{x.data(), x.size()}; };
    const pkilab_name names[] = {{PKILAB_NAME_DNS, v(s[1])}, {PKILAB_NAME_IP, v(s[4])}};
    const pkilab_extension exts[] = {{v(s[8]), 1, b(der)}};
    const pkilab_str ekus[] = {v(s[3])}, crls[] = {v(s[4])}, aias[] = {v(s[5])}, ocsps[] = {v(s[6])}, pols[] = {v(s[7])};
    const pkilab_key key{PKILAB_KEY_RSA, 2048, v(s[2]), b(modulus), b(exponent), b(der)};
    const pkilab_csr csr{sizeof(pkilab_csr), b(der), v(s[0]), names, 2, key, v(s[18]), exts, 1};
    const pkilab_cert cert{sizeof(pkilab_cert), b(der), v(s[16]), v(s[0]), v(s[17]), names, 2, key, -5, 1'900'000'000, 1,
                           PKILAB_KU_DIGITAL_SIGNATURE | PKILAB_KU_KEY_ENCIPHERMENT, ekus, 1, 1, 1, -1, v(s[18]),
                           crls, 1, aias, 1, ocsps, 1, pols, 1, exts, 1, 2'000'000'000};
    const pkilab_request r{sizeof(pkilab_request), PKILAB_KIND_PREFLIGHT, 1'800'000'000, v(s[9]), v(s[10]), v(s[11]),
                           v(s[12]), v(s[13]), v(s[14]), v(s[15]), &csr, &cert};

    const wire::RequestView got(wire::decode(wire::encode(wire::evaluate_message(r))));
    const pkilab_request& g = got.view();
    auto str = [](pkilab_str x) { return std::string(x.ptr, x.len); };
    auto bytes = [](pkilab_bytes x) { return Bytes(x.ptr, x.ptr + x.len); };
    EXPECT_EQ(g.kind, r.kind);
    EXPECT_EQ(g.now, r.now);
    EXPECT_EQ(str(g.ca_name), "RootCA");
    EXPECT_EQ(str(g.template_name), "WebServer");
    EXPECT_EQ(str(g.template_version), "1.2");
    EXPECT_EQ(str(g.requester_identity), "alice");
    EXPECT_EQ(str(g.requester_role), "enrollee");
    EXPECT_EQ(str(g.requester_channel), "est");
    EXPECT_EQ(str(g.profile), "lync2013");
    ASSERT_NE(g.csr, nullptr);
    ASSERT_NE(g.cert, nullptr);
    EXPECT_EQ(bytes(g.csr->der), der);
    EXPECT_EQ(str(g.csr->subject), "CN=www");
    ASSERT_EQ(g.csr->san_count, 2u);
    EXPECT_EQ(g.csr->sans[1].type, PKILAB_NAME_IP);
    EXPECT_EQ(str(g.csr->sans[1].value), "http://crl");
    EXPECT_EQ(g.csr->key.algorithm, PKILAB_KEY_RSA);
    EXPECT_EQ(g.csr->key.bits, 2048u);
    EXPECT_EQ(bytes(g.csr->key.rsa_modulus), modulus);
    EXPECT_EQ(bytes(g.csr->key.rsa_exponent), exponent);
    EXPECT_EQ(str(g.csr->signature_algorithm), "ecdsa-with-SHA256");
    ASSERT_EQ(g.csr->extension_count, 1u);
    EXPECT_EQ(str(g.csr->extensions[0].oid), "2.5.29.17");
    EXPECT_EQ(g.csr->extensions[0].critical, 1u);
    const pkilab_cert& c = *g.cert;
    EXPECT_EQ(str(c.serial), "ab12");
    EXPECT_EQ(str(c.issuer), "CN=Issuing");
    EXPECT_EQ(c.not_before, -5);
    EXPECT_EQ(c.not_after, 1'900'000'000);
    EXPECT_EQ(c.key_usage, PKILAB_KU_DIGITAL_SIGNATURE | PKILAB_KU_KEY_ENCIPHERMENT);
    EXPECT_EQ(c.path_length, -1);
    EXPECT_EQ(c.is_ca, 1u);
    ASSERT_EQ(c.extended_key_usage_count, 1u);
    EXPECT_EQ(str(c.extended_key_usage[0]), "1.3.6.1.5.5.7.3.1");
    EXPECT_EQ(str(c.crl_urls[0]), "http://crl");
    EXPECT_EQ(str(c.ca_issuer_urls[0]), "http://aia");
    EXPECT_EQ(str(c.ocsp_urls[0]), "http://ocsp");
    EXPECT_EQ(str(c.policies[0]), "2.23.140.1.2.1");
    EXPECT_EQ(bytes(c.extensions[0].value), der);
    EXPECT_EQ(c.issuer_not_after, 2'000'000'000);
}

TEST(PluginWire, AnAnswerThatIsNotAVerdictIsRefusedAndAddsNothing) {
    using nlohmann::json;
    const json bad[] = {
        json::array({1, 2}),
        {{"t", "verdict"}},
        {{"t", "verdict"}, {"verdict", -1}, {"findings", json::array()}, {"dropped", 0}, {"bad_severity", false}},
        {{"t", "verdict"}, {"verdict", 0}, {"findings", "x"}, {"dropped", 0}, {"bad_severity", false}},
        {{"t", "verdict"}, {"verdict", 0}, {"findings", json::array({json::array({0, "a", "b", "c"})})}, {"dropped", 0},
         {"bad_severity", false}},
        {{"t", "verdict"}, {"verdict", 0}, {"findings", json::array({json::array({0, "a", "b", "c", 5})})}, {"dropped", 0},
         {"bad_severity", false}},
        {{"t", "loaded"}},
    };
    for (const auto& m : bad) {
        FindingCollector c("p");
        std::string failure, problem;
        EXPECT_FALSE(wire::read_verdict(m, c, failure, problem)) << m.dump();
        EXPECT_FALSE(problem.empty()) << m.dump();
        EXPECT_TRUE(c.findings().empty());
    }
    FindingCollector c("p");
    std::string failure, problem;
    const json odd = {{"t", "verdict"}, {"verdict", 0}, {"findings", json::array({json::array({7, "a", "b", "c", "d"})})},
                      {"dropped", 3}, {"bad_severity", false}};
    EXPECT_EQ(wire::read_verdict(odd, c, failure, problem), std::optional<std::uint32_t>(0));
    EXPECT_TRUE(c.bad_severity());  // an unknown severity still fails closed
    EXPECT_EQ(c.dropped(), 3u);
    ASSERT_EQ(c.findings().size(), 1u);
    EXPECT_EQ(c.findings()[0].severity, Severity::Error);
}

}  // namespace
}  // namespace pkilab::test
