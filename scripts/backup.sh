#!/usr/bin/env bash
# Back up HangarStack: the PostgreSQL database, a JSON export of the catalogue,
# the uploaded media, the event schemas and (--events) the topics' events, into
# BACKUP_DIR/hangarstack-<UTC timestamp>/.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: scripts/backup.sh [--no-export] [--no-media] [--events [--events-since D] [--events-max N]]
                         [--keep N] BACKUP_DIR

Writes BACKUP_DIR/hangarstack-YYYYMMDDTHHMMSSZ/ containing
  database.dump     pg_dump --format=custom (restore with scripts/restore.sh)
  aircraft.json     manage.py export_aircraft (the catalogue, human-readable)
  media.tar.gz      the contents of MEDIA_ROOT
  schemas/          the JSON Schema of each topic (events/schemas/<topic>.json)
  events/           with --events: each topic's events, <topic>.jsonl (JSON lines;
                    put back with manage.py replay_events FILE)
  SHA256SUMS        checksums, verified by restore.sh
and prints that directory's path as the last line of output.

Options:
  --no-export   skip the catalogue JSON (no Django app on this machine)
  --no-media    skip the media archive
  --events      also export every topic's events (needs the broker: KAFKA_*)
  --events-since D   only events newer than D (e.g. 24h, 7d; default 7d)
  --events-max N     at most the newest N events of each partition (default 100000)
  --keep N      afterwards delete all but the newest N backups in BACKUP_DIR

Environment:
  DATABASE_URL  (required) postgres://USER:PASSWORD@HOST:PORT/NAME
  MEDIA_ROOT    media directory (default: <repo>/media)
  PG_BIN        directory holding pg_dump (default: the one on PATH);
                use PostgreSQL 18 client programs for an 18 server
  PYTHON        Python that runs manage.py (default: <repo>/.venv/bin/python, else python3)
  DJANGO_SETTINGS_MODULE and the app's other settings, for the export
USAGE
}

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/pg.sh
source "$repo/scripts/lib/pg.sh"

export_catalogue=true media=true keep="" events=false events_since="7d" events_max="100000"
while (($#)); do
    case "$1" in
        -h | --help) usage; exit 0 ;;
        --no-export) export_catalogue=false ;;
        --no-media) media=false ;;
        --events) events=true ;;
        --events-since)
            [[ "${2:-}" =~ ^[1-9][0-9]*[smhd]$ ]] || { usage >&2; die "--events-since needs a duration like 24h or 7d"; }
            events_since="$2"; shift ;;
        --events-max)
            [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { usage >&2; die "--events-max needs a positive number"; }
            events_max="$2"; shift ;;
        --keep)
            [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { usage >&2; die "--keep needs a positive number"; }
            keep="$2"; shift ;;
        --) shift; break ;;
        -*) usage >&2; die "unknown option: $1" ;;
        *) break ;;
    esac
    shift
done
if (($# != 1)); then usage >&2; exit 2; fi
backup_root="$1"

[[ -n "${DATABASE_URL:-}" ]] || die "DATABASE_URL is not set"
pg_connection "$DATABASE_URL"
pg_dump="$(pg_tool pg_dump)"
media_root="${MEDIA_ROOT:-$repo/media}"
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
    if [[ -x "$repo/.venv/bin/python" ]]; then python="$repo/.venv/bin/python"; else python="python3"; fi
fi

mkdir -p "$backup_root"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
final="$backup_root/hangarstack-$stamp"
work="$backup_root/.hangarstack-$stamp.partial"
[[ ! -e "$final" ]] || die "$final already exists"
rm -rf "$work"
mkdir -m 0700 "$work"
trap 'rm -rf "$work"' EXIT  # a failed run leaves no half backup behind

echo "backup: database -> database.dump ($("$pg_dump" --version))"
"$pg_dump" --no-password --format=custom --lock-wait-timeout=120s \
    --file="$work/database.dump" --dbname="$PG_URL"

if $export_catalogue; then
    echo "backup: catalogue -> aircraft.json"
    (cd "$repo" && "$python" manage.py export_aircraft "$work/aircraft.json" --verbosity 0)
    [[ -s "$work/aircraft.json" ]] || die "export_aircraft wrote nothing"
fi

if $media; then
    if [[ -d "$media_root" ]]; then
        echo "backup: media $media_root -> media.tar.gz"
        tar -C "$media_root" -czf "$work/media.tar.gz" .
    else
        echo "backup: media directory $media_root does not exist; writing an empty archive"
        tar -czf "$work/media.tar.gz" -T /dev/null
    fi
fi

echo "backup: event schemas -> schemas/"
mkdir "$work/schemas"
cp -- "$repo"/events/schemas/*.json "$work/schemas/"

if $events; then
    echo "backup: events of each topic (newer than $events_since, at most $events_max per partition) -> events/"
    (cd "$repo" && "$python" manage.py export_events "$work/events" \
        --since "$events_since" --max "$events_max" --verbosity 0) || die "export_events failed (is the broker reachable?)"
fi

# Every file, those in schemas/ and events/ too, so restore.sh verifies them all.
sums="$(cd "$work" && find . -type f -printf '%P\0' | sort -z | xargs -0 sha256sum --)"
printf '%s\n' "$sums" > "$work/SHA256SUMS"
mv "$work" "$final"
trap - EXIT

if [[ -n "$keep" ]]; then
    mapfile -t old < <(find "$backup_root" -mindepth 1 -maxdepth 1 -type d -name 'hangarstack-*' | sort | head -n "-$keep")
    for dir in "${old[@]}"; do
        echo "backup: removing old backup $dir"
        rm -rf -- "$dir"
    done
fi

echo "backup: done ($(du -sh "$final" | cut -f1))"
echo "$final"
