#pragma once
// ACME errors (RFC 8555 §6.7): problem documents whose type is urn:ietf:params:acme:error:TYPE.
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace pkilab::acme {

class AcmeError : public std::runtime_error {
public:
    // `type` without the urn prefix ("badNonce").
    AcmeError(int status, std::string type, std::string detail, nlohmann::json subproblems = nullptr)
        : std::runtime_error(detail), status_(status), type_(std::move(type)), detail_(std::move(detail)),
          subproblems_(std::move(subproblems)) {}
    int status() const { return status_; }
    const std::string& type() const { return type_; }
    const std::string& detail() const { return detail_; }
    nlohmann::json problem() const;

private:
    int status_;
    std::string type_;
    std::string detail_;
    nlohmann::json subproblems_;
};

[[noreturn]] inline void malformed(const std::string& detail) { throw AcmeError(400, "malformed", detail); }

// {"type": "urn:ietf:params:acme:error:TYPE", "detail": ..., "status": ...}
nlohmann::json problem_json(const std::string& type, const std::string& detail, int status);

}  // namespace pkilab::acme
