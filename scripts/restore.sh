#!/usr/bin/env bash
# Restore a HangarStack backup made by scripts/backup.sh: the database (with
# pg_restore, in one transaction) and then the uploaded media.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: scripts/restore.sh [--yes] [--no-media] BACKUP
       BACKUP is a directory written by scripts/backup.sh (or a database.dump file)

Restores BACKUP/database.dump into DATABASE_URL with
  pg_restore --clean --if-exists --no-owner --single-transaction
then unpacks BACKUP/media.tar.gz into MEDIA_ROOT (files of the same name are
replaced; other files are left alone). Checksums in SHA256SUMS are verified first.

It refuses to touch a database that already has tables, or a non-empty
MEDIA_ROOT, unless --yes is given: restoring replaces that data.

Options:
  --yes        allow overwriting a non-empty database / media directory
  --no-media   restore the database only

Environment:
  DATABASE_URL  (required) postgres://USER:PASSWORD@HOST:PORT/NAME (the database must exist)
  MEDIA_ROOT    media directory (default: <repo>/media)
  PG_BIN        directory holding pg_restore and psql (default: those on PATH);
                use PostgreSQL 18 client programs for an 18 server
USAGE
}

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/pg.sh
source "$repo/scripts/lib/pg.sh"

yes=false media=true
while (($#)); do
    case "$1" in
        -h | --help) usage; exit 0 ;;
        -y | --yes) yes=true ;;
        --no-media) media=false ;;
        --) shift; break ;;
        -*) usage >&2; die "unknown option: $1" ;;
        *) break ;;
    esac
    shift
done
if (($# != 1)); then usage >&2; exit 2; fi
backup="$1"

if [[ -d "$backup" ]]; then
    dump="$backup/database.dump"
    archive="$backup/media.tar.gz"
elif [[ -f "$backup" ]]; then
    dump="$backup"
    archive=""
    media=false
else
    die "no backup at $backup"
fi
[[ -f "$dump" ]] || die "$dump not found: is $backup a backup made by scripts/backup.sh?"
if $media && [[ ! -f "$archive" ]]; then
    die "$archive not found (use --no-media to restore the database only)"
fi

[[ -n "${DATABASE_URL:-}" ]] || die "DATABASE_URL is not set"
pg_connection "$DATABASE_URL"
pg_restore="$(pg_tool pg_restore)"
psql="$(pg_tool psql)"
media_root="${MEDIA_ROOT:-$repo/media}"

if [[ -d "$backup" && -f "$backup/SHA256SUMS" ]]; then
    echo "restore: verifying checksums"
    (cd "$backup" && sha256sum --check --quiet SHA256SUMS) || die "checksum mismatch in $backup: the backup is damaged"
fi
"$pg_restore" --list "$dump" > /dev/null || die "$dump is not a pg_dump custom-format archive"

# --- Refuse to overwrite data unless told to --------------------------------
tables="$("$psql" --no-password --no-psqlrc --tuples-only --no-align --dbname="$PG_URL" -v ON_ERROR_STOP=1 \
    -c "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")" \
    || die "cannot connect to the target database (does it exist?)"
if ((tables > 0)) && ! $yes; then
    die "the target database already has $tables table(s); restoring replaces them. Re-run with --yes to proceed."
fi
if $media && [[ -d "$media_root" ]] && [[ -n "$(find "$media_root" -mindepth 1 -print -quit)" ]] && ! $yes; then
    die "MEDIA_ROOT $media_root is not empty; restoring replaces files in it. Re-run with --yes to proceed."
fi

# --- Database ----------------------------------------------------------------
echo "restore: database <- $dump ($("$pg_restore" --version))"
"$pg_restore" --no-password --clean --if-exists --no-owner --single-transaction \
    --dbname="$PG_URL" "$dump"

# --- Media -------------------------------------------------------------------
if $media; then
    echo "restore: media $archive -> $media_root"
    mkdir -p "$media_root"
    tar -C "$media_root" -xzf "$archive" --no-same-owner
fi

echo "restore: done. Run 'python manage.py migrate' if this code is newer than the backup."
if [[ -d "$backup/events" ]]; then
    echo "restore: the backup holds topic events; put them back with, per topic:"
    for export in "$backup"/events/*.jsonl; do
        echo "  python manage.py replay_events $export"
    done
fi
