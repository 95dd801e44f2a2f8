"""First calls in a fresh process: what a user waits for before the first result.

``python -m benchmarks.first_call`` runs each primitive that a Numba kernel serves once, in
this process, and prints one JSON object: per call its seconds and the Numba kernels it
compiled (``compiled``; empty when everything came from the on-disk cache), and the total
count of Numba compilations of any function (``compile_events``). :func:`run` starts that
twice in fresh interpreters, the first to fill the cache, and reports the second: the
figures of the benchmark report and of ``tests/test_numba.py``'s cache test.
"""

import json
import os
import subprocess
import sys
import time

import numpy as np


def _s4d(dtype):
    import lti_ops

    ssm = lti_ops.s4d_init("lin", 64, H=64, rng=0, dtype=dtype)
    dt = lti_ops.init_dt(64, rng=0, dtype=dtype)
    return lambda: lti_ops.ssm_kernel(ssm, 4096, dt=dt, method="zoh")


def _s4d_complex():
    import lti_ops

    ssm = lti_ops.s4d_init("lin", 64, H=64, rng=0, dtype="float64")
    full = lti_ops.Diagonal(ssm.lam, ssm.B, ssm.C)  # not conj_sym: complex kernel
    return lambda: lti_ops.ssm_kernel(full, 1024, dt=0.01, method="zoh")


def _dplr(dtype):
    import lti_ops

    ssm = lti_ops.nplr("legs", 64, C=np.ones(64), dtype=dtype)
    dt = np.exp(np.linspace(np.log(1e-3), np.log(1e-1), 64)).astype(dtype)
    return lambda: lti_ops.ssm_kernel(ssm, 4096, dt=dt, method="s4_bilinear")


def _transfer(kind):
    import lti_ops

    ssm = lti_ops.nplr("legs", 32, C=np.ones(32))
    sys = ssm if kind == "dplr" else lti_ops.s4d_init("legs", 32, H=8, rng=0)
    z = 1j * np.linspace(0.1, 10, 512)
    return lambda: lti_ops.transfer_function(sys, z)


def _scan():
    import lti_ops

    ssm = lti_ops.s4d_init("lin", 64, H=64, rng=0, dtype="float32")
    disc = lti_ops.discretize(ssm, lti_ops.init_dt(64, rng=0, dtype="float32"), "zoh")
    u = np.random.default_rng(0).standard_normal((2, 64, 1024)).astype(np.float32)
    return lambda: lti_ops.scan(disc, u)


def _fftconv():
    import lti_ops

    rng = np.random.default_rng(0)
    u, k = rng.standard_normal((2, 64, 1024)).astype(np.float32), rng.standard_normal((64, 1024)).astype(np.float32)
    return lambda: lti_ops.fftconv(u, k)


def _hope():
    import lti_ops

    h = np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32) / 8
    return lambda: lti_ops.hope_transfer(h, np.ones(64, np.float32), 4096)


def _hsv(kind):
    import lti_ops

    if kind == "diagonal":
        disc = lti_ops.discretize(lti_ops.s4d_init("lin", 32, H=64, rng=0), 0.05, "zoh")
        return lambda: lti_ops.hankel_singular_values(disc)
    rng = np.random.default_rng(0)
    A = rng.standard_normal((16, 16, 16))
    A *= 0.9 / np.max(np.abs(np.linalg.eigvals(A)), axis=-1)[:, None, None]
    sys = lti_ops.StateSpace(A, rng.standard_normal((16, 16, 1)), rng.standard_normal((16, 1, 16)), dt=1.0)
    return lambda: lti_ops.hankel_singular_values(sys)


def _gramians():
    import lti_ops

    disc = lti_ops.discretize(lti_ops.s4d_init("inv", 16, H=8, rng=0), 0.05, "zoh")
    return lambda: lti_ops.gramians(disc)


CALLS = {
    "ssm_kernel S4D float32": lambda: _s4d("float32"),
    "ssm_kernel S4D float64": lambda: _s4d("float64"),
    "ssm_kernel Diagonal complex128 (complex kernel)": _s4d_complex,
    "ssm_kernel DPLR float32": lambda: _dplr("float32"),
    "ssm_kernel DPLR float64": lambda: _dplr("float64"),
    "transfer_function Diagonal": lambda: _transfer("diagonal"),
    "transfer_function DPLR": lambda: _transfer("dplr"),
    "scan float32": _scan,
    "fftconv float32": _fftconv,
    "hope_transfer float32": _hope,
    "hankel_singular_values Diagonal": lambda: _hsv("diagonal"),
    "hankel_singular_values dense batch": lambda: _hsv("dense"),
    "gramians Diagonal": _gramians,
}


def measure():
    """{"calls": {label: {"seconds", "compiled"}}, "compile_events": n} in this process."""
    import lti_ops  # noqa: F401  (imports are not the first call's cost)
    import lti_ops_numba._register  # noqa: F401
    from lti_ops_numba._jit import ALL
    from numba.core import event

    calls = {}
    with event.install_recorder("numba:compile") as recorder:
        for label, make in CALLS.items():
            func = make()
            before = {k.__name__: dict(k.cache_hits) for k in ALL}
            start = time.perf_counter()
            func()
            seconds = time.perf_counter() - start
            compiled = sorted(f"{k.__name__}[{d}]" for k in ALL for d, hit in k.cache_hits.items()
                              if not hit and d not in before[k.__name__])
            calls[label] = {"seconds": seconds, "compiled": compiled}
    return {"calls": calls, "compile_events": len(recorder.buffer)}


def fresh_process(env=None):
    """:func:`measure` in a new interpreter (the repository root as its working directory)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, "-m", "benchmarks.first_call"], cwd=root, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick=False):
    """Rows (call, seconds, compiled kernels) of a fresh process whose cache a first one filled."""
    fresh_process()
    warm = fresh_process()
    return [(label, c["seconds"], c["compiled"]) for label, c in warm["calls"].items()]


if __name__ == "__main__":
    print(json.dumps(measure()))
