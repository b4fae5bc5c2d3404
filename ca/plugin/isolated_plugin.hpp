#pragma once
// A plugin in isolated mode, seen from the host: it runs in a helper process of its own
// (ca/plugin/helper/), so that a crash, an abort, a hang past its timeout, runaway memory or
// garbage on the socket costs one request ("policy unavailable") and one helper, never the CA.
// The helper is stopped after any such failure and started again for the next request. It
// is killed if the thread that started it ends (PR_SET_PDEATHSIG follows the thread), which
// costs only that restart.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ca/config/lab_config.hpp"
#include "ca/plugin/helper_process.hpp"
#include "ca/plugin/plugin_wire.hpp"

namespace pkilab {

class FindingCollector;

class IsolatedPlugin final {
public:
    // Starts the helper `program`, which loads `file` and creates the instance from `config`.
    // Throws InputError naming the lab file entry, the file and the reason when the plugin
    // cannot be loaded or refuses its configuration, as an in-process load would.
    IsolatedPlugin(std::filesystem::path program, std::filesystem::path file, PluginConfig config);
    ~IsolatedPlugin();
    IsolatedPlugin(const IsolatedPlugin&) = delete;
    IsolatedPlugin& operator=(const IsolatedPlugin&) = delete;

    struct Answer {
        std::optional<std::uint32_t> verdict;  // what the plugin said
        std::string unavailable;               // else why there is no answer: "the helper process was killed by SIGSEGV ..."
        bool helper_lost = false;              // the helper failed (and will be restarted), not only the plugin
    };
    // One request, one at a time per helper. Findings land in `findings`. `message` is the
    // request's encoded evaluate message (wire::encode(wire::evaluate_message(request))): a
    // chain encodes it once for all its isolated plugins.
    Answer evaluate(const Bytes& message, FindingCollector& findings);
    Answer evaluate(const pkilab_request& request, FindingCollector& findings) {
        return evaluate(wire::encode(wire::evaluate_message(request)), findings);
    }
    // Tells the plugin what happened; waits at most the timeout, and a failure only restarts it.
    void notify(const pkilab_event& event);

    const wire::PluginIdentity& identity() const { return identity_; }
    std::uint64_t restarts() const;

private:
    void start();  // under mutex_; throws InputError or InternalError
    // Stops the helper; returns "the helper process " + `what`, or + how it ended when `what` is empty.
    std::string fail(const std::string& what, std::chrono::milliseconds grace);
    std::optional<wire::Message> exchange(const Bytes& message, std::chrono::milliseconds timeout, std::string& why);

    std::filesystem::path program_, file_;
    PluginConfig config_;
    wire::PluginIdentity identity_;
    mutable std::mutex mutex_;
    std::unique_ptr<HelperProcess> helper_;  // null after a failure, until the next request
    std::uint64_t starts_ = 0;
};

}  // namespace pkilab
