#pragma once
// The messages between the host and the helper process that runs an isolated plugin
// (ca/plugin/helper/): CBOR maps (RFC 8949) written and read by nlohmann-json, one per frame
// (frame_channel.hpp). The host trusts nothing the helper sends back, since the plugin runs
// there and may write anything to the socket: every answer is checked field by field.
//
//   host -> helper            helper -> host
//   {t: load, file, config,   {t: loaded, name, version, description, abi, events}
//    memory_bytes}            {t: refused, where, field, problem, hint}
//   {t: evaluate, request}    {t: verdict, verdict, findings, dropped, bad_severity}
//                             {t: failed, reason}
//   {t: event, event}         {t: done}
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ca/bytes.hpp"
#include "ca/config/lab_config.hpp"
#include "plugins/sdk/pkilab_plugin.h"

namespace pkilab {

class FindingCollector;

namespace wire {

using Message = nlohmann::json;

Bytes encode(const Message& m);
// Throws nlohmann::json::exception on bytes that are not one CBOR item.
Message decode(const Bytes& b);

// What the helper learnt about the plugin it loaded.
struct PluginIdentity {
    std::string name, version, description, abi;
    bool wants_events = false;  // it has an on_event callback
};

// ---- host -> helper ----
// `memory_bytes`: the helper's address-space limit, set before the plugin is loaded (0: none).
Message load_message(const std::filesystem::path& file, const PluginConfig& config, std::uint64_t memory_bytes);
Message evaluate_message(const pkilab_request& request);
Message event_message(const pkilab_event& event);

// Helper side: the request rebuilt as the C views a plugin is given, pointing into the
// decoded message. Throws nlohmann::json::exception when a field is missing or mistyped.
class RequestView final {
public:
    explicit RequestView(Message request);
    RequestView(const RequestView&) = delete;
    RequestView& operator=(const RequestView&) = delete;
    const pkilab_request& view() const { return request_; }

private:
    struct Cert;
    Message doc_;
    std::vector<pkilab_name> csr_sans_, cert_sans_;
    std::vector<pkilab_extension> csr_extensions_, cert_extensions_;
    std::vector<pkilab_str> ekus_, crl_urls_, ca_issuer_urls_, ocsp_urls_, policies_;
    pkilab_csr csr_{};
    pkilab_cert cert_{};
    pkilab_request request_{};
};

class EventView final {
public:
    explicit EventView(Message event);
    EventView(const EventView&) = delete;
    EventView& operator=(const EventView&) = delete;
    const pkilab_event& view() const { return event_; }

private:
    Message doc_;
    pkilab_event event_{};
};

// Helper side: the PluginConfig a load message carries, and the file to load.
PluginConfig config_from(const Message& load);
std::filesystem::path file_from(const Message& load);

// ---- helper -> host ----
Message loaded_message(const PluginIdentity& identity);
Message refused_message(const std::string& where, const std::string& field, const std::string& problem,
                        const std::string& hint);
Message verdict_message(std::uint32_t verdict, FindingCollector& findings);
Message failed_message(const std::string& reason);
Message done_message();

// Host side. Each returns nullopt and sets `problem` when the answer is not what was asked for.
std::optional<PluginIdentity> read_loaded(const Message& m, std::string& problem);
// A refusal to load: the InputError the helper met, in three parts.
struct LoadRefusal {
    std::string where, field, problem, hint;
};
std::optional<LoadRefusal> read_refused(const Message& m);
// A verdict, its findings added to `into` (bounded and cleaned there like an in-process
// plugin's); or the helper's own report that the plugin failed (`failure`).
std::optional<std::uint32_t> read_verdict(const Message& m, FindingCollector& into, std::string& failure,
                                          std::string& problem);
bool read_done(const Message& m);

}  // namespace wire
}  // namespace pkilab
