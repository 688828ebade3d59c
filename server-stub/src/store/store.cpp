#include "store/store.h"

#include <type_traits>

#include "domain/clock.h"
#include "store/migrations.h"

namespace slotwise::server {

std::unique_ptr<Store> open_sqlite_store(const std::string& path, std::size_t pool_size);
std::unique_ptr<Store> open_postgres_store(const std::string& conninfo, std::size_t pool_size);

std::unique_ptr<Store> open_store(const std::string& url, std::size_t pool_size) {
    if (url.rfind("sqlite:", 0) == 0 && url.size() > 7) return open_sqlite_store(url.substr(7), pool_size);
    if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) return open_postgres_store(url, pool_size);
    throw StoreError("--db must be sqlite:PATH or postgres://...");
}

std::shared_ptr<Session> SessionPool::take(const std::function<std::unique_ptr<Session>()>& open) {
    std::unique_ptr<Session> s;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        // A session can break while idle (PostgreSQL: another connection
        // found the database unreachable); it is dropped, not handed out.
        while (!s && !idle_.empty()) {
            s = std::move(idle_.back());
            idle_.pop_back();
            if (s->broken()) s.reset();
        }
        idle_count_.store(idle_.size(), std::memory_order_relaxed);
    }
    if (!s) s = open();
    in_use_.fetch_add(1, std::memory_order_relaxed);
    return std::shared_ptr<Session>(s.release(), [this](Session* raw) {
        std::unique_ptr<Session> back(raw);
        in_use_.fetch_sub(1, std::memory_order_relaxed);
        back->rollback();
        if (back->broken()) return;  // a fresh connection replaces it next time
        std::lock_guard<std::mutex> lock(mutex_);
        if (idle_.size() < capacity_) idle_.push_back(std::move(back));
        idle_count_.store(idle_.size(), std::memory_order_relaxed);
    });
}

const std::optional<std::string>& SqlRow::value(std::string_view column) const {
    for (std::size_t i = 0; i < columns_->size() && i < values_.size(); ++i)
        if ((*columns_)[i] == column) return values_[i];
    throw StoreError("the answer has no column " + std::string(column));
}

template <class T>
T SqlRow::get(std::string_view column) const {
    const auto& text = value(column);
    if (!text) throw StoreError("column " + std::string(column) + " is NULL");
    if constexpr (std::is_same_v<T, std::string>) {
        return *text;
    } else if constexpr (std::is_same_v<T, bool>) {
        // PostgreSQL's text form of a boolean is "t"; SQLite has integers.
        return *text == "t" || *text == "true" || *text == "1";
    } else {
        std::size_t used = 0;
        long long number = 0;
        try {
            number = std::stoll(*text, &used);
        } catch (const std::logic_error&) {
        }
        if (used == 0 || used != text->size())
            throw StoreError("column " + std::string(column) + " is not an integer: " + *text);
        if constexpr (std::is_same_v<T, Timestamp>) return timestamp_from_epoch(number);
        // Booking times are written as whole minutes.
        else if constexpr (std::is_same_v<T, Instant>) return date::floor<Minutes>(timestamp_from_epoch(number));
        else return static_cast<T>(number);
    }
}

template std::string SqlRow::get<std::string>(std::string_view) const;
template std::int64_t SqlRow::get<std::int64_t>(std::string_view) const;
template int SqlRow::get<int>(std::string_view) const;
template bool SqlRow::get<bool>(std::string_view) const;
template Timestamp SqlRow::get<Timestamp>(std::string_view) const;
template Instant SqlRow::get<Instant>(std::string_view) const;

std::vector<SqlRows> Session::read_all(const std::vector<Statement>& statements) {
    std::vector<SqlRows> results;
    results.reserve(statements.size());
    for (const auto& st : statements) results.push_back(query(st));
    return results;
}

std::vector<SqlRows> Session::begin_locked_with(const std::string& lock_key, const std::vector<Statement>& statements) {
    begin_locked(lock_key);
    return query_all(statements);
}

void Session::commit_with(const std::vector<Statement>& statements) {
    query_all(statements);
    commit();
}

void apply_migrations(Session& s, const std::string& backend) {
    for (const auto& m : embedded_migrations(backend)) {
        in_transaction(s, std::string("slotwise:migrations"), [&] {
            s.exec_script(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                "applied_at BIGINT NOT NULL)");
            if (!s.query("SELECT 1 FROM schema_migrations WHERE version = $1", {std::int64_t{m.version}}).empty()) return;
            s.exec_script(m.sql);
            const auto now = Clock::system_seconds();
            s.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                   {std::int64_t{m.version}, m.name, epoch_seconds(now)});
        });
    }
}

}  // namespace slotwise::server
