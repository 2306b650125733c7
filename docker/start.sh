#!/bin/sh
# Container entry point for every HangarStack role.
#   start.sh                 -> gunicorn (the web server)
#   start.sh CMD [ARGS...]   -> runs CMD instead, e.g. `python manage.py relay_events`
# Either way it first resets the Prometheus multiprocess directory: files left
# by a previous run would otherwise be summed into this run's counters.
set -eu

if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    rm -rf "${PROMETHEUS_MULTIPROC_DIR:?}"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

if [ "$#" -gt 0 ]; then
    exec "$@"
fi

exec gunicorn -c gunicorn.conf.py hangarstack.wsgi:application
