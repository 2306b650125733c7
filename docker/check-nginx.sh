#!/usr/bin/env bash
# Validate docker/nginx.conf with a real nginx, offline.
#
#   docker/check-nginx.sh            # nginx -t on a temp copy
#   docker/check-nginx.sh --smoke    # ... then run it on loopback ports against a
#                                    # stub upstream and check its behaviour
#
# The temp copy swaps what only exists in the compose stack: the upstream host
# `web` becomes 127.0.0.1, the certificate becomes a fresh self-signed one, the
# pid file and /srv paths move into the temp dir. Needs nginx and openssl.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
conf="${NGINX_CONF:-$here/nginx.conf}"
smoke=false
[[ "${1:-}" == "--smoke" ]] && smoke=true

command -v nginx >/dev/null || { echo "check-nginx: nginx is not installed" >&2; exit 2; }
command -v openssl >/dev/null || { echo "check-nginx: openssl is not installed" >&2; exit 2; }

tmp="$(mktemp -d)"
pids=()
cleanup() {
    local pid
    if [[ -f "$tmp/nginx.pid" ]]; then
        pid="$(cat "$tmp/nginx.pid")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
chmod 0755 "$tmp"   # nginx workers (nobody) must reach the static files

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -keyout "$tmp/privkey.pem" -out "$tmp/fullchain.pem" 2>/dev/null

http_port=80 https_port=443 upstream_port=8000
if $smoke; then
    http_port=18080 https_port=18443 upstream_port=18000
fi

sed -e "s|server web:8000|server 127.0.0.1:$upstream_port|" \
    -e "s|/etc/nginx/certs/|$tmp/|g" \
    -e "s|^pid .*;|pid $tmp/nginx.pid;|" \
    -e "s|root /srv;|root $tmp/srv;|" \
    -e "s|listen 80 |listen $http_port |" \
    -e "s|listen 443 |listen $https_port |" \
    -e "s|https://\$host\$request_uri|https://\$host:$https_port\$request_uri|" \
    "$conf" > "$tmp/nginx.conf"
if $smoke; then  # keep the smoke run's logs out of the terminal
    sed -i -e "s|access_log /dev/stdout|access_log $tmp/access.log|" \
        -e "s|^error_log /dev/stderr|error_log $tmp/error.log|" "$tmp/nginx.conf"
fi
grep -q "server 127.0.0.1:$upstream_port" "$tmp/nginx.conf" || { echo "check-nginx: upstream 'server web:8000' not found" >&2; exit 1; }

echo "check-nginx: nginx -t -c <temp copy of $conf>"
nginx -t -q -c "$tmp/nginx.conf" -p "$tmp"
echo "check-nginx: syntax ok"
$smoke || exit 0

# --- Smoke test on loopback ----------------------------------------------------
mkdir -p "$tmp/srv/static/css" "$tmp/srv/media"
echo "body{}" > "$tmp/srv/static/css/site.0123456789ab.css"
echo "body{}" > "$tmp/srv/static/css/site.css"
echo "img" > "$tmp/srv/media/logo.txt"
chmod -R a+rX "$tmp/srv"

# Stub upstream: answers every request with the headers it received, as JSON.
cat > "$tmp/upstream.py" <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Strict-Transport-Security", "max-age=1")
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
PY
python3 "$tmp/upstream.py" "$upstream_port" &
pids+=("$!")
nginx -c "$tmp/nginx.conf" -p "$tmp" -e "$tmp/error.log"
for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$upstream_port/" && curl -s -o /dev/null "http://127.0.0.1:$http_port/nginx-health" && break
    sleep 0.1
done

failures=0
check() {  # check DESCRIPTION COMMAND...
    local what="$1"; shift
    if "$@"; then echo "  ok   $what"; else echo "  FAIL $what"; failures=$((failures + 1)); fi
}
H="http://127.0.0.1:$http_port"
S="https://127.0.0.1:$https_port"
c() { curl -sk --max-time 5 "$@"; }

check "http /health is proxied, not redirected" \
    test "$(c -o /dev/null -w '%{http_code}' "$H/health")" = 200
check "http / redirects to https" \
    test "$(c -o /dev/null -w '%{http_code} %{redirect_url}' "$H/aircraft/?q=1")" = "301 https://127.0.0.1:$https_port/aircraft/?q=1"
check "https /metrics is denied" \
    test "$(c -o /dev/null -w '%{http_code}' "$S/metrics")" = 403
check "TLS 1.0/1.1 refused" \
    bash -c "! curl -sk --max-time 5 --tls-max 1.1 -o /dev/null '$S/'"
check "TLS 1.2 accepted" \
    test "$(c --tlsv1.2 --tls-max 1.2 -o /dev/null -w '%{http_code}' "$S/")" = 200
headers="$(c -D - -o "$tmp/body.json" -H 'X-Forwarded-For: 203.0.113.9' "$S/aircraft/")"
check "HSTS sent once on proxied pages" \
    test "$(grep -ci '^strict-transport-security:' <<<"$headers")" = 1
check "upstream gets Host, X-Forwarded-For/Proto, X-Request-ID" \
    python3 - "$tmp/body.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))["headers"]
ok = (h.get("host") == "127.0.0.1" and h.get("x-forwarded-proto") == "https"
      and h.get("x-forwarded-for") == "203.0.113.9, 127.0.0.1" and len(h.get("x-request-id", "")) == 32)
sys.exit(0 if ok else print(h) or 1)
PY
hashed="$(c -D - -o /dev/null "$S/static/css/site.0123456789ab.css")"
check "hashed static file served with immutable caching" \
    grep -qi '^cache-control: public, max-age=31536000, immutable' <<<"$hashed"
check "HSTS also on static files" \
    grep -qi '^strict-transport-security:' <<<"$hashed"
check "unhashed static file gets short caching" \
    grep -qi '^cache-control: public, max-age=3600' <<<"$(c -D - -o /dev/null "$S/static/css/site.css")"
check "missing static file falls back to the app" \
    test "$(c -o /dev/null -w '%{http_code}' "$S/static/css/missing.css")" = 200
check "media served with nosniff" \
    grep -qi '^x-content-type-options: nosniff' <<<"$(c -D - -o /dev/null "$S/media/logo.txt")"
check "gzip on for proxied JSON over 1 KiB" \
    bash -c "curl -sk --max-time 5 -H 'Accept-Encoding: gzip' -D - -o /dev/null '$S/$(printf 'x%.0s' $(seq 1200))' | grep -qi '^content-encoding: gzip'"

if ((failures)); then
    echo "check-nginx: $failures smoke check(s) failed; error log:" >&2
    cat "$tmp/error.log" >&2 || true
    exit 1
fi
echo "check-nginx: smoke test passed"
