#!/usr/bin/env bash
# Restores a backup made by backup.sh. Stop the server first
# (systemctl stop slotwise); start it again afterwards.
#
#   restore.sh BACKUP [TARGET]
#
# TARGET defaults to SLOTWISE_DB (as in backup.sh).
# SQLite (BACKUP *.db, TARGET sqlite:PATH): the backup is checked with
#   PRAGMA integrity_check, the current file (with its -wal and -shm) is kept
#   as PATH.before-restore-TIME (a stale WAL left beside the restored file
#   would be applied to it and corrupt it), the backup is copied into place
#   with the folder's owner.
# PostgreSQL (BACKUP *.dump, TARGET postgres://.../DB): pg_restore into that
#   existing database in one transaction, replacing the objects it holds
#   (--clean --if-exists). To restore next to the live data instead, create
#   a new database and name it as TARGET.
set -euo pipefail
[[ $# -ge 1 && $# -le 2 ]] || { sed -n '2,16p' "$0" >&2; exit 2; }
backup=$1
if [[ -z "${SLOTWISE_DB:-}" && -e /etc/slotwise/slotwise.env ]]; then
  # Falling back to the default database would back up (or overwrite) the wrong one.
  [[ -r /etc/slotwise/slotwise.env ]] || { echo "${0##*/}: cannot read /etc/slotwise/slotwise.env; set SLOTWISE_DB" >&2; exit 2; }
  SLOTWISE_DB=$(sed -n 's/^SLOTWISE_DB=//p' /etc/slotwise/slotwise.env | tail -n 1)
fi
target=${2:-${SLOTWISE_DB:-sqlite:/var/lib/slotwise/slotwise.db}}
[[ -r "$backup" ]] || { echo "restore.sh: cannot read $backup" >&2; exit 1; }

case "$target" in
  sqlite:*)
    path=${target#sqlite:}
    check=$(sqlite3 -readonly "$backup" 'PRAGMA integrity_check;')
    [[ "$check" == ok ]] || { echo "restore.sh: $backup fails the integrity check: $check" >&2; exit 1; }
    dir=$(dirname -- "$path")
    mkdir -p "$dir"
    aside="$path.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
    for suffix in "" -wal -shm -journal; do
      if [[ -e "$path$suffix" ]]; then mv -- "$path$suffix" "$aside$suffix"; fi
    done
    cp -- "$backup" "$path.restoring"
    chown --reference="$dir" -- "$path.restoring" 2>/dev/null || true
    chmod 600 -- "$path.restoring"
    sync "$path.restoring"
    mv -- "$path.restoring" "$path"
    ;;
  postgres://*|postgresql://*)
    pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error --dbname="$target" "$backup"
    ;;
  *)
    echo "restore.sh: TARGET must be sqlite:PATH or postgres://..., not '$target'" >&2
    exit 2
    ;;
esac
echo "restore.sh: $backup restored into $target; start the server and check /healthz" >&2
