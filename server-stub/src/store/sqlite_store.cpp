// SQLite backend: one file, WAL, a busy timeout so that writers from several
// threads and processes queue instead of failing.
//
// Durability: every explicit transaction (bookings with their idempotent
// answers, transitions, provider changes) commits with synchronous=FULL, so
// an acknowledged booking is on disk. Single statements outside transactions
// (the purge of expired keys) run with synchronous=NORMAL: their WAL frames
// reach the disk with the next FULL commit or checkpoint.
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "store/store.h"
#include "store/store_bounds.h"

namespace slotwise::server {
namespace {

using SteadyClock = std::chrono::steady_clock;
const int kFullBusyTimeoutMs = static_cast<int>(bounds::kLockWait.count());

int milliseconds_until(SteadyClock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

// This process's turn to write: the writer queue's lock, and the busy
// timeout shortened to what is left of the turn's kLockWait. Ending the turn
// gives the lock back and the busy timeout its full length (for reads).
// When a transaction could not get the write lock within kLockWait, the
// ones queued behind it would each wait as long again: for kLockRetryPause
// they are answered at once instead.
class WriteLockBusy {
public:
    void mark() noexcept { until_.store((SteadyClock::now() + bounds::kLockRetryPause).time_since_epoch().count()); }
    bool busy() const noexcept { return SteadyClock::now().time_since_epoch().count() < until_.load(); }

private:
    std::atomic<SteadyClock::rep> until_{0};
};

// The write lock stayed taken past the busy timeout.
bool busy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

class WriterTurn {
public:
    WriterTurn() = default;
    WriterTurn(std::timed_mutex& mutex, sqlite3* db) : lock_(mutex, std::defer_lock), db_(db) {
        const auto deadline = SteadyClock::now() + bounds::kLockWait;
        if (!lock_.try_lock_until(deadline))
            throw UnavailableError("SQLite: the database stayed locked for " + std::to_string(bounds::kLockWait.count()) + " ms");
        sqlite3_busy_timeout(db_, std::max(1, milliseconds_until(deadline)));
    }
    WriterTurn(WriterTurn&& other) noexcept : lock_(std::move(other.lock_)), db_(other.db_) {}
    WriterTurn& operator=(WriterTurn&& other) noexcept {
        end();
        lock_ = std::move(other.lock_);
        db_ = other.db_;
        return *this;
    }
    ~WriterTurn() { end(); }
    void end() noexcept {
        if (!lock_.owns_lock()) return;
        sqlite3_busy_timeout(db_, kFullBusyTimeoutMs);
        lock_.unlock();
    }

private:
    std::unique_lock<std::timed_mutex> lock_;
    sqlite3* db_ = nullptr;
};

class SqliteSession final : public Session {
public:
    // Writers of one process queue on `write_mutex` instead of in SQLite's
    // busy handler, which sleeps in growing steps and starves unlucky
    // waiters; the busy timeout still orders writers of different processes.
    // The two waits together last at most bounds::kLockWait.
    SqliteSession(const std::string& path, std::timed_mutex& write_mutex, WriteLockBusy& write_lock_busy)
        : write_mutex_(write_mutex), write_lock_busy_(write_lock_busy) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            nullptr) != SQLITE_OK) {
            std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw StoreError("cannot open SQLite database " + path + ": " + message);
        }
        sqlite3_busy_timeout(db_, kFullBusyTimeoutMs);
        exec_script("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
    }
    ~SqliteSession() override {
        for (auto& entry : statements_) sqlite3_finalize(entry.second);
        sqlite3_close(db_);
    }

    Dialect dialect() const noexcept override { return Dialect::sqlite; }

    SqlRows query(const std::string& sql, const SqlParams& params) override {
        sqlite3_stmt* stmt = prepare(sql, params);
        SqlRows rows;
        const int columns = sqlite3_column_count(stmt);
        auto names = std::make_shared<SqlColumns>();
        for (int i = 0; i < columns; ++i) names->emplace_back(sqlite3_column_name(stmt, i));
        for (;;) {
            int rc = sqlite3_step(stmt);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) fail(stmt, rc);
            SqlRow row(names);
            for (int i = 0; i < columns; ++i) {
                if (sqlite3_column_type(stmt, i) == SQLITE_NULL) row.add(std::nullopt);
                else row.add(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                                                  static_cast<std::size_t>(sqlite3_column_bytes(stmt, i))));
            }
            rows.push_back(std::move(row));
        }
        sqlite3_reset(stmt);
        return rows;
    }

    std::int64_t exec(const std::string& sql, const SqlParams& params) override {
        WriterTurn turn;
        if (!in_transaction()) turn = WriterTurn(write_mutex_, db_);
        query(sql, params);
        return sqlite3_changes64(db_);
    }

    // SQLite runs in this process: there is no round trip to save.
    std::vector<SqlRows> query_all(const std::vector<Statement>& statements) override {
        WriterTurn turn;
        if (!in_transaction()) turn = WriterTurn(write_mutex_, db_);
        std::vector<SqlRows> results;
        results.reserve(statements.size());
        for (const auto& st : statements) results.push_back(query(st.sql, st.params));
        return results;
    }

    void exec_script(const std::string& sql) override {
        char* error = nullptr;
        if (const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error); rc != SQLITE_OK) {
            std::string message = error ? error : "unknown error";
            sqlite3_free(error);
            if (busy(rc)) throw UnavailableError("SQLite: " + message);
            throw StoreError("SQLite: " + message);
        }
    }

    void begin() override {
        if (write_lock_busy_.busy()) throw UnavailableError("SQLite: the database is locked by another writer");
        try {
            writing_ = WriterTurn(write_mutex_, db_);
            exec_script("PRAGMA synchronous=FULL; BEGIN IMMEDIATE");
        } catch (const UnavailableError&) {
            writing_.end();
            write_lock_busy_.mark();
            throw;
        } catch (...) {
            writing_.end();
            throw;
        }
    }
    // SQLite has one writer at a time: BEGIN IMMEDIATE takes the database's
    // write lock up front, which covers every provider at once.
    void begin_locked(const std::string&) override { begin(); }
    void commit() override {
        exec_script("COMMIT; PRAGMA synchronous=NORMAL");
        writing_.end();
    }
    void rollback() noexcept override {
        if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_exec(db_, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
        writing_.end();
    }
    bool in_transaction() const override { return !sqlite3_get_autocommit(db_); }
    std::optional<Statement> try_lock_statement(const std::string&) const override { return std::nullopt; }

private:
    sqlite3_stmt* prepare(const std::string& sql, const SqlParams& params) {
        sqlite3_stmt*& stmt = statements_[sql];
        if (!stmt && sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
            std::string message = sqlite3_errmsg(db_);
            statements_.erase(sql);
            throw StoreError("SQLite prepare: " + message);
        }
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        for (std::size_t i = 0; i < params.size(); ++i) {
            // Placeholders are PostgreSQL-style `$n`; SQLite knows them as named
            // parameters, so they are bound by name, whatever their order.
            const std::string name = "$" + std::to_string(i + 1);
            const int index = sqlite3_bind_parameter_index(stmt, name.c_str());
            if (index == 0) continue;
            const SqlValue& v = params[i];
            if (std::holds_alternative<std::nullptr_t>(v)) sqlite3_bind_null(stmt, index);
            else if (auto n = std::get_if<std::int64_t>(&v)) sqlite3_bind_int64(stmt, index, *n);
            else {
                const auto& s = std::get<std::string>(v);
                sqlite3_bind_text(stmt, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
            }
        }
        return stmt;
    }

    [[noreturn]] void fail(sqlite3_stmt* stmt, int rc) {
        std::string message = sqlite3_errmsg(db_);
        sqlite3_reset(stmt);
        if (message.find("SLOTWISE_OVERLAP") != std::string::npos) throw OverlapError(message);
        if (busy(rc)) throw UnavailableError("SQLite (" + std::to_string(rc) + "): " + message);
        throw StoreError("SQLite (" + std::to_string(rc) + "): " + message);
    }

    std::timed_mutex& write_mutex_;
    WriteLockBusy& write_lock_busy_;
    WriterTurn writing_;
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

class SqliteStore final : public Store {
public:
    SqliteStore(std::string path, std::size_t pool_size) : path_(std::move(path)), pool_(pool_size) {}
    std::string backend() const override { return "sqlite"; }

    std::shared_ptr<Session> session() override {
        return pool_.take([this] { return std::make_unique<SqliteSession>(path_, write_mutex_, write_lock_busy_); });
    }

    void migrate() override {
        auto s = session();
        apply_migrations(*s, "sqlite");
    }

    // SQLite has one writer: one queue for all providers.
    std::string write_queue(const std::string&) const override { return "sqlite"; }

    PoolUse pool_use() const override { return {pool_.in_use(), pool_.idle(), pool_.capacity()}; }

private:
    std::string path_;
    std::timed_mutex write_mutex_;
    WriteLockBusy write_lock_busy_;
    SessionPool pool_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path, std::size_t pool_size) {
    auto store = std::make_unique<SqliteStore>(path, pool_size);
    store->session();  // fail at start, not at the first request, when the file cannot be opened
    return store;
}

}  // namespace slotwise::server
