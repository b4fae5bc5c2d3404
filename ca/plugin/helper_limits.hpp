#pragma once
// What the host and the helper process agree on besides the messages themselves.
#include <cstddef>

namespace pkilab {

// Frames from the host carry one request (a CSR and a draft certificate: kilobytes); frames
// from the helper carry at most kMaxFindingsPerCall bounded findings (about 2.2 MB).
inline constexpr std::size_t kMaxHostFrameBytes = 64u << 20;
inline constexpr std::size_t kMaxHelperFrameBytes = 4u << 20;

// The helper's end of the socket, as the host hands it over.
inline constexpr int kHelperSocketFd = 3;

// AddressSanitizer reserves terabytes of address space, so under it an RLIMIT_AS would stop
// the helper before main(); there the memory limit is ASan's own malloc_limit_mb instead.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kUnderAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kUnderAddressSanitizer = true;
#else
inline constexpr bool kUnderAddressSanitizer = false;
#endif
#else
inline constexpr bool kUnderAddressSanitizer = false;
#endif

}  // namespace pkilab
