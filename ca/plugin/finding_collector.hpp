#pragma once
// Where a plugin's findings land: the pkilab_sink handed to it, bounding and cleaning what it
// says (a plugin is outside input like any other). Used by the host for in-process plugins and
// by the helper process for isolated ones, so both bound findings the same way.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ca/finding.hpp"
#include "plugins/sdk/pkilab_plugin.h"

namespace pkilab {

// What one call may report.
inline constexpr std::size_t kMaxFindingsPerCall = 256;
inline constexpr std::size_t kMaxCodeBytes = 128;
inline constexpr std::size_t kMaxFieldBytes = 256;
inline constexpr std::size_t kMaxTextBytes = 4096;

class FindingCollector final {
public:
    explicit FindingCollector(std::string source);
    FindingCollector(const FindingCollector&) = delete;  // the sink points at this object
    FindingCollector& operator=(const FindingCollector&) = delete;

    const pkilab_sink* sink() const { return &sink_; }
    void add(std::uint32_t severity, pkilab_str code, pkilab_str field, pkilab_str message, pkilab_str hint);
    void add_dropped(std::size_t n) { dropped_ += n; }
    void mark_bad_severity() { bad_severity_ = true; }

    Findings& findings() { return findings_; }
    std::size_t dropped() const { return dropped_; }     // findings beyond kMaxFindingsPerCall
    bool bad_severity() const { return bad_severity_; }  // a severity not in the ABI (counted as error)

private:
    std::string source_;
    Findings findings_;
    std::size_t dropped_ = 0;
    bool bad_severity_ = false;
    pkilab_sink sink_;
};

}  // namespace pkilab
