// PostgreSQL backend through libpq: READ COMMITTED transactions, a
// transaction-scoped advisory lock per provider (and, tried without waiting,
// per Idempotency-Key), the EXCLUDE constraint as the backstop (SQLSTATE
// 23P01 is reported as an OverlapError). Statements are prepared once per
// connection and lists of them are sent in pipeline mode.
//
// Every wait is bounded (see store_bounds.h): the server enforces the lock
// and statement timeouts, and because a frozen server (SIGSTOP, a hung host)
// enforces nothing, the client also gives every round trip a deadline. The
// socket is non-blocking and polled; a connection whose deadline passed is
// in an unknown state, so it is marked broken and never pooled again.
#include <libpq-fe.h>
#include <poll.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "store/store.h"
#include "store/store_bounds.h"

namespace slotwise::server {
namespace {

using SteadyClock = std::chrono::steady_clock;

// A stable 64-bit key for pg_advisory_xact_lock (FNV-1a of the provider id).
std::int64_t lock_key_of(const std::string& text) {
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return static_cast<std::int64_t>(h);
}

// Keys of the two-integer form, a lock space apart from the providers' one-integer keys.
std::pair<std::int64_t, std::int64_t> name_lock_keys_of(const std::string& text) {
    const auto h = static_cast<std::uint64_t>(lock_key_of(text));
    return {static_cast<std::int32_t>(h >> 32), static_cast<std::int32_t>(h & 0xffffffffu)};
}

constexpr const char* kBegin = "BEGIN ISOLATION LEVEL READ COMMITTED";
constexpr const char* kWaitForFlush = "SET LOCAL synchronous_commit = on";

// SQLSTATEs that say the database could not serve now, not that the request
// was wrong: lock_timeout, statement_timeout or a cancel (55P03, 57014), an
// administrator or crash shutdown (57P01-57P03), connection failures (08),
// too many connections (53300).
bool unavailable_state(const char* state) {
    return std::strcmp(state, "55P03") == 0 || std::strcmp(state, "57014") == 0 || std::strncmp(state, "57P0", 4) == 0 ||
           std::strncmp(state, "08", 2) == 0 || std::strcmp(state, "53300") == 0;
}

std::string milliseconds_setting(std::chrono::milliseconds ms) { return "'" + std::to_string(ms.count()) + "ms'"; }

// What the store's connections learned about reaching the database. When
// one connection times out or breaks, the others (idle in the pool, or about
// to be opened) are most likely in the same state: the idle ones are not
// reused (a generation later) and, for kReconnectPause, new requests fail at
// once instead of each waiting a connect or round-trip bound of its own.
class Reachability {
public:
    void lost() noexcept {
        generation_.fetch_add(1);
        unreachable_until_.store((SteadyClock::now() + bounds::kReconnectPause).time_since_epoch().count());
    }
    std::uint64_t generation() const noexcept { return generation_.load(); }
    bool recently_lost() const noexcept {
        return SteadyClock::now().time_since_epoch().count() < unreachable_until_.load();
    }

private:
    std::atomic<std::uint64_t> generation_{0};
    std::atomic<SteadyClock::rep> unreachable_until_{0};
};

// Providers whose lock could not be had within kLockWait a moment ago. The
// requests queued behind the batch that waited (group commit) would each
// wait as long again; for kLockRetryPause they are answered at once instead,
// so that no request waits much more than one kLockWait in all.
class BusyLocks {
public:
    void mark(std::int64_t key) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (until_.size() > 10000) until_.clear();  // a bound on memory; forgetting only costs waits
        until_[key] = SteadyClock::now() + bounds::kLockRetryPause;
    }
    bool busy(std::int64_t key) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = until_.find(key);
        if (it == until_.end()) return false;
        if (SteadyClock::now() < it->second) return true;
        until_.erase(it);
        return false;
    }

private:
    std::mutex mutex_;
    std::unordered_map<std::int64_t, SteadyClock::time_point> until_;
};

// How long this connection's waits may last. Requests use the defaults;
// migrations (which may rewrite a large table, and wait for each other when
// processes start together) get longer ones.
struct SessionBounds {
    std::chrono::milliseconds lock_wait = bounds::kLockWait;
    std::chrono::milliseconds statement = bounds::kStatement;
    std::chrono::milliseconds round_trip = bounds::kRoundTrip;
};

class PgResult {
public:
    explicit PgResult(PGresult* r) : r_(r) {}
    ~PgResult() { PQclear(r_); }
    PgResult(const PgResult&) = delete;
    PgResult& operator=(const PgResult&) = delete;
    PGresult* get() const { return r_; }

private:
    PGresult* r_;
};

class PostgresSession final : public Session {
public:
    PostgresSession(const std::string& url, SessionBounds session_bounds, Reachability& reachability, BusyLocks& busy_locks)
        : bounds_(session_bounds), reachability_(reachability), busy_locks_(busy_locks), generation_(reachability.generation()) {
        connect(url);
        if (PQsetnonblocking(conn_, 1) != 0) {
            PQfinish(conn_);
            throw StoreError("PostgreSQL: cannot make the connection non-blocking");
        }
        // Like the SQLite backend: statements outside transactions (the purge
        // of expired keys) commit without waiting for the WAL flush;
        // transactions (bookings, transitions, providers) wait for it.
        // A transaction left idle (its process frozen) loses its locks after
        // kIdleInTransaction instead of blocking its provider indefinitely.
        try {
            exec_script("SET TIME ZONE 'UTC'; SET client_min_messages = warning; SET synchronous_commit = off;"
                        " SET lock_timeout = " + milliseconds_setting(bounds_.lock_wait) +
                        "; SET statement_timeout = " + milliseconds_setting(bounds_.statement) +
                        "; SET idle_in_transaction_session_timeout = " +
                        milliseconds_setting(bounds::kIdleInTransaction) + ";");
        } catch (...) {
            PQfinish(conn_);
            throw;
        }
    }
    ~PostgresSession() override { PQfinish(conn_); }

    Dialect dialect() const noexcept override { return Dialect::postgres; }

    SqlRows query(const std::string& sql, const SqlParams& params) override {
        PgResult r(run(sql, params));
        return rows_of(r.get());
    }

    std::vector<SqlRows> query_all(const std::vector<Statement>& statements) override { return pipeline(statements); }
    std::vector<SqlRows> read_all(const std::vector<Statement>& statements) override { return pipeline(statements); }

    std::optional<Statement> try_lock_statement(const std::string& name) const override {
        const auto [a, b] = name_lock_keys_of(name);
        return Statement{"SELECT pg_try_advisory_xact_lock($1::int4, $2::int4) AS acquired", {a, b}};
    }

    std::vector<SqlRows> begin_locked_with(const std::string& lock_key, const std::vector<Statement>& statements) override {
        const auto key = lock_key_of(lock_key);
        if (busy_locks_.busy(key)) throw UnavailableError("PostgreSQL: the lock of " + lock_key + " is held by another session");
        constexpr std::size_t kLockStatement = 2;
        std::vector<Statement> all = {{kBegin, {}}, {kWaitForFlush, {}}, {"SELECT pg_advisory_xact_lock($1)", {key}}};
        all.insert(all.end(), statements.begin(), statements.end());
        try {
            auto results = pipeline(all);
            results.erase(results.begin(), results.begin() + 3);
            return results;
        } catch (const UnavailableError&) {
            if (failed_statement_ == kLockStatement) busy_locks_.mark(key);
            throw;
        }
    }

    // COMMIT in the same pipeline: after a failure the server skips the rest
    // of it, COMMIT included, and the transaction stays open, aborted.
    void commit_with(const std::vector<Statement>& statements) override {
        std::vector<Statement> all = statements;
        all.push_back({"COMMIT", {}});
        pipeline(all);
    }

    std::int64_t exec(const std::string& sql, const SqlParams& params) override {
        PgResult r(run(sql, params));
        const char* n = PQcmdTuples(r.get());
        return n && *n ? std::stoll(n) : 0;
    }

    // The simple query protocol: several statements, one round trip.
    void exec_script(const std::string& sql) override {
        const auto deadline = round_trip_deadline();
        if (PQsendQuery(conn_, sql.c_str()) != 1) lose_connection("cannot send a query");
        flush(deadline);
        check_all(deadline);
    }

    void begin() override { exec_script(std::string(kBegin) + "; " + kWaitForFlush); }
    void begin_locked(const std::string& lock_key) override { begin_locked_with(lock_key, {}); }
    void commit() override { exec_script("COMMIT"); }
    void rollback() noexcept override {
        if (unusable_ || PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
        try {
            exec_script("ROLLBACK");
        } catch (...) {
            unusable_ = true;
        }
    }
    bool in_transaction() const override { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }
    bool broken() const noexcept override {
        return unusable_ || PQstatus(conn_) != CONNECTION_OK || generation_ != reachability_.generation();
    }

private:
    // Pipeline mode: every statement is sent before the first answer is
    // read, so the whole list costs one round trip. After a failure the
    // server skips the rest (PGRES_PIPELINE_ABORTED) up to the sync point.
    std::vector<SqlRows> pipeline(const std::vector<Statement>& statements) {
        if (statements.empty()) return {};
        for (const auto& st : statements) prepared(st.sql);  // before the pipeline: a prepare waits for its answer
        const auto deadline = round_trip_deadline();
        if (PQenterPipelineMode(conn_) != 1) throw StoreError("PostgreSQL: cannot enter pipeline mode");
        bool sent = true;
        for (const auto& st : statements) {
            const Params p(st.params);
            if (PQsendQueryPrepared(conn_, prepared(st.sql).c_str(), p.count(), p.values(), nullptr, nullptr, 0) != 1) {
                sent = false;
                break;
            }
        }
        if (!sent || PQpipelineSync(conn_) != 1) {
            lose_connection("cannot send a pipeline");  // half a pipeline was sent
        }
        flush(deadline);
        std::vector<SqlRows> results;
        std::exception_ptr failure;
        failed_statement_ = statements.size();
        for (bool after_end = false;;) {
            PGresult* raw = next_result(deadline);
            if (!raw) {
                // One null ends each statement's results; two in a row mean the
                // connection failed before the sync point arrived.
                if (after_end) lose_connection("pipeline lost");
                after_end = true;
                continue;
            }
            after_end = false;
            PgResult r(raw);
            const auto status = PQresultStatus(raw);
            if (status == PGRES_PIPELINE_SYNC) break;
            if (status == PGRES_PIPELINE_ABORTED) continue;
            try {
                check(raw);
                results.push_back(rows_of(raw));
            } catch (...) {
                if (!failure) {
                    failure = std::current_exception();
                    failed_statement_ = results.size();
                }
            }
        }
        PQexitPipelineMode(conn_);
        if (failure) std::rethrow_exception(failure);
        return results;
    }

    // Parameters in libpq's text form; NULL stays a null pointer.
    class Params {
    public:
        explicit Params(const SqlParams& params) : text_(params.size()), values_(params.size(), nullptr) {
            for (std::size_t i = 0; i < params.size(); ++i) {
                if (auto n = std::get_if<std::int64_t>(&params[i])) text_[i] = std::to_string(*n);
                else if (auto s = std::get_if<std::string>(&params[i])) text_[i] = *s;
                else continue;
                values_[i] = text_[i].c_str();
            }
        }
        int count() const { return static_cast<int>(values_.size()); }
        const char* const* values() const { return values_.data(); }

    private:
        std::vector<std::string> text_;
        std::vector<const char*> values_;
    };

    static SqlRows rows_of(PGresult* r) {
        SqlRows rows;
        const int n = PQntuples(r), columns = PQnfields(r);
        rows.reserve(static_cast<std::size_t>(n));
        auto names = std::make_shared<SqlColumns>();
        for (int c = 0; c < columns; ++c) names->emplace_back(PQfname(r, c));
        for (int i = 0; i < n; ++i) {
            SqlRow row(names);
            for (int c = 0; c < columns; ++c) {
                if (PQgetisnull(r, i, c)) row.add(std::nullopt);
                else row.add(std::string(PQgetvalue(r, i, c), static_cast<std::size_t>(PQgetlength(r, i, c))));
            }
            rows.push_back(std::move(row));
        }
        return rows;
    }

    // Each statement is prepared once per connection: planning a query
    // afresh costs more than running it.
    const std::string& prepared(const std::string& sql) {
        auto it = prepared_.find(sql);
        if (it != prepared_.end()) return it->second;
        const std::string name = "s" + std::to_string(prepared_.size());
        const auto deadline = round_trip_deadline();
        if (PQsendPrepare(conn_, name.c_str(), sql.c_str(), 0, nullptr) != 1) lose_connection("cannot send a statement");
        flush(deadline);
        check_all(deadline);
        return prepared_.emplace(sql, name).first->second;
    }

    PGresult* run(const std::string& sql, const SqlParams& params) {
        const Params p(params);
        const std::string& name = prepared(sql);
        const auto deadline = round_trip_deadline();
        if (PQsendQueryPrepared(conn_, name.c_str(), p.count(), p.values(), nullptr, nullptr, 0) != 1)
            lose_connection("cannot send a statement");
        flush(deadline);
        PGresult* first = nullptr;
        std::exception_ptr failure;
        while (PGresult* r = next_result(deadline)) {
            if (first) {
                PQclear(r);
                continue;
            }
            try {
                check(r);
                first = r;
            } catch (...) {
                PQclear(r);
                if (!failure) failure = std::current_exception();
            }
        }
        if (failure) {
            PQclear(first);
            std::rethrow_exception(failure);
        }
        if (!first) lose_connection("no answer to a statement");
        return first;
    }

    // Connects without blocking, so that the whole of it (every address of
    // the host, TLS negotiation, authentication) ends within kConnect: a
    // frozen server accepts the TCP connection but never answers.
    void connect(const std::string& url) {
        const auto deadline = SteadyClock::now() + bounds::kConnect;
        const char* keys[] = {"dbname", nullptr};
        const char* values[] = {url.c_str(), nullptr};
        conn_ = PQconnectStartParams(keys, values, 1);
        auto fail = [&](const std::string& why) {
            std::string message = why.empty() && conn_ ? PQerrorMessage(conn_) : why;
            PQfinish(conn_);
            conn_ = nullptr;
            reachability_.lost();
            throw UnavailableError("cannot connect to PostgreSQL: " + message);
        };
        if (!conn_) fail("out of memory");
        const std::string too_late = "no answer within " + std::to_string(bounds::kConnect.count()) + " ms";
        auto polled = PGRES_POLLING_WRITING;
        while (polled != PGRES_POLLING_OK) {
            if (polled == PGRES_POLLING_FAILED || PQstatus(conn_) == CONNECTION_BAD) fail("");
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
            if (left.count() <= 0) fail(too_late);
            pollfd p{PQsocket(conn_), static_cast<short>(polled == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
            const int n = ::poll(&p, 1, static_cast<int>(left.count()));
            if (n == 0) fail(too_late);
            if (n < 0) {
                if (errno == EINTR) continue;
                fail(std::string("poll: ") + std::strerror(errno));
            }
            polled = PQconnectPoll(conn_);
        }
    }

    SteadyClock::time_point round_trip_deadline() const { return SteadyClock::now() + bounds_.round_trip; }

    [[noreturn]] void lose_connection(const std::string& what) {
        unusable_ = true;  // its state is unknown: it is not pooled again
        reachability_.lost();
        throw UnavailableError("PostgreSQL: " + what + ": " + PQerrorMessage(conn_));
    }

    // Waits until the socket is ready for `events`, at most until `deadline`.
    // Returns the ready events.
    short wait_socket(short events, SteadyClock::time_point deadline) {
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
            if (left.count() <= 0) {
                unusable_ = true;
                reachability_.lost();
                throw UnavailableError("PostgreSQL did not answer within " + std::to_string(bounds_.round_trip.count()) + " ms");
            }
            pollfd p{PQsocket(conn_), events, 0};
            const int n = ::poll(&p, 1, static_cast<int>(left.count()));
            if (n > 0) return p.revents;
            if (n < 0 && errno != EINTR) lose_connection(std::string("poll: ") + std::strerror(errno));
        }
    }

    // Sends what libpq has buffered; a full socket (a frozen server stops
    // reading) waits, at most until `deadline`.
    void flush(SteadyClock::time_point deadline) {
        for (;;) {
            const int r = PQflush(conn_);
            if (r == 0) return;
            if (r < 0) lose_connection("cannot send");
            // Read while waiting: the server may be blocked writing to us.
            if (wait_socket(POLLIN | POLLOUT, deadline) & POLLIN) {
                if (PQconsumeInput(conn_) != 1) lose_connection("connection lost");
            }
        }
    }

    // The next result of the query in progress, or null at its end; waits at
    // most until `deadline`.
    PGresult* next_result(SteadyClock::time_point deadline) {
        while (PQisBusy(conn_)) {
            wait_socket(POLLIN, deadline);
            if (PQconsumeInput(conn_) != 1) lose_connection("connection lost");
        }
        return PQgetResult(conn_);
    }

    // Reads every result of the query in progress; throws the first failure.
    void check_all(SteadyClock::time_point deadline) {
        std::exception_ptr failure;
        while (PGresult* raw = next_result(deadline)) {
            PgResult r(raw);
            try {
                check(raw);
            } catch (...) {
                if (!failure) failure = std::current_exception();
            }
        }
        if (failure) std::rethrow_exception(failure);
    }

    void check(PGresult* r) {
        const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
        const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
        std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
        if (state && std::strcmp(state, "23P01") == 0) throw OverlapError(message);
        if (state && unavailable_state(state))
            throw UnavailableError("PostgreSQL (" + std::string(state) + "): " + message);
        throw StoreError("PostgreSQL" + std::string(state ? " (" + std::string(state) + ")" : "") + ": " + message);
    }

    SessionBounds bounds_;
    Reachability& reachability_;
    BusyLocks& busy_locks_;
    std::uint64_t generation_;
    std::size_t failed_statement_ = 0;  // in the last pipeline: the first that failed
    PGconn* conn_ = nullptr;
    bool unusable_ = false;
    std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

class PostgresStore final : public Store {
public:
    PostgresStore(std::string url, std::size_t pool_size) : url_(std::move(url)), pool_(pool_size) {}
    std::string backend() const override { return "postgres"; }

    std::shared_ptr<Session> session() override {
        if (reachability_.recently_lost())
            throw UnavailableError("PostgreSQL was unreachable a moment ago; not tried again yet");
        return pool_.take([this] { return std::make_unique<PostgresSession>(url_, SessionBounds{}, reachability_, busy_locks_); });
    }

    // A connection of its own, not pooled: its bounds are the migrations'.
    void migrate() override {
        PostgresSession s(url_, SessionBounds{bounds::kMigrationLockWait, std::chrono::milliseconds{0}, bounds::kMigrationRoundTrip},
                          reachability_, busy_locks_);
        apply_migrations(s, "postgres");
    }

    PoolUse pool_use() const override { return {pool_.in_use(), pool_.idle(), pool_.capacity()}; }

private:
    std::string url_;
    Reachability reachability_;
    BusyLocks busy_locks_;
    SessionPool pool_;
};

}  // namespace

std::unique_ptr<Store> open_postgres_store(const std::string& url, std::size_t pool_size) {
    auto store = std::make_unique<PostgresStore>(url, pool_size);
    store->session();
    return store;
}

}  // namespace slotwise::server
