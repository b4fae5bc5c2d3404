// A small C++ layer for writing pkilab plugins, on the plugin side of the C ABI
// (pkilab_plugin.h). Header-only; nothing of it crosses the boundary: views become
// std::string_view, findings go through the host's sink, and every exception is caught here,
// so a throwing plugin reports a verdict of ERROR instead of unwinding into the host.
//
//   class MyPolicy {
//   public:
//       explicit MyPolicy(const pkilab::sdk::Config& config);   // throw ConfigError to refuse
//       uint32_t evaluate(const pkilab_request& r, pkilab::sdk::Reporter& out);
//   };
//   PKILAB_DEFINE_PLUGIN(MyPolicy, "my-policy", "1.0.0", "what it checks", PKILAB_PLUGIN_THREAD_SAFE)
#ifndef PKILAB_PLUGIN_HPP
#define PKILAB_PLUGIN_HPP

#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkilab_plugin.h"

namespace pkilab::sdk {

inline std::string_view view(pkilab_str s) { return s.len == 0 ? std::string_view{} : std::string_view(s.ptr, s.len); }
inline pkilab_str str(std::string_view s) { return pkilab_str{s.data(), s.size()}; }

// ASCII lower case: DNS names, algorithm names and hashes compare without case.
inline std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// The CN values of a subject as pkilab shows it (RFC 4514 order with ", " between RDNs:
// "CN=www.lab.test, O=Lab, C=US"); escaped commas inside a value are kept with the value.
inline std::vector<std::string> common_names(std::string_view subject) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < subject.size()) {
        size_t end = i;
        while (end < subject.size() && !(subject.compare(end, 2, ", ") == 0 && (end == 0 || subject[end - 1] != '\\'))) ++end;
        const std::string_view rdn = subject.substr(i, end - i);
        if (rdn.size() > 3 && (rdn.substr(0, 3) == "CN=" || rdn.substr(0, 3) == "cn=")) out.emplace_back(rdn.substr(3));
        i = end + 2;
    }
    return out;
}

// A configuration key that cannot be used: field is the key, message says why.
struct ConfigError : std::exception {
    std::string field, message;
    ConfigError(std::string f, std::string m) : field(std::move(f)), message(std::move(m)) {}
    const char* what() const noexcept override { return message.c_str(); }
};

class Config {
public:
    explicit Config(const pkilab_config* c) {
        if (c == nullptr) return;
        for (std::size_t i = 0; i < c->entry_count; ++i)
            entries_.emplace_back(view(c->entries[i].key), view(c->entries[i].value));
        json_ = view(c->json);
    }
    // Every value of `key`, in order (a list gives several).
    std::vector<std::string_view> all(std::string_view key) const {
        std::vector<std::string_view> out;
        for (const auto& [k, v] : entries_)
            if (k == key) out.push_back(v);
        return out;
    }
    std::optional<std::string_view> get(std::string_view key) const {
        for (const auto& [k, v] : entries_)
            if (k == key) return v;
        return std::nullopt;
    }
    long long integer(std::string_view key, long long fallback) const {
        auto v = get(key);
        if (!v) return fallback;
        try {
            std::size_t used = 0;
            const std::string text(*v);
            long long n = std::stoll(text, &used, 10);
            if (used == text.size()) return n;
        } catch (const std::exception&) {
        }
        throw ConfigError(std::string(key), "'" + std::string(*v) + "' is not a whole number");
    }
    bool boolean(std::string_view key, bool fallback) const {
        auto v = get(key);
        if (!v) return fallback;
        if (*v == "true") return true;
        if (*v == "false") return false;
        throw ConfigError(std::string(key), "'" + std::string(*v) + "' is not true or false");
    }
    // Keys the plugin does not know are mistakes in the lab file: say so.
    void only(std::initializer_list<std::string_view> known) const {
        for (const auto& [k, v] : entries_) {
            bool ok = false;
            for (auto prefix : known)
                if (k == prefix || (k.size() > prefix.size() && k.compare(0, prefix.size(), prefix) == 0 &&
                                    k[prefix.size()] == '.'))
                    ok = true;
            if (!ok) {
                std::string list;
                for (auto p : known) list += (list.empty() ? "" : ", ") + std::string(p);
                throw ConfigError(std::string(k), "unknown key '" + std::string(k) + "' (known: " + list + ")");
            }
        }
    }
    std::string_view json() const { return json_; }

private:
    std::vector<std::pair<std::string_view, std::string_view>> entries_;
    std::string_view json_;
};

class Reporter {
public:
    explicit Reporter(const pkilab_sink* sink) : sink_(sink) {}
    void error(std::string_view code, std::string_view field, std::string_view message, std::string_view hint = {}) {
        add(PKILAB_SEVERITY_ERROR, code, field, message, hint);
        ++errors_;
    }
    void warning(std::string_view code, std::string_view field, std::string_view message, std::string_view hint = {}) {
        add(PKILAB_SEVERITY_WARNING, code, field, message, hint);
    }
    void info(std::string_view code, std::string_view field, std::string_view message, std::string_view hint = {}) {
        add(PKILAB_SEVERITY_INFO, code, field, message, hint);
    }
    int errors() const { return errors_; }
    // The usual verdict: DENY when an error was reported, else ALLOW.
    std::uint32_t verdict() const { return errors_ > 0 ? PKILAB_VERDICT_DENY : PKILAB_VERDICT_ALLOW; }

private:
    void add(std::uint32_t severity, std::string_view code, std::string_view field, std::string_view message,
             std::string_view hint) {
        if (sink_ != nullptr && sink_->add_finding != nullptr)
            sink_->add_finding(sink_->host, severity, str(code), str(field), str(message), str(hint));
    }
    const pkilab_sink* sink_;
    int errors_ = 0;
};

// Spans over the C arrays.
template <class T>
struct Items {
    const T* first;
    std::size_t count;
    const T* begin() const { return count == 0 ? nullptr : first; }
    const T* end() const { return count == 0 ? nullptr : first + count; }
    std::size_t size() const { return count; }
};
inline Items<pkilab_name> sans(const pkilab_cert& c) { return {c.sans, c.san_count}; }
inline Items<pkilab_name> sans(const pkilab_csr& c) { return {c.sans, c.san_count}; }
inline Items<pkilab_str> ekus(const pkilab_cert& c) { return {c.extended_key_usage, c.extended_key_usage_count}; }
inline Items<pkilab_extension> extensions(const pkilab_cert& c) { return {c.extensions, c.extension_count}; }
inline Items<pkilab_str> crl_urls(const pkilab_cert& c) { return {c.crl_urls, c.crl_url_count}; }
inline Items<pkilab_str> ca_issuer_urls(const pkilab_cert& c) { return {c.ca_issuer_urls, c.ca_issuer_url_count}; }
inline Items<pkilab_str> ocsp_urls(const pkilab_cert& c) { return {c.ocsp_urls, c.ocsp_url_count}; }

namespace detail {

template <class Policy>
int create(const pkilab_config* config, const pkilab_sink* errors, void** instance) {
    Reporter out(errors);
    try {
        *instance = new Policy(Config(config));
        return 0;
    } catch (const ConfigError& e) {
        out.error("config.invalid", e.field, e.message, "correct the plugin's configuration in the lab file");
    } catch (const std::bad_alloc&) {
        out.error("config.no_memory", "", "out of memory while configuring the plugin");
    } catch (const std::exception& e) {
        out.error("config.failed", "", e.what());
    } catch (...) {
        out.error("config.failed", "", "the plugin failed while reading its configuration");
    }
    return 1;
}

template <class Policy>
void destroy(void* instance) {
    delete static_cast<Policy*>(instance);
}

template <class Policy>
std::uint32_t evaluate(void* instance, const pkilab_request* request, const pkilab_sink* findings) {
    Reporter out(findings);
    try {
        if (instance == nullptr || request == nullptr) return PKILAB_VERDICT_ERROR;
        return static_cast<Policy*>(instance)->evaluate(*request, out);
    } catch (const std::exception& e) {
        out.error("plugin.exception", "", e.what());
    } catch (...) {
        out.error("plugin.exception", "", "the plugin threw an exception");
    }
    return PKILAB_VERDICT_ERROR;
}

}  // namespace detail
}  // namespace pkilab::sdk

#define PKILAB_DEFINE_PLUGIN(PolicyClass, NAME, VERSION, DESCRIPTION, FLAGS)                                  \
    extern "C" PKILAB_PLUGIN_EXPORT const pkilab_plugin* pkilab_plugin_entry(uint32_t host_major, uint32_t) { \
        static const pkilab_plugin table = {sizeof(pkilab_plugin),                                            \
                                            PKILAB_PLUGIN_ABI_MAJOR,                                          \
                                            PKILAB_PLUGIN_ABI_MINOR,                                          \
                                            NAME,                                                             \
                                            VERSION,                                                          \
                                            DESCRIPTION,                                                      \
                                            FLAGS,                                                            \
                                            &::pkilab::sdk::detail::create<PolicyClass>,                      \
                                            &::pkilab::sdk::detail::destroy<PolicyClass>,                     \
                                            &::pkilab::sdk::detail::evaluate<PolicyClass>,                    \
                                            nullptr};                                                         \
        return host_major == PKILAB_PLUGIN_ABI_MAJOR ? &table : nullptr;                                      \
    }

#endif  // PKILAB_PLUGIN_HPP
