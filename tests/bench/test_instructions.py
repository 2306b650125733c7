import pytest

from bench import instructions
from bench.instructions import LIBRDKAFKA_THREADS, PYTHON_THREADS, REQUEST_THREAD, Counted


def dump(path, total, functions=("main",)):
    """A callgrind dump as valgrind writes it, reduced to what is read: the
    summary line and function names."""
    body = "\n".join(f"fn=(1) {name}\n0 10" for name in functions)
    path.write_text(f"version: 1\ncreator: callgrind-3.19.0\nevents: Ir\n{body}\nsummary: {total}\ntotals: {total}\n")


def test_threads_are_grouped_by_what_they_run(tmp_path):
    dump(tmp_path / "callgrind.out.1-01", 1000, ("_PyEval_EvalFrameDefault",))
    dump(tmp_path / "callgrind.out.1-02", 0, ("start_thread",))  # an idle thread
    dump(tmp_path / "callgrind.out.1-05", 300, ("_PyEval_EvalFrameDefault", "PyObject_Vectorcall"))
    dump(tmp_path / "callgrind.out.1-06", 40, ("LZ4_compress_fast_extState_fastReset",))
    dump(tmp_path / "callgrind.out.1-07", 2, ("rd_kafka_broker_thread_main",))
    dump(tmp_path / "callgrind.out-01", 99_999)  # the dump at exit: another part, not counted

    totals = instructions.thread_totals(tmp_path, "callgrind.out.1")

    assert totals == {REQUEST_THREAD: 1000, PYTHON_THREADS: 300, LIBRDKAFKA_THREADS: 42}


def test_a_file_without_a_summary_is_refused(tmp_path):
    (tmp_path / "callgrind.out.1-01").write_text("not a callgrind dump\n")

    with pytest.raises(ValueError, match="no summary line"):
        instructions.thread_totals(tmp_path, "callgrind.out.1")


def test_the_report_shows_each_threads_cost_per_hit_and_the_ratio():
    off = Counted(hits=1000, by_group={REQUEST_THREAD: 360_000_000, PYTHON_THREADS: 0, LIBRDKAFKA_THREADS: 0})
    on = Counted(
        hits=1000, by_group={REQUEST_THREAD: 378_000_000, PYTHON_THREADS: 27_000_000, LIBRDKAFKA_THREADS: 3_000_000}
    )
    meta = {
        "started": "2026-12-01 14:00 UTC",
        "commit": "abc1234",
        "aircraft": 315,
        "warm": 500,
        "batch_ms": 5000,
        "switch_ms": 250,
    }

    text = instructions.markdown(off, on, meta)

    assert "| request thread | 360,000 | 378,000 | +18,000 | 5.0% |" in text
    assert "| other Python threads | 0 | 27,000 | +27,000 | 7.5% |" in text
    assert "| librdkafka's threads | 0 | 3,000 | +3,000 | 0.8% |" in text
    assert "| **the process** | 360,000 | 408,000 | +48,000 | 13.3% |" in text
    assert "Events off / events on, in instructions: **88.2%**" in text
    assert "Commit abc1234; 315 aircraft; 1,000 measured hits" in text
    assert "5,000 ms a batch; threads switched every 250 ms." in text
