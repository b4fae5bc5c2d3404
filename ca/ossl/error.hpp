#pragma once
// Turning OpenSSL failures into exceptions that carry the whole error queue.
#include <string>
#include <string_view>

#include <openssl/err.h>

#include "ca/errors.hpp"

namespace pkilab::ossl {

// Reads and clears the whole thread-local OpenSSL error queue, joined with "; ".
std::string drain_errors();

// Throws InternalError("<what>: <queue>"), also when the queue is empty.
[[noreturn]] void throw_error(std::string_view what);

template <class T>
T* check(T* p, std::string_view what) {
    if (p == nullptr) throw_error(what);
    return p;
}

inline void check(int rc, std::string_view what) {
    if (rc <= 0) throw_error(what);
}

// For probes that are expected to fail (try PEM, then DER): errors pushed while the mark is
// alive are discarded when it goes out of scope.
class ErrorMark {
public:
    ErrorMark() { ERR_set_mark(); }
    ~ErrorMark() { ERR_pop_to_mark(); }
    ErrorMark(const ErrorMark&) = delete;
    ErrorMark& operator=(const ErrorMark&) = delete;
};

}  // namespace pkilab::ossl
