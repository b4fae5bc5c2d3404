// AcmeStore over SQLite (SQLiteCpp): each object a JSON document in a row, with the columns
// the lookups need beside it.
#include <mutex>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "ca/errors.hpp"
#include "webenroll/acme/acme_store.hpp"

namespace pkilab::acme {

namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, endpoint TEXT NOT NULL, thumbprint TEXT NOT NULL,
    doc TEXT NOT NULL, UNIQUE (endpoint, thumbprint));
CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, account TEXT NOT NULL, expires INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS orders_by_account ON orders (account, expires);
CREATE TABLE IF NOT EXISTS authorizations (id TEXT PRIMARY KEY, expires INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS txt_records (name TEXT NOT NULL, value TEXT NOT NULL, expires INTEGER NOT NULL,
    PRIMARY KEY (name, value));
CREATE TABLE IF NOT EXISTS issued (ca TEXT NOT NULL, serial TEXT NOT NULL, account TEXT NOT NULL, PRIMARY KEY (ca, serial));
)";

std::int64_t secs(Time t) { return t.time_since_epoch().count(); }

nlohmann::json parse_doc(const std::string& text) { return nlohmann::json::parse(text); }

class SqliteAcmeStore final : public AcmeStore {
public:
    explicit SqliteAcmeStore(const std::filesystem::path& path)
        : db_(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000) {
        db_.exec("PRAGMA journal_mode=WAL");
        db_.exec("PRAGMA synchronous=FULL");
        db_.exec(kSchema);
    }

    void put_account(const Account& a) override {
        std::lock_guard lock(mu_);
        SQLite::Statement other(db_, "SELECT id FROM accounts WHERE endpoint = ? AND thumbprint = ? AND id != ?");
        other.bind(1, a.endpoint);
        other.bind(2, a.thumbprint);
        other.bind(3, a.id);
        if (other.executeStep()) throw ConflictError("an account with this key exists already");
        SQLite::Statement s(db_, "INSERT OR REPLACE INTO accounts (id, endpoint, thumbprint, doc) VALUES (?, ?, ?, ?)");
        s.bind(1, a.id);
        s.bind(2, a.endpoint);
        s.bind(3, a.thumbprint);
        s.bind(4, to_storage(a).dump());
        s.exec();
    }
    std::optional<Account> find_account(const std::string& id) const override {
        auto doc = one("SELECT doc FROM accounts WHERE id = ?", id);
        if (!doc) return std::nullopt;
        return account_from_storage(*doc);
    }
    std::optional<Account> find_account_by_thumbprint(const std::string& endpoint, const std::string& thumbprint) const override {
        std::lock_guard lock(mu_);
        SQLite::Statement s(db_, "SELECT doc FROM accounts WHERE endpoint = ? AND thumbprint = ?");
        s.bind(1, endpoint);
        s.bind(2, thumbprint);
        if (!s.executeStep()) return std::nullopt;
        return account_from_storage(parse_doc(s.getColumn(0).getString()));
    }
    std::size_t count_accounts() const override {
        std::lock_guard lock(mu_);
        SQLite::Statement s(db_, "SELECT COUNT(*) FROM accounts");
        s.executeStep();
        return static_cast<std::size_t>(s.getColumn(0).getInt64());
    }

    void put_order(const Order& o) override {
        std::lock_guard lock(mu_);
        SQLite::Statement s(db_, "INSERT OR REPLACE INTO orders (id, account, expires, doc) VALUES (?, ?, ?, ?)");
        s.bind(1, o.id);
        s.bind(2, o.account);
        s.bind(3, secs(o.expires));
        s.bind(4, to_storage(o).dump());
        s.exec();
    }
    std::optional<Order> find_order(const std::string& id) const override {
        auto doc = one("SELECT doc FROM orders WHERE id = ?", id);
        if (!doc) return std::nullopt;
        return order_from_storage(*doc);
    }
    std::size_t count_live_orders(const std::string& account, Time now) const override {
        std::lock_guard lock(mu_);
        SQLite::Statement s(db_, "SELECT COUNT(*) FROM orders WHERE account = ? AND expires > ?");
        s.bind(1, account);
        s.bind(2, secs(now));
        s.executeStep();
        return static_cast<std::size_t>(s.getColumn(0).getInt64());
    }

    void put_authorization(const Authorization& a) override {
        std::lock_guard lock(mu_);
        SQLite::Statement s(db_, "INSERT OR REPLACE INTO authorizations (id, expires, doc) VALUES (?, ?, ?)");
        s.bind(1, a.id);
        s.bind(2, secs(a.expires));
        s.bind(3, to_storage(a).dump());
        s.exec();
    }
    std::optional<Authorization> find_authorization(const std::string& id) const override {
        auto doc = one("SELECT doc FROM authorizations WHERE id = ?", id);
        if (!doc) return std::nullopt;
        return authorization_from_storage(*doc);
    }

    void record_issued(const std::string& ca, const std::string& serial, const std::string& account) override {
        std::lock_guard lock(mu_);
        SQLite::Statement s(db_, "INSERT OR REPLACE INTO issued (ca, serial, account) VALUES (?, ?, ?)");
        s.bind(1, ca);
        s.bind(2, serial);
        s.bind(3, account);
        s.exec();
    }
    std::optional<std::string> issued_to(const std::string& ca, const std::string& serial) const override {
        std::lock_guard lock(mu_);
        SQLite::Statement s(db_, "SELECT account FROM issued WHERE ca = ? AND serial = ?");
        s.bind(1, ca);
        s.bind(2, serial);
        if (!s.executeStep()) return std::nullopt;
        return s.getColumn(0).getString();
    }

    void add_txt(const std::string& name, const std::string& value, Time expires, std::size_t max) override {
        std::lock_guard lock(mu_);
        SQLite::Statement count(db_, "SELECT COUNT(*) FROM txt_records");
        count.executeStep();
        if (static_cast<std::size_t>(count.getColumn(0).getInt64()) >= max)
            throw ConflictError("the test resolver holds " + std::to_string(max) + " records already: remove some");
        SQLite::Statement s(db_, "INSERT OR REPLACE INTO txt_records (name, value, expires) VALUES (?, ?, ?)");
        s.bind(1, name);
        s.bind(2, value);
        s.bind(3, secs(expires));
        s.exec();
    }
    void remove_txt(const std::string& name) override {
        std::lock_guard lock(mu_);
        SQLite::Statement s(db_, "DELETE FROM txt_records WHERE name = ?");
        s.bind(1, name);
        s.exec();
    }
    std::vector<std::tuple<std::string, std::string, Time>> txt(const std::string& name, Time now) const override {
        std::lock_guard lock(mu_);
        SQLite::Statement s(db_, name.empty() ? "SELECT name, value, expires FROM txt_records WHERE expires > ? ORDER BY name LIMIT 10000"
                                              : "SELECT name, value, expires FROM txt_records WHERE expires > ? AND name = ? LIMIT 100");
        s.bind(1, secs(now));
        if (!name.empty()) s.bind(2, name);
        std::vector<std::tuple<std::string, std::string, Time>> out;
        while (s.executeStep())
            out.emplace_back(s.getColumn(0).getString(), s.getColumn(1).getString(), Time{Duration{s.getColumn(2).getInt64()}});
        return out;
    }

    void purge(Time before) override {
        std::lock_guard lock(mu_);
        SQLite::Transaction t(db_);
        for (const char* sql : {"DELETE FROM orders WHERE expires < ?", "DELETE FROM authorizations WHERE expires < ?",
                                "DELETE FROM txt_records WHERE expires < ?"}) {
            SQLite::Statement s(db_, sql);
            s.bind(1, secs(before));
            s.exec();
        }
        t.commit();
    }

private:
    std::optional<nlohmann::json> one(const char* sql, const std::string& id) const {
        std::lock_guard lock(mu_);
        SQLite::Statement s(db_, sql);
        s.bind(1, id);
        if (!s.executeStep()) return std::nullopt;
        return parse_doc(s.getColumn(0).getString());
    }

    mutable std::mutex mu_;
    mutable SQLite::Database db_;
};

}  // namespace

std::unique_ptr<AcmeStore> open_acme_store(const std::filesystem::path& path) {
    std::filesystem::create_directories(path.parent_path());
    std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all);
    return std::make_unique<SqliteAcmeStore>(path);
}

}  // namespace pkilab::acme
