"""The CPU benchmark runner end to end at quick sizes: it measures the machine's peaks,
times every contender, and writes each row's rate, error and verdict.

A smoke test of the runner, not of speed: no timing is asserted (speed is the report's).
"""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

pytest.importorskip("numba")
pytest.importorskip("scipy")


def test_quick_kernels_report(tmp_path):
    out = tmp_path / "benchmarks.md"
    subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--only", "kernels", "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True, text=True)
    text = out.read_text()
    rows = [line for line in text.splitlines() if line.startswith("| S4D kernel")]
    contenders = {row.split(" | ")[1] for row in rows}
    assert {"lti_ops", "numpy two-level sgemm", "lti_ops kernel='xp'"} <= contenders
    ours = next(row.split(" | ") for row in rows if row.split(" | ")[1] == "lti_ops")
    assert "GFLOP/s (" in ours[4]  # the rate and its percentage of the fma_f32 peak
    assert float(ours[5]) < 1e-5  # float32 kernel error against the float64 truth
    assert "| `fma_f32` |" in text and "| `triad` |" in text and "| `div_f64` |" in text
