"""Where a benchmark run leaves its results: a quick run (CI's smoke test) never
replaces the full run's latest.md or its table in bench/README.md."""

import pytest

from bench import report, run


@pytest.fixture
def places(tmp_path, monkeypatch):
    results = tmp_path / "results"
    results.mkdir()
    (results / "latest.md").write_text("the full run\n")
    readme = tmp_path / "README.md"
    readme.write_text(f"# Bench\n\n{report.START}\nfull table\n{report.END}\n")
    monkeypatch.setattr(run, "RESULTS", results)
    monkeypatch.setattr(run, "QUICK_RESULTS", results / "quick")
    monkeypatch.setattr(run, "README", readme)
    # The report's own content is tests/bench/test_report.py's business.
    monkeypatch.setattr(report, "evaluate", lambda results: [])
    monkeypatch.setattr(report, "markdown", lambda results: f"table of {results['meta']['started']}\n")
    return results, readme


def finished(started: str, *, quick: bool) -> dict:
    return {"meta": {"started": started, "quick": quick}}


def test_a_quick_run_writes_its_own_files_and_leaves_the_full_results_alone(places):
    results, readme = places

    path = run.write_results(finished("2026-11-29T18:00:00+00:00", quick=True), update_readme=True)

    assert path == results / "quick" / "latest.md"
    assert path.read_text() == "table of 2026-11-29T18:00:00+00:00\n"
    assert (results / "quick" / "20261129T180000Z-quick.json").exists()
    assert (results / "latest.md").read_text() == "the full run\n"
    assert "full table" in readme.read_text()


def test_a_full_run_replaces_latest_and_the_readme_table(places):
    results, readme = places

    path = run.write_results(finished("2026-11-29T19:00:00+00:00", quick=False), update_readme=True)

    assert path == results / "latest.md"
    assert path.read_text() == "table of 2026-11-29T19:00:00+00:00\n"
    assert (results / "20261129T190000Z.md").exists()
    assert "table of 2026-11-29T19:00:00+00:00" in readme.read_text()
    assert "full table" not in readme.read_text()
    assert not (results / "quick").exists()


def test_cpu_is_summed_by_the_nearest_process_we_started():
    """Workers count for gunicorn's master, backends for the postmaster; the
    harness's other children are wrk; processes of others count for nobody."""
    harness, master, postmaster = 100, 200, 300
    before = {201: (master, 50), 301: (postmaster, 10), 400: (1, 1000)}
    after = {
        harness: (1, 9999),  # the harness itself is not measured
        master: (harness, 5),
        201: (master, 150),  # a worker: 100 more
        202: (master, 40),  # a worker born during the run: all of it
        postmaster: (1, 2),
        301: (postmaster, 30),  # a backend: 20 more
        500: (harness, 7),  # wrk
        400: (1, 2000),  # someone else's process
    }
    used = run.cpu_by_role(before, after, {master: "site", postmaster: "postgres"}, harness)
    assert used == {"site": 5 + 100 + 40, "postgres": 2 + 20, "wrk": 7}


def test_the_detail_page_is_measured_in_more_rounds_than_a_quick_run_gives_it():
    assert run.parse_args([]).detail_rounds == 3  # its events on/off ratio is issue 13's closest target
    assert run.parse_args(["--quick"]).detail_rounds == 1
    assert run.parse_args(["--detail-rounds", "2"]).detail_rounds == 2


def test_steal_is_the_hypervisors_share_of_all_cpu_time_between_two_readings():
    before, after = (100, 1000, 10), (600, 2000, 160)
    assert run.cpu_stolen(before, after) == 0.15
    assert run.cpu_busy(before, after) == 0.5
    assert run.cpu_stolen(before, before) == 0.0
    busy, total, stolen = run.cpu_times()  # this machine's own /proc/stat
    assert 0 <= stolen <= busy <= total


def test_a_run_is_measured_again_when_other_work_or_the_hypervisor_took_the_cores():
    args = run.parse_args([])
    assert (args.quiet_threshold, args.steal_threshold, args.retries) == (0.1, 0.05, 2)
    assert run.disturbed(0.02, 0.01, args) is None
    assert run.disturbed(0.3, 0.0, args) == "other work used 30% of the CPUs"
    assert run.disturbed(0.0, 0.17, args) == "the hypervisor took 17% of the CPU time (steal)"
    assert run.disturbed(0.0, 0.17, run.parse_args(["--steal-threshold", "0.2"])) is None


def test_a_run_records_the_settings_it_took_from_the_environment():
    environ = {"EVENTS_BATCH_MS": "300", "KAFKA_LINGER_MS": "", "PATH": "/usr/bin", "WEB_CONCURRENCY": "5"}
    assert run.tuned_settings(environ) == {"EVENTS_BATCH_MS": "300"}
    assert run.tuned_settings({}) == {}
