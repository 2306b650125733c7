"""Helpers the browser tests share: the tools they need, viewports, axe-core, reading events back."""

import datetime
import html
import importlib
import json
import os
import pkgutil
import shutil
import subprocess
from pathlib import Path

import pytest

from aircraft import migrations as aircraft_migrations
from aircraft.models import Aircraft, AircraftSource, Figure, SourceKind
from aircraft.services import catalogue_refresh_digests
from events import topics
from tests.events.conftest import raw_messages, read_topic
from tests.factories import AircraftFactory, ManufacturerFactory, figures_with

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
# The group and its permissions exactly as the data migrations make them: 0003 creates it,
# 0006 (catalogue model v2) lets it edit figures and sources.
EDITORS = importlib.import_module("aircraft.migrations.0003_catalogue_editors_group")
# ... and later ones let it review visitors' corrections (found by name, whatever its number).
_CORRECTIONS = next(
    module.name for module in pkgutil.iter_modules(aircraft_migrations.__path__) if module.name.endswith("_corrections")
)
EDITOR_PERMISSIONS = [
    *EDITORS.PERMISSIONS,
    *importlib.import_module("aircraft.migrations.0006_catalogue_v2_data").EDITOR_PERMISSIONS,
    *importlib.import_module(f"aircraft.migrations.{_CORRECTIONS}").REVIEW,
]
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


# --- Data -------------------------------------------------------------------------------


def add_manufacturer_source(plane, key: str, title: str, url: str) -> AircraftSource:
    """A second source for a factory-made aircraft (its first is the factory's "Test fact sheet")."""
    return AircraftSource.objects.create(
        aircraft=plane,
        key=key,
        title=title,
        publisher=plane.manufacturer.name,
        url=url,
        kind=SourceKind.MANUFACTURER,
        checked=datetime.date(2026, 10, 15),
        position=1,
    )


def aircraft_with_kinds_and_two_sources():
    """TX-9 Longreach: a typical range from its fact sheet (source 1), and a ferry range and a
    maximum speed with their conditions from its flight manual (source 2)."""
    plane = AircraftFactory(
        manufacturer=ManufacturerFactory(name="Test Aircraft Company"),
        designation="TX-9",
        name="Longreach",
        figures=figures_with(mach=None, max_speed=None),  # typical range 3000 km, from "Test fact sheet"
    )
    manual = add_manufacturer_source(
        plane, "manual", "TX-9 flight manual, section 5: performance", "https://example.com/tx-9/flight-manual.pdf"
    )
    for quantity, kind, value, unit, condition in (
        ("range", "ferry", "2,700", "nmi", "with two external wing fuel tanks"),
        ("max_speed", "at-altitude", "1,060", "kn", "at 36,000 ft"),
    ):
        Figure.objects.create(
            aircraft=plane, quantity=quantity, kind=kind, value=value, unit=unit, condition=condition, source=manual
        )
    catalogue_refresh_digests(aircraft=Aircraft.objects.filter(pk=plane.pk))
    return plane


def without_figures(slug: str, quantity: str) -> None:
    """Make a gap on a real catalogue aircraft, so a test does not depend on which figures the catalogue lacks."""
    from aircraft.stamps import catalogue_stamp_refresh

    Figure.objects.filter(aircraft__slug=slug, quantity=quantity).delete()
    catalogue_refresh_digests(aircraft=Aircraft.objects.filter(slug=slug))
    catalogue_stamp_refresh()
