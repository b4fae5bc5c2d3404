#pragma once
// Length-prefixed frames on a stream socket: how the host and a plugin's helper process
// exchange messages. A frame is a 4-byte big-endian length and that many bytes. Reading never
// trusts the length: a frame over `max` bytes is refused before any of it is buffered.
#include <chrono>
#include <cstddef>
#include <optional>

#include "ca/bytes.hpp"

namespace pkilab {

enum class FrameStatus {
    Ok,
    Closed,    // the other end closed (or died) before a whole frame went through
    TimedOut,  // the deadline passed
    TooLarge,  // the frame announced more than `max` bytes
    Failed,    // a socket error
};

using Deadline = std::optional<std::chrono::steady_clock::time_point>;  // nullopt: wait forever

// Never raises SIGPIPE: a dead peer is FrameStatus::Closed.
FrameStatus send_frame(int fd, const Bytes& payload, Deadline deadline);
FrameStatus receive_frame(int fd, Bytes& payload, std::size_t max, Deadline deadline);

}  // namespace pkilab
