"""bench/stack_costs.py still runs (few repeats): its figures are its own to print."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_stack_costs_benchmark_runs() -> None:
    command = [sys.executable, "-m", "bench.stack_costs", "--repeats", "20"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}  # no BENCH_POSTGRES_URL: SQLite only
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180, check=False, env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.strip().startswith("bare bolt app acknowledging a click") for line in lines)
    assert any("through slack_sdk" in line and "aiohttp alone" in line for line in lines)
    assert any(line.strip().startswith("sqlite") and "least for a Claim" in line for line in lines)
