import pytest

from bench import wrk

TEXT_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/aircraft/f-22a-raptor/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms    1.05ms  20.00ms   80.00%
    Req/Sec     1.90k   100.00     2.10k    70.00%
  Latency Distribution
     50%  812.00us
     75%    2.40ms
     90%    3.10ms
     99%    1.20s
  38000 requests in 10.00s, 500.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 12
Requests/sec:   3800.00
Transfer/sec:     50.00MB
"""


def test_parses_the_latency_distribution_in_milliseconds():
    result = wrk.parse_output(TEXT_OUTPUT)

    assert result.latency_ms["50"] == pytest.approx(0.812)
    assert result.latency_ms["75"] == pytest.approx(2.4)
    assert result.p99 == pytest.approx(1200.0)
    assert result.latency_ms["mean"] == pytest.approx(2.1)
    assert result.latency_ms["max"] == pytest.approx(20.0)


def test_parses_throughput_and_errors():
    result = wrk.parse_output(TEXT_OUTPUT)

    assert result.requests == 38000
    assert result.duration_s == pytest.approx(10.0)
    assert result.rps == pytest.approx(3800.0)
    assert result.bytes_read == 500 * 1024**2
    assert result.non_2xx_3xx == 12
    assert result.socket_errors == {"connect": 0, "read": 2, "write": 0, "timeout": 1}
    assert result.errors == 15


def test_exact_figures_from_the_lua_script_win():
    line = (
        'BENCH_JSON {"requests": 1000, "duration_us": 2000000, "bytes": 5000, "latency_us": {"50": 1234.5, '
        '"99": 9000.0, "99.9": 12000.0, "mean": 1500.0, "max": 15000.0}, '
        '"errors": {"connect": 0, "read": 0, "write": 0, "status": 3, "timeout": 0}}'
    )

    result = wrk.parse_output(TEXT_OUTPUT + line + "\n")

    assert result.rps == pytest.approx(500.0)
    assert result.p50 == pytest.approx(1.2345)
    assert result.latency_ms["99.9"] == pytest.approx(12.0)
    assert result.non_2xx_3xx == 3


@pytest.mark.parametrize(("text", "ms"), [("640.00us", 0.64), ("3.5ms", 3.5), ("2.00s", 2000.0), ("1.00m", 60000.0)])
def test_duration_units(text, ms):
    assert wrk.duration_ms(text) == pytest.approx(ms)


def test_rejects_text_that_is_not_a_duration():
    with pytest.raises(ValueError, match="not a wrk duration"):
        wrk.duration_ms("fast")


def test_lua_script_rotates_paths_and_sets_headers():
    script = wrk.lua_script(['/search/?q="raptor"', "/aircraft/"], {"X-Forwarded-Proto": "https"})

    assert '"/search/?q=\\"raptor\\""' in script
    assert 'wrk.headers["X-Forwarded-Proto"] = "https"' in script
    assert "function done(summary, latency, requests)" in script
    assert wrk.JSON_MARK in script


def test_lua_script_needs_a_path():
    with pytest.raises(ValueError, match="at least one path"):
        wrk.lua_script([], {})
