"""Helpers the browser tests share: the tools they need, viewports, axe-core, reading events back."""

import html
import importlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from events import topics
from tests.events.conftest import raw_messages, read_topic

E2E_DIR = Path(__file__).resolve().parent
ROOT = E2E_DIR.parents[1]
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = E2E_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
# The group and its permissions exactly as the data migration makes them.
EDITORS = importlib.import_module("aircraft.migrations.0003_catalogue_editors_group")
PASSWORD = "e2e-Correct-Horse-7"
SERIOUS = {"serious", "critical"}


# --- Tools the run needs -------------------------------------------------------------


def ensure_chromium() -> None:
    """Debian's Chromium, installed here if missing and we are root; never a downloaded browser build."""
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}. Install it: sudo apt-get install chromium",
            pytrace=False,
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            pytest.fail(f"`{' '.join(argv)}` failed; Chromium is needed:\n{result.stderr[-2000:]}", pytrace=False)
    if not CHROMIUM.exists():
        pytest.fail(f"apt-get installed chromium but {CHROMIUM} is still missing", pytrace=False)


def ensure_axe() -> Path:
    """axe-core as pinned in tests/e2e/package-lock.json; `npm ci` installs it when node_modules is missing."""
    if AXE_JS.exists():
        return AXE_JS
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("The accessibility tests need npm to install axe-core: apt-get install npm", pytrace=False)
    result = subprocess.run(
        [npm, "ci", "--prefix", str(E2E_DIR), "--no-audit", "--no-fund", "--loglevel=error"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not AXE_JS.exists():
        pytest.fail(f"`npm ci --prefix tests/e2e` failed:\n{result.stderr[-2000:]}", pytrace=False)
    return AXE_JS


# --- Accessibility --------------------------------------------------------------------

AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))
    }));
}"""


def run_axe(page, script: Path) -> list[dict]:
    """Every axe-core violation on the page as it is now, whatever its impact."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(script))
    return page.evaluate(AXE_RUN)


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in SERIOUS]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        lines.extend(f"    {n['target']}" for n in v["nodes"][:5])
    return "\n".join(lines)


# --- Artifacts ------------------------------------------------------------------------


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")


def write_gallery(folder: Path) -> None:
    """artifacts/e2e/index.html: every screenshot of the run on one page, for a person to look through."""
    sections = []
    for group in [*VIEWPORTS, "failures"]:
        shots = sorted((folder / group).glob("*.png")) if (folder / group).is_dir() else []
        if not shots:
            continue
        figures = "".join(
            f'<figure><a href="{group}/{shot.name}"><img src="{group}/{shot.name}" alt="" loading="lazy"></a>'
            f"<figcaption>{html.escape(shot.stem)}</figcaption></figure>"
            for shot in shots
        )
        sections.append(f"<h2>{group}</h2><div class=grid>{figures}</div>")
    folder.joinpath("index.html").write_text(
        "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>HangarStack e2e screenshots</title>"
        "<style>body{font-family:sans-serif;margin:1rem}.grid{display:flex;flex-wrap:wrap;gap:1rem}"
        "figure{margin:0;width:16rem}img{width:100%;height:20rem;object-fit:cover;object-position:top;"
        "border:1px solid #ccc}</style><h1>HangarStack e2e screenshots</h1>" + "".join(sections),
        encoding="utf-8",
    )


# --- Events ----------------------------------------------------------------------------


def views_of(aircraft_id: int) -> list[dict]:
    """Envelopes on hangarstack.aircraft.views for one aircraft (ids are never reused within a run)."""
    return [e for e in read_topic(topics.VIEWS) if e["data"]["aircraft"]["id"] == aircraft_id]


def consume_views() -> None:
    """What consume_events does for the views topic, by direct assignment (no consumer-group join to wait for)."""
    from events import consumer

    consumer.apply_batch(raw_messages(topics.VIEWS))
