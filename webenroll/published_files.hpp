#pragma once
// The files `pkilab serve` publishes, by URL path: exactly crl::published_locations(lab), never
// anything else on disk. Another process (`pkilab crl publish`, `pkilab cert revoke`) replaces a
// file by an atomic rename at any time, so each request re-stats the file and the bytes are read
// again only when its identity (inode, size, mtime) changed; requests share one buffer, which a
// 46 MB CRL makes worth it.
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ca/authority/lab.hpp"
#include "crl/publication.hpp"

namespace pkilab::web {

// One version of a published file, as read.
struct FileSnapshot {
    std::uint64_t inode = 0, size = 0;
    std::int64_t mtime_ns = 0;
    std::shared_ptr<const std::string> bytes;
    std::string etag;           // strong: "inode-size-mtime" in hex, quoted
    std::string last_modified;  // IMF-fixdate of the mtime
    std::time_t mtime = 0;      // whole seconds, for If-Modified-Since
};

class PublishedFile {
public:
    explicit PublishedFile(crl::PublishedLocation location) : location_(std::move(location)) {}
    const crl::PublishedLocation& location() const { return location_; }

    // The file as it is now; empty when it does not exist (a CRL not published yet). Thread-safe.
    // Throws InternalError when it exists but cannot be read.
    std::shared_ptr<const FileSnapshot> current() const;

    // For a CRL: the nextUpdate of the latest one the store recorded, set by the scheduler (the
    // store is not asked on every request).
    std::optional<Time> next_update() const;
    void set_next_update(std::optional<Time> t);

private:
    crl::PublishedLocation location_;
    mutable std::mutex mutex_;  // guards snapshot_ (one file's, held to copy a pointer or to re-read)
    mutable std::shared_ptr<const FileSnapshot> snapshot_;
    static constexpr std::int64_t kNoNextUpdate = INT64_MIN;
    std::atomic<std::int64_t> next_update_{kNoNextUpdate};
};

class PublishedFiles {
public:
    explicit PublishedFiles(const Lab& lab);
    // The file published at a URL path (percent-decoded), or null.
    const PublishedFile* find(const std::string& path) const;
    // Reads each CRL's nextUpdate from the store.
    void refresh_next_updates(const Lab& lab);
    std::size_t size() const { return files_.size(); }

private:
    std::vector<std::unique_ptr<PublishedFile>> files_;
    std::unordered_map<std::string, const PublishedFile*> by_path_;
};

}  // namespace pkilab::web
