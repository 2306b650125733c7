# Shared by scripts/backup.sh and scripts/restore.sh (sourced, not run).
# shellcheck shell=bash

# pg_tool NAME: path of a PostgreSQL client program. PG_BIN (a directory) wins
# over PATH, so the client can match the server's major version (18).
pg_tool() {
    local name="$1"
    if [[ -n "${PG_BIN:-}" ]]; then
        [[ -x "$PG_BIN/$name" ]] || die "$PG_BIN/$name is not executable (check PG_BIN)"
        printf '%s\n' "$PG_BIN/$name"
    else
        command -v "$name" || die "$name not found on PATH; install the PostgreSQL 18 client or set PG_BIN"
    fi
}

# pg_connection URL: set PG_URL (for --dbname) from a Django DATABASE_URL.
# The password moves to PGPASSWORD so it never shows in `ps` output.
pg_connection() {
    local url="$1" scheme rest userinfo password=""
    [[ "$url" == *://* ]] || die "DATABASE_URL is not a URL: expected postgres://USER:PASSWORD@HOST:PORT/NAME"
    scheme="${url%%://*}"
    rest="${url#*://}"
    case "$scheme" in
        postgres | postgresql | pgsql | psql) ;;
        *) die "DATABASE_URL must be a PostgreSQL URL (postgres://...), not $scheme://" ;;
    esac
    if [[ "${rest%%/*}" == *@* ]]; then
        userinfo="${rest%%@*}"
        rest="${rest#*@}"
        if [[ "$userinfo" == *:* ]]; then
            password="${userinfo#*:}"
            userinfo="${userinfo%%:*}"
        fi
        rest="$userinfo@$rest"
    fi
    if [[ -n "$password" ]]; then
        # Percent-decode (django-environ URLs encode @ : / in passwords).
        PGPASSWORD="$(printf '%b' "${password//%/\\x}")"
        export PGPASSWORD
    fi
    # shellcheck disable=SC2034  # read by the scripts that source this file
    PG_URL="postgresql://$rest"
}

die() {
    echo "${0##*/}: error: $*" >&2
    exit 1
}
