// PostgreSQL backend through libpq: READ COMMITTED transactions, a
// transaction-scoped advisory lock per provider, the EXCLUDE constraint as
// the backstop (SQLSTATE 23P01 is reported as an OverlapError).
#include <libpq-fe.h>

#include <cstring>
#include <mutex>

#include "group_commit.h"
#include "store.h"

namespace slotwise::server {
namespace {

// A stable 64-bit key for pg_advisory_xact_lock (FNV-1a of the provider id).
std::int64_t lock_key_of(const std::string& text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return static_cast<std::int64_t>(h);
}

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
    explicit PostgresSession(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
        if (PQstatus(conn_) != CONNECTION_OK) {
            std::string message = PQerrorMessage(conn_);
            PQfinish(conn_);
            throw StoreError("cannot connect to PostgreSQL: " + message);
        }
        // Like the SQLite backend: statements outside transactions (idempotency
        // bookkeeping) commit without waiting for the WAL flush; transactions
        // (bookings, transitions, providers) wait for it. A synchronous commit
        // flushes the WAL up to itself, so it carries the earlier ones along.
        exec_script("SET TIME ZONE 'UTC'; SET client_min_messages = warning; SET synchronous_commit = off;");
    }
    ~PostgresSession() override { PQfinish(conn_); }

    std::vector<SqlRow> query(const std::string& sql, const SqlParams& params) override {
        PgResult r(run(sql, params));
        std::vector<SqlRow> rows;
        const int n = PQntuples(r.get()), columns = PQnfields(r.get());
        rows.reserve(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            SqlRow row;
            for (int c = 0; c < columns; ++c) {
                if (PQgetisnull(r.get(), i, c)) row.emplace_back(std::nullopt);
                else row.emplace_back(std::string(PQgetvalue(r.get(), i, c), static_cast<std::size_t>(PQgetlength(r.get(), i, c))));
            }
            rows.push_back(std::move(row));
        }
        return rows;
    }

    std::int64_t exec(const std::string& sql, const SqlParams& params) override {
        PgResult r(run(sql, params));
        const char* n = PQcmdTuples(r.get());
        return n && *n ? std::stoll(n) : 0;
    }

    void exec_script(const std::string& sql) override {
        PgResult r(PQexec(conn_, sql.c_str()));
        check(r.get());
    }

    void begin() override { exec_script("BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit = on"); }
    void begin_locked(const std::string& lock_key) override {
        begin();
        query("SELECT pg_advisory_xact_lock($1)", {lock_key_of(lock_key)});
    }
    void commit() override { exec_script("COMMIT"); }
    void rollback() noexcept override {
        if (PQtransactionStatus(conn_) != PQTRANS_IDLE) PQclear(PQexec(conn_, "ROLLBACK"));
    }
    bool in_transaction() const override { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }
    bool broken() const noexcept override { return PQstatus(conn_) != CONNECTION_OK; }

private:
    PGresult* run(const std::string& sql, const SqlParams& params) {
        std::vector<std::string> text(params.size());
        std::vector<const char*> values(params.size(), nullptr);
        for (std::size_t i = 0; i < params.size(); ++i) {
            if (auto n = std::get_if<std::int64_t>(&params[i])) text[i] = std::to_string(*n);
            else if (auto s = std::get_if<std::string>(&params[i])) text[i] = *s;
            else continue;
            values[i] = text[i].c_str();
        }
        PGresult* r = PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(), nullptr,
                                   nullptr, 0);
        try {
            check(r);
        } catch (...) {
            PQclear(r);
            throw;
        }
        return r;
    }

    void check(PGresult* r) {
        const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
        const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
        std::string message = PQerrorMessage(conn_);
        if (state && std::strcmp(state, "23P01") == 0) throw OverlapError(message);
        throw StoreError("PostgreSQL" + std::string(state ? " (" + std::string(state) + ")" : "") + ": " + message);
    }

    PGconn* conn_;
};

class PostgresStore final : public Store {
public:
    PostgresStore(std::string conninfo, std::size_t pool_size) : conninfo_(std::move(conninfo)), pool_(pool_size) {}
    std::string backend() const override { return "postgres"; }

    std::shared_ptr<Session> session() override {
        return pool_.take([this] { return std::make_unique<PostgresSession>(conninfo_); });
    }

    void migrate() override {
        auto s = session();
        apply_migrations(*s, "postgres");
    }

    // One queue per provider: its bookings are serialised by the advisory lock anyway.
    void write(const std::string& lock_key, const std::function<void(Session&)>& work) override {
        group_.run(lock_key, work);
    }

private:
    std::string conninfo_;
    SessionPool pool_;
    GroupCommit group_{*this};
};

}  // namespace

std::unique_ptr<Store> open_postgres_store(const std::string& conninfo, std::size_t pool_size) {
    auto store = std::make_unique<PostgresStore>(conninfo, pool_size);
    store->session();
    return store;
}

}  // namespace slotwise::server
