#include "ca/plugin/frame_channel.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>

namespace pkilab {

namespace {

using Clock = std::chrono::steady_clock;

// Waits until `fd` is ready for `events`; false when the deadline passed first.
bool wait_for(int fd, short events, Deadline deadline) {
    for (;;) {
        int timeout = -1;
        if (deadline) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
            if (left <= 0) return false;
            timeout = left > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(left);
        }
        pollfd p{fd, events, 0};
        const int rc = ::poll(&p, 1, timeout);
        if (rc > 0) return true;  // ready, or an error/hang-up that the next call reports
        if (rc == 0) {
            if (deadline) continue;  // re-checked against the clock above
        } else if (errno != EINTR) {
            return true;  // let send/recv report it
        }
    }
}

// Both loops try the call first and wait only when it would block: a round trip then costs
// the two wake-ups it must, and no poll() before data that is already there.
FrameStatus send_all(int fd, const std::uint8_t* p, std::size_t n, Deadline deadline) {
    while (n > 0) {
        const ssize_t sent = ::send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (!wait_for(fd, POLLOUT, deadline)) return FrameStatus::TimedOut;
                continue;
            }
            return errno == EPIPE || errno == ECONNRESET ? FrameStatus::Closed : FrameStatus::Failed;
        }
        p += sent;
        n -= static_cast<std::size_t>(sent);
    }
    return FrameStatus::Ok;
}

FrameStatus receive_all(int fd, std::uint8_t* p, std::size_t n, Deadline deadline) {
    while (n > 0) {
        const ssize_t got = ::recv(fd, p, n, MSG_DONTWAIT);
        if (got == 0) return FrameStatus::Closed;
        if (got < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (!wait_for(fd, POLLIN, deadline)) return FrameStatus::TimedOut;
                continue;
            }
            return errno == ECONNRESET ? FrameStatus::Closed : FrameStatus::Failed;
        }
        p += got;
        n -= static_cast<std::size_t>(got);
    }
    return FrameStatus::Ok;
}

}  // namespace

FrameStatus send_frame(int fd, const Bytes& payload, Deadline deadline) {
    if (payload.size() > UINT32_MAX) return FrameStatus::TooLarge;
    const auto n = static_cast<std::uint32_t>(payload.size());
    // One buffer, one send: a header sent on its own would wake the reader twice.
    Bytes frame;
    frame.reserve(4 + payload.size());
    frame.insert(frame.end(), {static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                               static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
    frame.insert(frame.end(), payload.begin(), payload.end());
    return send_all(fd, frame.data(), frame.size(), deadline);
}

FrameStatus receive_frame(int fd, Bytes& payload, std::size_t max, Deadline deadline) {
    std::uint8_t header[4];
    if (FrameStatus s = receive_all(fd, header, sizeof header, deadline); s != FrameStatus::Ok) return s;
    const std::size_t n = (std::size_t{header[0]} << 24) | (std::size_t{header[1]} << 16) | (std::size_t{header[2]} << 8) |
                          std::size_t{header[3]};
    if (n > max) return FrameStatus::TooLarge;
    payload.resize(n);
    return receive_all(fd, payload.data(), n, deadline);
}

}  // namespace pkilab
