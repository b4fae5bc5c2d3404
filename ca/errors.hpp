#pragma once
// The error hierarchy. Expected outcomes (a policy refusal, a denied request) are data
// (see finding.hpp), never exceptions; exceptions are for bad input and faults.
#include <stdexcept>
#include <string>

namespace pkilab {

enum class ErrorCategory {
    BadInput,  // something from outside is malformed or not allowed: exit code 2
    NotFound,  // a named thing (CA, template, serial, request) does not exist: exit code 2
    Conflict,  // the operation does not fit the current state (e.g. approve an issued request): 2
    Internal,  // our fault or the machine's (OpenSSL, SQLite, disk): exit code 3
};

class Error : public std::runtime_error {
public:
    Error(ErrorCategory category, const std::string& message)
        : std::runtime_error(message), category_(category) {}
    ErrorCategory category() const noexcept { return category_; }

private:
    ErrorCategory category_;
};

// Bad input. `where` names the source ("lab.yaml:12:5", "CSR", "--reason"), `field` the
// element concerned ("cas[1].parent", "subject"), `problem` what is wrong, `hint` the fix.
class InputError : public Error {
public:
    InputError(std::string where, std::string field, std::string problem, std::string hint = {})
        : Error(ErrorCategory::BadInput, compose(where, field, problem, hint)),
          where_(std::move(where)), field_(std::move(field)), problem_(std::move(problem)),
          hint_(std::move(hint)) {}

    const std::string& where() const noexcept { return where_; }
    const std::string& field() const noexcept { return field_; }
    const std::string& problem() const noexcept { return problem_; }
    const std::string& hint() const noexcept { return hint_; }

private:
    static std::string compose(const std::string& where, const std::string& field,
                               const std::string& problem, const std::string& hint) {
        std::string s = where;
        if (!field.empty()) s += (s.empty() ? "" : ": ") + field;
        s += (s.empty() ? "" : ": ") + problem;
        if (!hint.empty()) s += " (fix: " + hint + ")";
        return s;
    }
    std::string where_, field_, problem_, hint_;
};

class NotFoundError : public Error {
public:
    explicit NotFoundError(const std::string& message) : Error(ErrorCategory::NotFound, message) {}
};

class ConflictError : public Error {
public:
    explicit ConflictError(const std::string& message) : Error(ErrorCategory::Conflict, message) {}
};

class InternalError : public Error {
public:
    explicit InternalError(const std::string& message) : Error(ErrorCategory::Internal, message) {}
};

// Process exit codes shared by every command: 0 success, 1 refused by policy, 2 bad input,
// 3 internal error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInternal = 3;

inline int exit_code_for(const Error& e) noexcept {
    return e.category() == ErrorCategory::Internal ? kExitInternal : kExitBadInput;
}

}  // namespace pkilab
