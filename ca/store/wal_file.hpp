#pragma once
// A read-only handle on a database's write-ahead log, used only to fdatasync it: fsync on any
// descriptor of an inode flushes that inode, so the syncer can make the writer's commits
// durable without touching the write connection.
#include <filesystem>
#include <functional>
#include <string>

#include <SQLiteCpp/Database.h>

namespace pkilab::sqlite {

class WalFile {
public:
    // Same contract as fdatasync(2): 0, or -1 with errno set.
    using FdatasyncFunction = std::function<int(int fd)>;

    // `fdatasync_fn` empty: the real fdatasync. Opens nothing yet (the log may not exist).
    explicit WalFile(std::filesystem::path wal, FdatasyncFunction fdatasync_fn = {});
    ~WalFile();
    WalFile(const WalFile&) = delete;
    WalFile& operator=(const WalFile&) = delete;

    // Flushes the log's data (and size) to the disk. The first call opens the file and also
    // syncs its directory, so that the log's name survives power loss too. Throws InternalError
    // naming the file and errno.
    void sync();

    // The -wal file of the connection's main database.
    static std::filesystem::path of(const SQLite::Database& db);

private:
    std::filesystem::path path_;
    FdatasyncFunction fdatasync_;
    int fd_ = -1;
};

}  // namespace pkilab::sqlite
