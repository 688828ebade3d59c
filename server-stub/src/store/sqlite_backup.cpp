#include "store/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

namespace slotwise::server {
namespace {

struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, Closer>;

Db open(const std::string& path, int flags) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Db db(raw);
    if (rc != SQLITE_OK)
        throw std::runtime_error("cannot open " + path + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    return db;
}

// The first column of each row of `sql`, as text.
std::vector<std::string> column(sqlite3* db, const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string("backup check failed: ") + sqlite3_errmsg(db));
    std::vector<std::string> rows;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(stmt, 0);
        rows.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) throw std::runtime_error(std::string("backup check failed: ") + sqlite3_errmsg(db));
    return rows;
}

// A rename is durable only once the file's data and then its directory are.
void sync_path(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags);
    if (fd < 0) throw std::runtime_error("cannot open " + path + " to sync it");
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot sync " + path);
}

}  // namespace

SqliteBackupReport backup_sqlite(const std::string& source, const std::string& target) {
    namespace fs = std::filesystem;
    if (!fs::exists(source)) throw std::runtime_error("no database at " + source);
    const fs::path final_path = fs::absolute(target);
    const std::string temporary = final_path.string() + ".partial-" + std::to_string(::getpid());
    fs::remove(temporary);
    for (const char* suffix : {"-wal", "-shm", "-journal"}) fs::remove(temporary + suffix);
    SqliteBackupReport report;
    try {
        // Read-write without create: a read-only connection cannot run the
        // WAL recovery a crashed server may have left, and a typo must not
        // leave an empty database behind.
        Db src = open(source, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
        sqlite3_busy_timeout(src.get(), 10000);
        Db dst = open(temporary, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
        sqlite3_backup* backup = sqlite3_backup_init(dst.get(), "main", src.get(), "main");
        if (!backup) throw std::runtime_error(std::string("cannot start the backup: ") + sqlite3_errmsg(dst.get()));
        // All pages in one step: one read transaction, one snapshot. Copying
        // in slices would restart whenever a server commits in between, and
        // under steady bookings might never finish.
        int rc;
        for (int attempt = 0;; ++attempt) {
            rc = sqlite3_backup_step(backup, -1);
            if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || attempt == 100) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        report.pages = sqlite3_backup_pagecount(backup);
        sqlite3_backup_finish(backup);
        if (rc != SQLITE_DONE) throw std::runtime_error(std::string("backup failed: ") + sqlite3_errstr(rc));
        src.reset();
        const auto check = column(dst.get(), "PRAGMA integrity_check");
        if (check.size() != 1 || check[0] != "ok")
            throw std::runtime_error("the copy fails PRAGMA integrity_check: " + (check.empty() ? std::string("no answer") : check[0]));
        if (!column(dst.get(), "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'bookings'").empty())
            report.bookings = std::stoll(column(dst.get(), "SELECT COUNT(*) FROM bookings").at(0));
        // One self-contained file: everything checkpointed, no -wal beside it.
        column(dst.get(), "PRAGMA wal_checkpoint(TRUNCATE)");
        column(dst.get(), "PRAGMA journal_mode=DELETE");
        dst.reset();
        report.bytes = static_cast<std::int64_t>(fs::file_size(temporary));
        sync_path(temporary, O_RDONLY);
        fs::rename(temporary, final_path);
        sync_path(final_path.parent_path().string(), O_RDONLY | O_DIRECTORY);
    } catch (...) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        for (const char* suffix : {"-wal", "-shm", "-journal"}) fs::remove(temporary + suffix, ignored);
        throw;
    }
    return report;
}

int backup_command(int argc, char** argv) {
    static const char* usage =
        "usage: slotwise-server backup --database sqlite:PATH --to FILE\n"
        "  an online, consistent copy of a SQLite database that servers may be writing to, checked with\n"
        "  PRAGMA integrity_check and renamed into place only when whole. Restore: stop the server, copy FILE\n"
        "  to PATH, remove PATH-wal and PATH-shm, start the server. PostgreSQL: pg_dump -Fc (deploy/backup/).\n";
    std::string database, to;
    for (int i = 0; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::fputs(usage, stdout);
            return 0;
        }
        if ((flag == "--database" || flag == "--db" || flag == "--to") && i + 1 < argc) {
            (flag == "--to" ? to : database) = argv[++i];
            continue;
        }
        std::fprintf(stderr, "slotwise-server backup: unexpected %s\n%s", flag.c_str(), usage);
        return 2;
    }
    if (database.empty() || to.empty()) {
        std::fprintf(stderr, "slotwise-server backup: --database and --to are both needed\n%s", usage);
        return 2;
    }
    if (database.rfind("sqlite:", 0) != 0) {
        std::fprintf(stderr,
                     "slotwise-server backup: only sqlite:PATH; back a PostgreSQL database up with pg_dump -Fc "
                     "(deploy/backup/backup.sh)\n");
        return 2;
    }
    try {
        const auto started = std::chrono::steady_clock::now();
        const auto report = backup_sqlite(database.substr(7), to);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::printf("slotwise-server backup: %s -> %s: %lld pages, %lld bytes, %lld bookings, integrity ok, %.2f s\n",
                    database.c_str(), to.c_str(), static_cast<long long>(report.pages), static_cast<long long>(report.bytes),
                    static_cast<long long>(report.bookings), seconds);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "slotwise-server backup: %s\n", e.what());
        return 1;
    }
}

}  // namespace slotwise::server
