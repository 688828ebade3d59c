// SharedLimits: each decision is one statement against the database, so every
// server process on the database sees the same buckets and counters. The
// clock is the database's (PostgreSQL) or the file's host (SQLite), never the
// server's SLOTWISE_NOW clock: a rate is about real time, and processes on
// different hosts must agree on it.
#include "store/shared_limits.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <locale>
#include <sstream>

namespace slotwise::server {
namespace {

std::string literal(double value) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    out << std::setprecision(17) << value;
    return out.str();
}

std::string now_ms_sql(bool postgres) {
    return postgres ? "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
                    : "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
}

bool truthy(const std::optional<std::string>& v) { return v && (*v == "t" || *v == "1" || *v == "true"); }

int seconds_rounded_up(double ms) { return std::max(1, static_cast<int>(std::ceil(ms / 1000.0))); }

}  // namespace

SharedLimits::SharedLimits(Store& store, LimitOptions options) : store_(store), options_(options) {
    const bool postgres = store_.backend() == "postgres";
    const std::string now = now_ms_sql(postgres);
    const std::string least = postgres ? "LEAST" : "min";
    const std::string greatest = postgres ? "GREATEST" : "max";
    const double burst = std::max(1.0, options_.public_burst);
    const std::string per_ms = literal(options_.public_per_second / 1000.0);
    const std::string refilled = least + "(" + literal(burst) + ", rate_buckets.tokens + " + greatest +
                                 "(0, excluded.updated_ms - rate_buckets.updated_ms) * " + per_ms + ")";
    const std::string yes = postgres ? "true" : "1";
    // Refill and take in one UPSERT: the row lock (PostgreSQL) or the write
    // lock (SQLite) makes two processes' requests take turns on the bucket.
    admit_sql_ = "INSERT INTO rate_buckets (address, tokens, updated_ms, admitted) VALUES ($1, " +
                 literal(burst - 1) + ", " + now + ", " + yes +
                 ") ON CONFLICT (address) DO UPDATE SET"
                 " tokens = CASE WHEN " + refilled + " >= 1 THEN " + refilled + " - 1 ELSE " + refilled + " END,"
                 " updated_ms = " + greatest + "(rate_buckets.updated_ms, excluded.updated_ms),"
                 " admitted = " + (postgres ? refilled + " >= 1" : "CASE WHEN " + refilled + " >= 1 THEN 1 ELSE 0 END") +
                 " RETURNING admitted, tokens";

    const std::string window_ms = std::to_string(std::chrono::milliseconds(options_.credential_window).count());
    const std::string limit = std::to_string(std::max(1, options_.credential_failures));
    const std::string expired = "(excluded.window_start_ms - credential_failures.window_start_ms >= " + window_ms +
                                " AND credential_failures.locked_until_ms <= excluded.window_start_ms)";
    const std::string counted = "CASE WHEN " + expired + " THEN 1 ELSE credential_failures.failures + 1 END";
    failure_sql_ = "INSERT INTO credential_failures (address, failures, window_start_ms, locked_until_ms) VALUES ($1, 1, " +
                   now + ", CASE WHEN 1 >= " + limit + " THEN " + now + " + " + window_ms +
                   " ELSE 0 END) ON CONFLICT (address) DO UPDATE SET"
                   " failures = " + counted + ","
                   " window_start_ms = CASE WHEN " + expired + " THEN excluded.window_start_ms ELSE credential_failures.window_start_ms END,"
                   " locked_until_ms = CASE WHEN " + counted + " >= " + limit + " THEN excluded.window_start_ms + " +
                   window_ms + " ELSE credential_failures.locked_until_ms END";
    wait_sql_ = "SELECT locked_until_ms - " + now + " AS remaining_ms FROM credential_failures WHERE address = $1";

    // A bucket untouched for burst / rate seconds is full again, the same as no row.
    const double refill_ms = options_.public_per_second > 0 ? std::ceil(burst / options_.public_per_second * 1000) : 0;
    purge_sql_ = {"DELETE FROM rate_buckets WHERE updated_ms < " + now + " - " + literal(refill_ms),
                  "DELETE FROM credential_failures WHERE locked_until_ms < " + now + " AND window_start_ms + " +
                      window_ms + " < " + now};
}

int SharedLimits::admit_public(const std::string& client_address) {
    if (options_.public_per_second <= 0) return 0;
    // query_all, not query: it queues as a writer (SQLite's writer queue).
    const auto results = store_.session()->query_all({{admit_sql_, {client_address}}});
    const auto& rows = results.at(0);
    if (rows.empty() || truthy(rows[0].value("admitted"))) return 0;
    const auto& tokens_text = rows[0].value("tokens");
    const double tokens = tokens_text ? std::stod(*tokens_text) : 0;
    return seconds_rounded_up((1 - tokens) / options_.public_per_second * 1000);
}

int SharedLimits::credential_wait(const std::string& client_address) {
    const auto rows = store_.session()->query(wait_sql_, {client_address});
    if (rows.empty() || rows[0].is_null("remaining_ms")) return 0;
    const double remaining_ms = std::stod(*rows[0].value("remaining_ms"));
    return remaining_ms > 0 ? seconds_rounded_up(remaining_ms) : 0;
}

void SharedLimits::credential_failed(const std::string& client_address) {
    store_.session()->exec(failure_sql_, {client_address});
}

void SharedLimits::purge_expired() {
    auto session = store_.session();
    for (const auto& sql : purge_sql_) session->exec(sql);
}

}  // namespace slotwise::server
