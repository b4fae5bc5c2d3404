// pkilab-plugin-helper: runs one policy plugin in a process of its own, for the host's
// isolated mode (ca/plugin/isolated_plugin.hpp). Whatever the plugin does here (crash, abort,
// loop, eat memory, scribble on the socket) costs the host one helper, never the CA.
//
// It reads frames from descriptor 3 and answers each one (plugin_wire.hpp): first a load,
// then evaluations and events, until the host closes the socket.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "ca/config/lab_config.hpp"
#include "ca/errors.hpp"
#include "ca/plugin/finding_collector.hpp"
#include "ca/plugin/frame_channel.hpp"
#include "ca/plugin/helper_limits.hpp"
#include "ca/plugin/loaded_plugin.hpp"
#include "ca/plugin/plugin_wire.hpp"

namespace pkilab {
namespace {

bool answer(const wire::Message& m) { return send_frame(kHelperSocketFd, wire::encode(m), std::nullopt) == FrameStatus::Ok; }

// The address space the helper has mapped so far (its code, libraries, heap).
std::uint64_t mapped_bytes() {
    unsigned long long pages = 0;
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (f == nullptr) return 0;
    if (std::fscanf(f, "%llu", &pages) != 1) pages = 0;
    std::fclose(f);
    return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// Before any of the plugin's code runs: no core files (a crash costs a restart, not a disk),
// and the memory cap the lab file sets, on top of what the helper itself has mapped. Counting
// from there keeps the cap meaningful under AddressSanitizer, whose shadow memory is terabytes
// of address space reserved before main(). (Under ASan, small blocks come from a region it
// reserved up front, so only large allocations meet the cap there; without ASan, all do.)
void limit_resources(std::uint64_t memory_bytes) {
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    if (memory_bytes > 0) {
        const rlim_t cap = mapped_bytes() + memory_bytes;
        const rlimit as{cap, cap};
        ::setrlimit(RLIMIT_AS, &as);
    }
}

class Helper {
public:
    ~Helper() {
        if (state_ != nullptr) plugin_->table().destroy(state_);
    }

    // Returns false when the host's message makes no sense (the host and helper disagree).
    bool handle(wire::Message m) {
        const std::string type = m.at("t").get<std::string>();
        if (type == "load") return load(m);
        if (state_ == nullptr) return false;
        if (type == "evaluate") return evaluate(std::move(m));
        if (type == "event") return event(std::move(m));
        return false;
    }

private:
    bool load(const wire::Message& m) {
        if (state_ != nullptr) return false;
        limit_resources(m.at("memory_bytes").get<std::uint64_t>());
        const PluginConfig config = wire::config_from(m);
        try {
            plugin_ = LoadedPlugin::load(wire::file_from(m), config.where + ": plugin " + config.name);
            state_ = plugin_->create_instance(config);
        } catch (const InputError& e) {
            return answer(wire::refused_message(e.where(), e.field(), e.problem(), e.hint()));
        }
        return answer(wire::loaded_message({plugin_->name(), plugin_->version(), plugin_->description(), plugin_->abi(),
                                            plugin_->table().on_event != nullptr}));
    }

    bool evaluate(wire::Message m) {
        const wire::RequestView request(std::move(m));
        FindingCollector findings(plugin_->name());
        std::uint32_t verdict = PKILAB_VERDICT_ERROR;
        try {
            verdict = plugin_->table().evaluate(state_, &request.view(), findings.sink());
        } catch (...) {
            return answer(wire::failed_message("the plugin threw an exception"));
        }
        return answer(wire::verdict_message(verdict, findings));
    }

    bool event(wire::Message m) {
        const wire::EventView event(std::move(m));
        if (plugin_->table().on_event != nullptr) {
            try {
                plugin_->table().on_event(state_, &event.view());
            } catch (...) {  // its answer is ignored, and so is its failure
            }
        }
        return answer(wire::done_message());
    }

    std::shared_ptr<const LoadedPlugin> plugin_;
    void* state_ = nullptr;
};

int run() {
    // Die with the host, even in a loop that never reads the socket again.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() == 1) return 1;
    ::close_range(kHelperSocketFd + 1, ~0u, 0);
    ::dup2(STDERR_FILENO, STDOUT_FILENO);  // a plugin's printf must not land in the CA's output
    ::signal(SIGPIPE, SIG_IGN);

    Helper helper;
    for (;;) {
        Bytes frame;
        if (receive_frame(kHelperSocketFd, frame, kMaxHostFrameBytes, std::nullopt) != FrameStatus::Ok) return 0;
        try {
            if (!helper.handle(wire::decode(frame))) return 2;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "pkilab-plugin-helper: unreadable message from the host: %s\n", e.what());
            return 2;
        }
    }
}

}  // namespace
}  // namespace pkilab

int main() { return pkilab::run(); }
