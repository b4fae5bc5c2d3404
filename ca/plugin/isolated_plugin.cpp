#include "ca/plugin/isolated_plugin.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "ca/errors.hpp"
#include "ca/plugin/finding_collector.hpp"
#include "ca/plugin/frame_channel.hpp"
#include "ca/plugin/helper_limits.hpp"

namespace pkilab {

namespace {

using std::chrono::milliseconds;

// Loading may be slow (a plugin reading large tables); one request may not.
constexpr milliseconds kStartTimeout{10'000};
// A helper that crashed has usually exited by the time its socket reads as closed; wait a
// little for its status so that the refusal can say how it ended.
constexpr milliseconds kCrashGrace{200};
// Time for a healthy helper to destroy its instance when the host lets it go.
constexpr milliseconds kShutdownGrace{100};

std::vector<std::string> helper_environment() {
    if (!kUnderAddressSanitizer) return {};
    // In a sanitizer build: let a plugin's crash end the helper as a signal would without ASan
    // (no report, no symbolizer run per crash), and let malloc return NULL at the memory cap as
    // glibc's does, rather than ASan reporting it.
    const char* inherited = std::getenv("ASAN_OPTIONS");
    std::string options = inherited != nullptr ? std::string(inherited) + ":" : std::string();
    options += "handle_segv=0:handle_abort=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:allocator_may_return_null=1";
    return {"ASAN_OPTIONS=" + options};
}

}  // namespace

IsolatedPlugin::IsolatedPlugin(std::filesystem::path program, std::filesystem::path file, PluginConfig config)
    : program_(std::move(program)), file_(std::move(file)), config_(std::move(config)) {
    std::lock_guard<std::mutex> lock(mutex_);
    start();
}

IsolatedPlugin::~IsolatedPlugin() {
    if (helper_) helper_->stop(kShutdownGrace);
}

std::uint64_t IsolatedPlugin::restarts() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return starts_ > 0 ? starts_ - 1 : 0;
}

void IsolatedPlugin::start() {
    const std::string where = config_.where + ": plugin " + config_.name;
    helper_ = HelperProcess::spawn(program_, helper_environment());
    ++starts_;
    std::string why;
    const auto reply = exchange(wire::encode(wire::load_message(file_, config_, std::uint64_t{config_.memory_mb} << 20)),
                                kStartTimeout, why);
    if (!reply)
        throw InputError(where, "file", file_.string() + ": while loading the plugin, " + why,
                         "check the plugin with mode: in-process on a test lab, or raise memory_mb");
    if (auto refused = wire::read_refused(*reply)) {
        fail("", kShutdownGrace);
        throw InputError(refused->where, refused->field, refused->problem, refused->hint);
    }
    std::string problem;
    auto identity = wire::read_loaded(*reply, problem);
    if (!identity) {
        fail("", milliseconds(0));
        throw InputError(where, "file", file_.string() + ": " + problem, "check that the plugin does not write to descriptor 3");
    }
    identity_ = std::move(*identity);
}

std::string IsolatedPlugin::fail(const std::string& what, milliseconds grace) {
    const std::string ended = helper_ ? helper_->stop(grace) : std::string();
    helper_.reset();
    return "the helper process " + (what.empty() ? ended : what);
}

// The timeout is measured on the machine's monotonic clock: it bounds how long the CA waits,
// which has nothing to do with the lab clock that requests are judged at.
std::optional<wire::Message> IsolatedPlugin::exchange(const Bytes& message, milliseconds timeout, std::string& why) {
    const int fd = helper_->socket();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    FrameStatus s = send_frame(fd, message, deadline);
    Bytes in;
    if (s == FrameStatus::Ok) s = receive_frame(fd, in, kMaxHelperFrameBytes, deadline);
    switch (s) {
        case FrameStatus::Ok:
            try {
                return wire::decode(in);
            } catch (const std::exception&) {
                why = fail("answered with bytes that are not a message", milliseconds(0));
            }
            break;
        case FrameStatus::Closed: why = fail("", kCrashGrace); break;
        case FrameStatus::TimedOut:
            why = fail("did not answer within " + std::to_string(timeout.count()) + " ms", milliseconds(0));
            break;
        case FrameStatus::TooLarge:
            why = fail("sent an answer over " + std::to_string(kMaxHelperFrameBytes >> 20) + " MiB", milliseconds(0));
            break;
        case FrameStatus::Failed:
            why = fail(std::string("could not be reached (") + std::strerror(errno) + ")", milliseconds(0));
            break;
    }
    return std::nullopt;
}

IsolatedPlugin::Answer IsolatedPlugin::evaluate(const Bytes& message, FindingCollector& findings) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!helper_) {
        try {
            start();
        } catch (const Error& e) {
            helper_.reset();
            return {std::nullopt, std::string("could not be restarted: ") + e.what(), true};
        }
    }
    std::string why;
    const auto reply = exchange(message, milliseconds(config_.timeout_ms), why);
    if (!reply) return {std::nullopt, why, true};
    std::string failure, problem;
    if (auto verdict = wire::read_verdict(*reply, findings, failure, problem)) return {verdict, {}, false};
    if (!failure.empty()) return {std::nullopt, failure, false};  // the helper is fine: only the plugin failed
    fail("", milliseconds(0));
    return {std::nullopt, problem, true};
}

void IsolatedPlugin::notify(const pkilab_event& event) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!helper_) {
        try {
            start();
        } catch (const Error&) {
            helper_.reset();
            return;  // the next request reports why
        }
    }
    std::string why;
    const auto reply = exchange(wire::encode(wire::event_message(event)), milliseconds(config_.timeout_ms), why);
    if (reply && !wire::read_done(*reply)) fail("", milliseconds(0));
}

}  // namespace pkilab
