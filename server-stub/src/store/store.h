// Storage behind one small interface. A Store hands out Sessions (pooled
// connections); a Session runs parameterised SQL written once for both
// backends (`$1`, `$2`, ... placeholders; instants as BIGINT epoch seconds)
// and owns the dialect differences: how a per-provider write lock is taken
// and how the overlap backstop reports itself. The one query that differs
// (busy intervals: PostgreSQL asks its GiST range index) asks dialect().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <slotwise/time.h>

namespace slotwise::server {

using SqlValue = std::variant<std::nullptr_t, std::int64_t, std::string>;
using SqlParams = std::vector<SqlValue>;
// The column names of one answer, shared by its rows.
using SqlColumns = std::vector<std::string>;

// One row of an answer, read by column name: the name or alias the SELECT
// gives the column. Values are the database's text, nullopt for NULL; get
// converts. A name the answer lacks, NULL where a value is required, or text
// that is not of the type asked for is a StoreError: the SQL and its reader
// disagree, which is the server's bug, not the client's.
class SqlRow {
public:
    explicit SqlRow(std::shared_ptr<const SqlColumns> columns) : columns_(std::move(columns)) {
        values_.reserve(columns_->size());
    }
    // Filled by the backends, column by column in the answer's order.
    void add(std::optional<std::string> value) { values_.push_back(std::move(value)); }

    const std::optional<std::string>& value(std::string_view column) const;
    bool is_null(std::string_view column) const { return !value(column); }
    // T: std::string, std::int64_t, int, bool, Timestamp, Instant.
    template <class T>
    T get(std::string_view column) const;
    template <class T>
    std::optional<T> get_optional(std::string_view column) const {
        if (is_null(column)) return std::nullopt;
        return get<T>(column);
    }

    std::size_t size() const noexcept { return values_.size(); }
    bool empty() const noexcept { return values_.empty(); }

private:
    std::shared_ptr<const SqlColumns> columns_;
    std::vector<std::optional<std::string>> values_;
};
using SqlRows = std::vector<SqlRow>;

// The database keeps Instants and Timestamps as BIGINT seconds since the
// epoch; these two convert, and nothing else does.
inline std::int64_t epoch_seconds(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp timestamp_from_epoch(std::int64_t seconds) { return Timestamp{std::chrono::seconds{seconds}}; }

struct Statement {
    std::string sql;
    SqlParams params;
};

// The database's overlap backstop fired (SQLite trigger, PostgreSQL EXCLUDE).
struct OverlapError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Anything else the database refused or could not do.
struct StoreError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// The database did not answer within a bound of store_bounds.h (a lock
// held too long, a frozen or unreachable server). Nothing about the request
// itself is wrong: retrying it alone right away would only wait again, so
// a caller with several requests gives them all this answer.
struct UnavailableError : StoreError {
    using StoreError::StoreError;
};

enum class Dialect { sqlite, postgres };

class Session {
public:
    virtual ~Session() = default;
    virtual Dialect dialect() const noexcept = 0;
    virtual SqlRows query(const std::string& sql, const SqlParams& params = {}) = 0;
    // Returns the number of rows changed.
    virtual std::int64_t exec(const std::string& sql, const SqlParams& params = {}) = 0;
    SqlRows query(const Statement& st) { return query(st.sql, st.params); }
    std::int64_t exec(const Statement& st) { return exec(st.sql, st.params); }
    // Runs the statements in order and returns the rows of each. A backend
    // may send them all before it reads the first answer (PostgreSQL's
    // pipeline mode: one round trip). The first failure is thrown; inside a
    // transaction the statements after it have not taken effect.
    virtual std::vector<SqlRows> query_all(const std::vector<Statement>& statements) = 0;
    // Several statements without parameters (migrations).
    virtual void exec_script(const std::string& sql) = 0;
    // A transaction that may read and write freely.
    virtual void begin() = 0;
    // A transaction holding the write lock of `lock_key` (a provider id) until
    // commit or rollback: SQLite BEGIN IMMEDIATE, PostgreSQL advisory lock.
    virtual void begin_locked(const std::string& lock_key) = 0;
    // Statement that takes the lock of `name` (an Idempotency-Key) until the
    // transaction ends, without waiting: one row whose column `acquired` is true when it
    // was free. nullopt where the transaction's lock already excludes every
    // other writer (SQLite).
    virtual std::optional<Statement> try_lock_statement(const std::string& name) const = 0;
    // Read-only statements outside a transaction, each seeing what is
    // committed when it runs; one round trip where the backend can
    // (PostgreSQL's pipeline), in turn otherwise. Unlike query_all it never
    // takes SQLite's writer turn.
    virtual std::vector<SqlRows> read_all(const std::vector<Statement>& statements);
    // begin_locked, then query_all: one round trip in PostgreSQL.
    virtual std::vector<SqlRows> begin_locked_with(const std::string& lock_key, const std::vector<Statement>& statements);
    // query_all, then commit: one round trip in PostgreSQL. When a statement
    // fails nothing is committed and the transaction is left to roll back.
    virtual void commit_with(const std::vector<Statement>& statements);
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;
    virtual bool in_transaction() const = 0;
    // A session whose connection is lost is not pooled again.
    virtual bool broken() const noexcept { return false; }
};

// Open sessions kept for reuse, at most `capacity` idle. A session handed out
// goes back when its last pointer dies: rolled back, and dropped if broken.
// The pool must outlive the sessions it hands out.
class SessionPool {
public:
    explicit SessionPool(std::size_t capacity) : capacity_(capacity) {}

    // An idle session, or a new one from `open()`.
    std::shared_ptr<Session> take(const std::function<std::unique_ptr<Session>()>& open);

    // For /metrics: sessions handed out now, and sessions kept idle.
    std::size_t in_use() const noexcept { return in_use_.load(std::memory_order_relaxed); }
    std::size_t idle() const noexcept { return idle_count_.load(std::memory_order_relaxed); }
    std::size_t capacity() const noexcept { return capacity_; }

private:
    std::size_t capacity_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Session>> idle_;
    std::atomic<std::size_t> in_use_{0}, idle_count_{0};
};

// A store's pool as /metrics shows it.
struct PoolUse {
    std::size_t in_use = 0, idle = 0, capacity = 0;
};

class Store {
public:
    virtual ~Store() = default;
    virtual std::string backend() const = 0;  // "sqlite" or "postgres"
    // A pooled session; it goes back to the pool when the pointer dies.
    virtual std::shared_ptr<Session> session() = 0;
    // Applies the versioned migrations that are not applied yet.
    virtual void migrate() = 0;
    // Writers under lock key `lock_key` (a provider id) queue for group
    // commit under the name this returns: the key itself where the lock is
    // per provider (PostgreSQL), one name for all where the database has a
    // single writer (SQLite).
    virtual std::string write_queue(const std::string& lock_key) const { return lock_key; }
    // Its session pool's use now (for /metrics).
    virtual PoolUse pool_use() const { return {}; }
};

// Applies the not yet applied migrations of `backend`, each in its own
// transaction, under a lock so that processes starting together take turns.
void apply_migrations(Session& session, const std::string& backend);

// `sqlite:PATH` or `postgres://...` / `postgresql://...`.
std::unique_ptr<Store> open_store(const std::string& url, std::size_t pool_size);

// Runs `work` inside a transaction, committing when it returns and rolling
// back when it throws.
template <class Work>
auto in_transaction(Session& s, const std::optional<std::string>& lock_key, Work&& work) {
    if (lock_key) s.begin_locked(*lock_key);
    else s.begin();
    try {
        if constexpr (std::is_void_v<decltype(work())>) {
            work();
            s.commit();
        } else {
            auto result = work();
            s.commit();
            return result;
        }
    } catch (...) {
        s.rollback();
        throw;
    }
}

}  // namespace slotwise::server
