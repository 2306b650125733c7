import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import CommandError, call_command
from django.db import connection

from aircraft.models import Aircraft, AircraftViewTotal, Manufacturer
from aircraft.stamps import catalogue_stamp
from bench.generator import MAKER_COUNT, Command, generated_aircraft, generated_makers
from events.models import OutboxEvent
from tests.databases import database_url
from tests.factories import AircraftFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def generate(*args: str) -> str:
    out = StringIO()
    call_command(Command(), *args, stdout=out)
    return out.getvalue()


def test_generates_the_requested_number_of_valid_aircraft():
    generate("--count", "60")

    planes = list(generated_aircraft().select_related("manufacturer"))
    assert len(planes) == 60
    assert generated_makers().count() == MAKER_COUNT
    for plane in planes:
        plane.full_clean()  # raises if any field or model rule is broken
        source = plane.sources.get()
        assert source.url.startswith("https://example.invalid/generated/")
        figures = {(f.quantity, f.kind): f for f in plane.figures.all()}
        for figure in figures.values():
            figure.full_clean()
            assert figure.source_id == source.pk
        assert (
            figures[("empty_weight", "empty")].metric_value <= figures[("max_takeoff_weight", "overall")].metric_value
        )
        assert plane.rank_mtow_kg == float(figures[("max_takeoff_weight", "overall")].metric_value)
        assert plane.digest["card"], plane.slug
    for maker in generated_makers():
        maker.full_clean()


def test_generated_catalogue_is_varied():
    generate("--count", "200")

    assert generated_aircraft().values("role").distinct().count() >= 8
    assert generated_aircraft().values("status").distinct().count() == 3
    assert generated_aircraft().values("name").distinct().count() > 100


def test_search_trigger_indexes_generated_aircraft():
    generate("--count", "20")
    plane = generated_aircraft().exclude(name="").first()

    found = Aircraft.objects.filter(search_vector=SearchQuery(plane.name.split()[-1], config="english"))

    assert plane in found


def test_same_seed_makes_the_same_catalogue():
    generate("--count", "30", "--seed", "7")
    first = list(generated_aircraft().order_by("slug").values_list("slug", "role", "rank_speed_mach"))
    generate("--delete")
    generate("--count", "30", "--seed", "7")

    assert list(generated_aircraft().order_by("slug").values_list("slug", "role", "rank_speed_mach")) == first


def test_running_twice_has_nothing_to_do():
    generate("--count", "25")

    assert "Nothing to do" in generate("--count", "25")
    assert generated_aircraft().count() == 25


def test_a_larger_count_adds_and_a_smaller_one_removes():
    generate("--count", "10")
    first_ten = set(generated_aircraft().values_list("slug", flat=True))

    generate("--count", "45")
    assert generated_aircraft().count() == 45
    assert first_ten <= set(generated_aircraft().values_list("slug", flat=True))

    generate("--count", "10")
    assert set(generated_aircraft().values_list("slug", flat=True)) == first_ten


def test_delete_removes_generated_records_and_their_views_only():
    real = AircraftFactory()
    generate("--count", "15")
    viewed = generated_aircraft().first()
    AircraftViewTotal.objects.create(aircraft=viewed, views=3)

    output = generate("--delete")

    assert "Removed 15" in output
    assert not generated_aircraft().exists()
    assert not generated_makers().exists()
    assert not AircraftViewTotal.objects.filter(aircraft_id=viewed.pk).exists()
    assert Aircraft.objects.filter(pk=real.pk).exists()
    assert Manufacturer.objects.filter(pk=real.manufacturer_id).exists()


def test_dry_run_writes_nothing():
    output = generate("--count", "40", "--dry-run")

    assert "Would add 40" in output
    assert not generated_aircraft().exists()
    assert not generated_makers().exists()


def test_benchmark_data_sends_no_change_events():
    before = OutboxEvent.objects.count()

    generate("--count", "30")
    generate("--count", "5")
    generate("--delete")

    assert OutboxEvent.objects.count() == before


def test_cached_pages_go_stale_after_generating(django_capture_on_commit_callbacks):
    stamp = catalogue_stamp()

    with django_capture_on_commit_callbacks(execute=True):
        generate("--count", "5")

    assert catalogue_stamp() != stamp


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Give either --count"),
        (("--count", "5", "--delete"), "Give either --count"),
        (("--count", "-1"), "between 0 and"),
    ],
)
def test_bad_arguments_are_refused(args, message):
    with pytest.raises(CommandError, match=message):
        generate(*args)


def run_from_the_command_line(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hangarstack.settings.test", "DATABASE_URL": database_url()}
    return subprocess.run(
        [sys.executable, "-m", "bench.generate", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.django_db(transaction=True)
def test_python_m_bench_generate_runs_outside_any_app():
    first = run_from_the_command_line("--count", "3")
    assert first.returncode == 0, first.stderr[-3000:]
    assert generated_aircraft().count() == 3
    # Every table vacuumed and analysed, the figures too: autovacuum would otherwise run during the first
    # page the benchmark measures.
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_vacuum, last_analyze FROM pg_stat_user_tables WHERE relname = 'aircraft_figure'")
        assert all(cursor.fetchone())

    again = run_from_the_command_line("--count", "3")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Nothing to do" in again.stdout

    wrong = run_from_the_command_line("--count", "-1")
    assert wrong.returncode == 1
    assert "--count must be between 0 and 1,000,000." in wrong.stderr
    assert "Traceback" not in wrong.stderr
