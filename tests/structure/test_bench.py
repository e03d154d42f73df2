"""Each benchmark still runs (on a small data set): the figures are theirs to print, not ours to time."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr
    return done


def test_scheduler_benchmark_runs() -> None:
    done = bench("bench.scheduler", "--work-orders", "400", "--schedules", "40", "--backend", "sqlite")
    assert "400 work orders of history" in done.stdout and "40 PM schedules" in done.stdout and "sqlite" in done.stdout
    assert "empty UoW ms" in done.stdout and "peak RSS" in done.stdout
    assert "query plans, sqlite" in done.stdout and "USING INDEX ix_pm_schedules_generate_on" in done.stdout


def test_ack_benchmark_runs() -> None:
    done = bench("bench.ack", "--requests", "30", "--connections", "4", "--backend", "sqlite")
    lines = done.stdout.splitlines()
    assert lines[0].startswith("ack latency, 30 requests per line")
    rows = [line.split() for line in lines[3:]]
    assert [(row[1], row[3]) for row in rows] == [
        ("/request", "bare"),
        ("/request", "wrench"),
        ("claim", "bare"),
        ("claim", "wrench"),
    ]
    assert all(len(row) == 9 for row in rows if row[3] == "wrench")  # figures and done/s


def test_sustained_ack_benchmark_runs_with_the_python_client() -> None:
    """The sustained mode, with the Python load generator (wrk is not needed for the smoke test). A tenth
    of a second of load per app and line: a second's claims went round the 200 work orders five times,
    and Wrench took 10 s to settle them."""
    done = bench(
        "bench.ack", "--sustained", "--seconds", "0.1", "--rounds", "1", "--connections", "4",
        "--backend", "sqlite", "--claims", "200", "--client", "python",
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines[0].startswith("sustained ack load, 0.1 s per app and line in 1 rounds, client python")
    apps = [(line.split()[1], line.split()[3]) for line in lines[3:9]]
    assert apps == [(w, a) for w in ("/request", "claim") for a in ("ack-only", "same", "wrench")]
    assert "claims answered 200" in lines[-1]  # and "none lost" unless a fast machine went round the 200 again
