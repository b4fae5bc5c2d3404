#pragma once
// Where ACME's accounts, orders and authorizations live between requests and restarts
// (certbot renews weeks later): STATE/acme/acme.db, apart from the CA's own store.
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "ca/clock.hpp"
#include "webenroll/acme/acme_model.hpp"

namespace pkilab::acme {

class AcmeStore {
public:
    virtual ~AcmeStore() = default;
    // ConflictError when the endpoint has an account with the same key thumbprint already.
    virtual void put_account(const Account& a) = 0;  // insert or replace
    virtual std::optional<Account> find_account(const std::string& id) const = 0;
    virtual std::optional<Account> find_account_by_thumbprint(const std::string& endpoint, const std::string& thumbprint) const = 0;
    virtual std::size_t count_accounts() const = 0;

    virtual void put_order(const Order& o) = 0;
    virtual std::optional<Order> find_order(const std::string& id) const = 0;
    // Orders of the account that have not expired by `now` (a flood's measure).
    virtual std::size_t count_live_orders(const std::string& account, Time now) const = 0;

    virtual void put_authorization(const Authorization& a) = 0;
    virtual std::optional<Authorization> find_authorization(const std::string& id) const = 0;

    // Who obtained a certificate (for revocation by the account), kept after its order is gone.
    virtual void record_issued(const std::string& ca, const std::string& serial, const std::string& account) = 0;
    virtual std::optional<std::string> issued_to(const std::string& ca, const std::string& serial) const = 0;

    // The lab's test resolver for dns-01: TXT records an officer sets (name lower case, no
    // trailing dot). ConflictError past `max` records.
    virtual void add_txt(const std::string& name, const std::string& value, Time expires, std::size_t max) = 0;
    virtual void remove_txt(const std::string& name) = 0;
    // {name, value, expires} of the records that have not expired by `now` (all names when empty).
    virtual std::vector<std::tuple<std::string, std::string, Time>> txt(const std::string& name, Time now) const = 0;

    // Forgets orders and authorizations that expired before `before`.
    virtual void purge(Time before) = 0;
};

// A store opened at its first use, so that a server that only lists its routes creates nothing.
class LazyAcmeStore {
public:
    using Open = std::function<std::unique_ptr<AcmeStore>()>;
    explicit LazyAcmeStore(Open open) : open_(std::move(open)) {}
    AcmeStore* operator->() const {
        std::call_once(once_, [this] { store_ = open_(); });
        return store_.get();
    }

private:
    Open open_;
    mutable std::once_flag once_;
    mutable std::unique_ptr<AcmeStore> store_;
};

// SQLite at `path` (created with its folder, mode 0700). Safe for several threads.
std::unique_ptr<AcmeStore> open_acme_store(const std::filesystem::path& path);

}  // namespace pkilab::acme
