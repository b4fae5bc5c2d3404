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

// Under AddressSanitizer the host starts the helper with ASAN_OPTIONS that let a plugin's
// crash end it as a plain signal would, and let malloc return NULL at the memory cap.
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
