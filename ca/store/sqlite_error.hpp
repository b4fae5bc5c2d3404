#pragma once
// SQLite failures become InternalError carrying SQLite's extended code and message, so that a
// report names the real cause (SQLITE_BUSY, SQLITE_FULL, SQLITE_CORRUPT, ...).
#include <string>

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include "ca/errors.hpp"

namespace pkilab::sqlite {

inline InternalError internal_error(const SQLite::Exception& e, const std::string& what) {
    const int code = e.getExtendedErrorCode();
    std::string message = what + ": SQLite error " + std::to_string(code);
    if (code >= 0) message += std::string(" (") + sqlite3_errstr(code) + ")";
    return InternalError(message + ": " + e.what());
}

}  // namespace pkilab::sqlite
