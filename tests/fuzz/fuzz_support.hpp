#pragma once
// Shared by the fuzz targets: what counts as a normal rejection, and how a finding is reported.
// A rejection is an InputError / NotFoundError / ConflictError. Anything else that escapes a
// parser (InternalError, another exception, a failed round trip) is a finding: it is printed
// and the process aborts, so libFuzzer saves the input and the replay test fails.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include <openssl/err.h>

#include "ca/errors.hpp"

namespace pkilab::fuzz {

[[noreturn]] inline void finding(std::string_view kind, std::string_view detail) {
    std::fprintf(stderr, "FUZZ FINDING: %.*s: %.*s\n", static_cast<int>(kind.size()), kind.data(),
                 static_cast<int>(detail.size()), detail.data());
    std::abort();
}

inline void require(bool ok, std::string_view what) {
    if (!ok) finding("property violated", what);
}

// Runs `f`; true when it returned, false when it rejected the input the expected way.
template <class F>
bool accepts(F&& f) {
    bool ok = false;
    try {
        f();
        ok = true;
    } catch (const InputError&) {
    } catch (const NotFoundError&) {
    } catch (const ConflictError&) {
    } catch (const InternalError& e) {
        finding("InternalError escaped", e.what());
    } catch (const std::exception& e) {
        finding("std::exception escaped", e.what());
    } catch (...) {
        finding("unknown exception escaped", "");
    }
    // The next input starts from a clean OpenSSL error queue, whatever this one left behind.
    ERR_clear_error();
    return ok;
}

}  // namespace pkilab::fuzz
