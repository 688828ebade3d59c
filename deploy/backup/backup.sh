#!/usr/bin/env bash
# One backup of the Slotwise database, then retention. Safe while the server
# runs. Run daily by deploy/backup/slotwise-backup.timer (or cron).
#
#   SLOTWISE_DB     sqlite:PATH or postgres://... (default: from /etc/slotwise/slotwise.env,
#                   else sqlite:/var/lib/slotwise/slotwise.db)
#   BACKUP_DIR      where backups go (default /var/backups/slotwise)
#   KEEP_DAYS       delete backups older than this many days (default 14) ...
#   KEEP_MIN        ... but always keep this many newest (default 7)
#   SLOTWISE_SERVER the server binary, for SQLite's online backup (default /usr/local/bin/slotwise-server)
#
# SQLite: `slotwise-server backup`, a consistent snapshot through SQLite's
# backup API, integrity-checked. PostgreSQL: pg_dump -Fc (a consistent
# snapshot in one transaction), then read back with pg_restore --list.
# A backup lands under its final name only when complete. Prints the file.
set -euo pipefail
umask 077

if [[ -z "${SLOTWISE_DB:-}" && -e /etc/slotwise/slotwise.env ]]; then
  # Falling back to the default database would back up (or overwrite) the wrong one.
  [[ -r /etc/slotwise/slotwise.env ]] || { echo "${0##*/}: cannot read /etc/slotwise/slotwise.env; set SLOTWISE_DB" >&2; exit 2; }
  SLOTWISE_DB=$(sed -n 's/^SLOTWISE_DB=//p' /etc/slotwise/slotwise.env | tail -n 1)
  if [[ -z "${PGPASSWORD:-}" ]]; then
    PGPASSWORD=$(sed -n 's/^PGPASSWORD=//p' /etc/slotwise/slotwise.env | tail -n 1)
    if [[ -n "$PGPASSWORD" ]]; then export PGPASSWORD; else unset PGPASSWORD; fi
  fi
fi
SLOTWISE_DB=${SLOTWISE_DB:-sqlite:/var/lib/slotwise/slotwise.db}
BACKUP_DIR=${BACKUP_DIR:-/var/backups/slotwise}
KEEP_DAYS=${KEEP_DAYS:-14}
KEEP_MIN=${KEEP_MIN:-7}
SLOTWISE_SERVER=${SLOTWISE_SERVER:-/usr/local/bin/slotwise-server}
[[ "$KEEP_DAYS" =~ ^[1-9][0-9]*$ && "$KEEP_MIN" =~ ^[0-9]+$ ]] || { echo "backup.sh: KEEP_DAYS (at least 1) and KEEP_MIN must be numbers" >&2; exit 2; }

mkdir -p "$BACKUP_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
case "$SLOTWISE_DB" in
  sqlite:*)
    target="$BACKUP_DIR/slotwise-$stamp.db"
    "$SLOTWISE_SERVER" backup --database "$SLOTWISE_DB" --to "$target" >&2
    ;;
  postgres://*|postgresql://*)
    target="$BACKUP_DIR/slotwise-$stamp.dump"
    partial="$target.partial"
    trap 'rm -f "$partial"' EXIT
    pg_dump --format=custom --no-owner --dbname="$SLOTWISE_DB" --file="$partial"
    # A dump that pg_restore cannot read is no backup.
    pg_restore --list "$partial" > /dev/null
    sync "$partial"
    mv "$partial" "$target"
    trap - EXIT
    ;;
  *)
    echo "backup.sh: SLOTWISE_DB must be sqlite:PATH or postgres://..., not '$SLOTWISE_DB'" >&2
    exit 2
    ;;
esac

# Retention: the KEEP_MIN newest always stay; of the rest, those older than
# KEEP_DAYS go. Only this script's own file names are touched.
mapfile -t backups < <(find "$BACKUP_DIR" -maxdepth 1 -type f \( -name 'slotwise-*.db' -o -name 'slotwise-*.dump' \) -printf '%T@ %p\n' | sort -rn | cut -d' ' -f2-)
for ((i = KEEP_MIN; i < ${#backups[@]}; i++)); do
  if [[ -n $(find "${backups[$i]}" -maxdepth 0 -mtime +"$((KEEP_DAYS - 1))") ]]; then
    rm -f -- "${backups[$i]}"
    echo "backup.sh: removed ${backups[$i]} (older than $KEEP_DAYS days)" >&2
  fi
done
echo "$target"
