#include "webenroll/published_files.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca/errors.hpp"
#include "ca/unique_fd.hpp"
#include "webenroll/http_date.hpp"

namespace pkilab::web {

namespace {

// The largest file served: a CRL of several million entries, far above any lab's.
constexpr std::uint64_t kMaxFileBytes = std::uint64_t{1} << 30;

struct Identity {
    std::uint64_t inode = 0, size = 0;
    std::int64_t mtime_ns = 0;
    std::time_t mtime = 0;
};

Identity identity_of(const struct stat& st) {
    return Identity{static_cast<std::uint64_t>(st.st_ino), static_cast<std::uint64_t>(st.st_size),
                    static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                    st.st_mtim.tv_sec};
}

bool same(const FileSnapshot& s, const Identity& id) {
    return s.inode == id.inode && s.size == id.size && s.mtime_ns == id.mtime_ns;
}

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
    return buf;
}

[[noreturn]] void unreadable(const std::filesystem::path& file, int err) {
    throw InternalError("cannot read the published file " + file.string() + ": " + std::strerror(err));
}

// Reads the file that is at `file` now. The identity comes from the open descriptor, so a rename
// between the caller's stat and this open gives the new file's bytes with the new file's identity.
std::shared_ptr<const FileSnapshot> read_snapshot(const std::filesystem::path& file) {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) {
        if (errno == ENOENT) return nullptr;
        unreadable(file, errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) unreadable(file, errno);
    if (!S_ISREG(st.st_mode)) throw InternalError("the published file " + file.string() + " is not a regular file");
    const Identity id = identity_of(st);
    if (id.size > kMaxFileBytes) throw InternalError("the published file " + file.string() + " is larger than 1 GiB");
    auto bytes = std::make_shared<std::string>(static_cast<size_t>(id.size), '\0');
    size_t done = 0;
    while (done < bytes->size()) {
        const ssize_t n = ::read(fd.get(), bytes->data() + done, bytes->size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) unreadable(file, errno);
        if (n == 0) break;  // the writer renames a complete file into place; a shorter one is not ours
        done += static_cast<size_t>(n);
    }
    bytes->resize(done);
    auto s = std::make_shared<FileSnapshot>();
    s->inode = id.inode;
    s->size = id.size;
    s->mtime_ns = id.mtime_ns;
    s->mtime = id.mtime;
    s->bytes = std::move(bytes);
    s->etag = "\"" + hex(id.inode) + "-" + hex(id.size) + "-" + hex(static_cast<std::uint64_t>(id.mtime_ns)) + "\"";
    s->last_modified = format_http_date(id.mtime);
    return s;
}

}  // namespace

std::shared_ptr<const FileSnapshot> PublishedFile::current() const {
    struct stat st {};
    const bool exists = ::stat(location_.file.c_str(), &st) == 0;
    if (!exists && errno != ENOENT) unreadable(location_.file, errno);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!exists) {
        snapshot_.reset();
        return nullptr;
    }
    if (snapshot_ && same(*snapshot_, identity_of(st))) return snapshot_;
    // Re-read under the lock: concurrent requests for a changed 46 MB CRL wait for one read
    // instead of each making their own copy.
    snapshot_ = read_snapshot(location_.file);
    return snapshot_;
}

std::optional<Time> PublishedFile::next_update() const {
    const std::int64_t v = next_update_.load(std::memory_order_relaxed);
    if (v == kNoNextUpdate) return std::nullopt;
    return Time{Duration{v}};
}

void PublishedFile::set_next_update(std::optional<Time> t) {
    next_update_.store(t ? t->time_since_epoch().count() : kNoNextUpdate, std::memory_order_relaxed);
}

PublishedFiles::PublishedFiles(const Lab& lab) {
    for (auto& loc : crl::published_locations(lab)) {
        // published_locations lists a path twice only for the same CA and artifact (one URL on
        // two hosts): one entry serves both.
        if (by_path_.contains(loc.path)) continue;
        files_.push_back(std::make_unique<PublishedFile>(std::move(loc)));
        by_path_.emplace(files_.back()->location().path, files_.back().get());
    }
}

const PublishedFile* PublishedFiles::find(const std::string& path) const {
    const auto it = by_path_.find(path);
    return it == by_path_.end() ? nullptr : it->second;
}

void PublishedFiles::refresh_next_updates(const Lab& lab) {
    for (const auto& f : files_) {
        const crl::Artifact what = f->location().what;
        if (what == crl::Artifact::CaCertificate) continue;
        const auto latest =
            lab.store().latest_crl(f->location().ca, what == crl::Artifact::DeltaCrl ? CrlKind::Delta : CrlKind::Base);
        f->set_next_update(latest ? std::optional<Time>(latest->next_update) : std::nullopt);
    }
}

}  // namespace pkilab::web
