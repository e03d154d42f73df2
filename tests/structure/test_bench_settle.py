"""bench/settle.py still runs (a few cards, Slack's clock fast): its figures are its own to print."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_settle_benchmark_runs() -> None:
    args = ["--cards", "4", "--channels", "2", "--viewers", "1", "--scale", "50", "--backend", "sqlite"]
    command = [sys.executable, "-m", "bench.settle", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert "sqlite" in done.stdout and "4 cards in 2 channel(s), 1 viewers" in done.stdout
    assert "settle/floor" in done.stdout and "429s 0" in done.stdout and "ms/change" in done.stdout
