"""`import lti_ops` stays light: no accelerator, framework, plotting or test library."""

import subprocess
import sys

import lti_ops

FORBIDDEN = ["numba", "cupy", "torch", "jax", "scipy.signal", "matplotlib", "hypothesis"]


def test_import_pulls_in_no_heavy_module():
    code = (
        "import sys, lti_ops, lti_ops.testing; "
        f"print([m for m in {FORBIDDEN!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_public_names_are_exported():
    for name in lti_ops.__all__:
        assert getattr(lti_ops, name).__doc__, name
    assert {"StateSpace", "Diagonal", "DPLR", "discretize", "d2c", "diagonalize"} <= set(lti_ops.__all__)
