#include "ca/ossl/error.hpp"

namespace pkilab::ossl {

std::string drain_errors() {
    std::string out;
    const char* file = nullptr;
    const char* func = nullptr;
    int line = 0;
    const char* data = nullptr;
    int flags = 0;
    while (unsigned long code = ERR_get_error_all(&file, &line, &func, &data, &flags)) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
        if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && *data != '\0') {
            out += " (";
            out += data;
            out += ")";
        }
    }
    return out;
}

void throw_error(std::string_view what) {
    std::string queue = drain_errors();
    std::string message(what);
    message += ": ";
    message += queue.empty() ? "OpenSSL reported failure without an error code" : queue;
    throw InternalError(message);
}

}  // namespace pkilab::ossl
