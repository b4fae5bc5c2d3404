#include "ca/plugin/finding_collector.hpp"

#include <algorithm>

namespace pkilab {

namespace {

// A plugin's string, made safe to store and print: cut to `max` bytes, control characters
// replaced. Not a validity check of UTF-8: the store and JSON writer cope with any bytes we
// give them, and a mangled message is better than a lost refusal. Cutting twice gives the same
// text, so the helper and the host may both apply it.
std::string text_from(pkilab_str s, std::size_t max) {
    if (s.ptr == nullptr || s.len == 0) return {};
    std::string out(s.ptr, std::min(s.len, max));
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    if (s.len > max) out += "...";
    return out;
}

void add_finding(void* host, std::uint32_t severity, pkilab_str code, pkilab_str field, pkilab_str message,
                 pkilab_str hint) {
    static_cast<FindingCollector*>(host)->add(severity, code, field, message, hint);
}

}  // namespace

FindingCollector::FindingCollector(std::string source)
    : source_(std::move(source)), sink_{sizeof(pkilab_sink), this, &add_finding} {}

void FindingCollector::add(std::uint32_t severity, pkilab_str code, pkilab_str field, pkilab_str message,
                           pkilab_str hint) {
    if (findings_.size() >= kMaxFindingsPerCall) {
        ++dropped_;
        return;
    }
    Finding f;
    f.source = source_;
    switch (severity) {
        case PKILAB_SEVERITY_ERROR: f.severity = Severity::Error; break;
        case PKILAB_SEVERITY_WARNING: f.severity = Severity::Warning; break;
        case PKILAB_SEVERITY_INFO: f.severity = Severity::Info; break;
        default:  // unknown severities count as errors: fail closed
            f.severity = Severity::Error;
            bad_severity_ = true;
    }
    f.code = text_from(code, kMaxCodeBytes);
    if (f.code.empty()) f.code = "plugin.finding";
    f.field = text_from(field, kMaxFieldBytes);
    f.message = text_from(message, kMaxTextBytes);
    if (f.message.empty()) f.message = "(the plugin gave no message)";
    f.hint = text_from(hint, kMaxTextBytes);
    findings_.push_back(std::move(f));
}

}  // namespace pkilab
