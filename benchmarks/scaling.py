"""Time of the Numba kernels over three sizes of each of H, N and L (the others at their
base values): linear work shows as a ratio near 2 per doubling."""

import numpy as np

import lti_ops
from benchmarks._timing import compare
from benchmarks.kernels import dplr_inputs, s4d_inputs


def _s4d(H, N, L):
    ssm, dt, _, _ = s4d_inputs(H, N, L)
    return lambda: lti_ops.ssm_kernel(ssm, L, dt=dt, method="zoh")


def _dplr(H, N, L):
    disc = dplr_inputs(H, N, L)
    return lambda: lti_ops.ssm_kernel(disc, L, c_is_tilde=True)


def _scan(H, N, L):
    ssm, dt, _, _ = s4d_inputs(H, N, L)
    disc = lti_ops.discretize(ssm, dt, "zoh")
    u = np.random.default_rng(0).standard_normal((H, L)).astype(np.float32)
    return lambda: lti_ops.scan(disc, u)


PRIMITIVES = {"S4D kernel (zoh, f32)": _s4d, "S4 DPLR kernel (f64)": _dplr, "diagonal scan (f32, B=1)": _scan}


def run(quick=False):
    """Rows (primitive, axis, sizes, medians in seconds)."""
    base = {"H": 64, "N": 64, "L": 1024} if quick else {"H": 256, "N": 64, "L": 4096}
    rows = []
    for label, make in PRIMITIVES.items():
        for axis in ("H", "N", "L"):
            sizes = [base[axis] // 2, base[axis], base[axis] * 2]
            funcs = {s: make(**{**base, axis: s}) for s in sizes}
            medians = compare(funcs, repeat=3 if quick else 5)
            rows.append((label, axis, sizes, [medians[s] for s in sizes]))
    return rows
