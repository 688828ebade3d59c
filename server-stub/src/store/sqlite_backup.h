// An online backup of a SQLite database that servers keep writing to:
// `slotwise-server backup --database sqlite:PATH --to FILE`. SQLite's backup
// API copies every page inside one read transaction; in WAL mode (the
// server's) that is a consistent snapshot that writers do not wait for, so
// the copy holds exactly the commits made before it began, whatever commits
// during it. Restore is copying the file into place while the server is
// stopped (deploy/backup/README.md). PostgreSQL is backed up with pg_dump.
#pragma once

#include <cstdint>
#include <string>

namespace slotwise::server {

struct SqliteBackupReport {
    std::int64_t pages = 0;
    std::int64_t bytes = 0;
    std::int64_t bookings = 0;  // in the copy, for the operator's log
};

// Copies the database at `source` (which must exist; it is never created)
// into `target` through a temporary file beside it, checks the copy with
// PRAGMA integrity_check, syncs it and renames it into place, so `target`
// is either the previous file or a whole, checked backup. Throws
// std::runtime_error with the reason.
SqliteBackupReport backup_sqlite(const std::string& source, const std::string& target);

// The `backup` subcommand's flags (argv after "backup"); the exit status.
int backup_command(int argc, char** argv);

}  // namespace slotwise::server
