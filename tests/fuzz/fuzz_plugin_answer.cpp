// What an isolated plugin's helper sends back, on hostile bytes: the plugin runs in the helper
// and may write anything to the socket. The host decodes the frame (CBOR) and reads it as a
// verdict, a load answer, a refusal or an event acknowledgement; whatever it accepts must be
// bounded as an in-process plugin's findings are, and nothing may throw past the readers.
#include <cstddef>
#include <cstdint>

#include "ca/plugin/finding_collector.hpp"
#include "ca/plugin/plugin_wire.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pkilab;
    wire::Message m;
    try {
        m = wire::decode(Bytes(data, data + size));
    } catch (const nlohmann::json::exception&) {
        return 0;  // not CBOR: the host stops that helper
    }
    FindingCollector findings("fuzz");
    std::string failure, problem;
    const auto verdict = wire::read_verdict(m, findings, failure, problem);
    fuzz::require(verdict.has_value() || !failure.empty() || !problem.empty(), "a refused verdict says why");
    fuzz::require(!verdict.has_value() || problem.empty(), "an accepted verdict reports no problem");
    fuzz::require(findings.findings().size() <= kMaxFindingsPerCall, "findings are bounded");
    for (const auto& f : findings.findings()) {
        fuzz::require(f.code.size() <= kMaxCodeBytes + 3 && f.field.size() <= kMaxFieldBytes + 3, "code and field are bounded");
        fuzz::require(f.message.size() <= kMaxTextBytes + 3 && f.hint.size() <= kMaxTextBytes + 3, "texts are bounded");
        for (unsigned char c : f.message) fuzz::require(c >= 0x20 && c != 0x7f, "no control characters in a message");
    }
    std::string load_problem;
    if (auto id = wire::read_loaded(m, load_problem)) fuzz::require(id->name.size() <= 64, "the plugin name is bounded");
    (void)wire::read_refused(m);
    (void)wire::read_done(m);
    return 0;
}
