"""Every benchmark runs on a tiny size in the suite, so that none can stop running unnoticed."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("bench, tables", [
    ("engine_steps.py", ["1. directive_task lifecycle", "2. one agency step", "3. reference"]),
    ("replay.py", ["Replay of one instance", "stored instances"]),
    ("timers.py", ["Worker tick running 100 due jobs"]),
])
def test_the_benchmark_runs_to_its_tables(bench: str, tables: list[str], tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # its own SQLite file, never the suite's
    env["TMPDIR"] = str(tmp_path)
    run = subprocess.run([sys.executable, str(ROOT / "bench" / bench), "--tiny"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    for title in tables:
        assert title in run.stdout, run.stdout
