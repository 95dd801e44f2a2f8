"""The diagonal recurrence (S4D's recurrent mode) against a NumPy step loop."""

import numpy as np

import lti_ops
from benchmarks._case import OURS, Case
from benchmarks.kernels import s4d_inputs


def step_loop(lam, b, c, u):
    """x_l = lam x_{l-1} + b u_l, y_l = 2 Re(c . x_l): one vectorized NumPy step per l."""
    x = np.zeros(u.shape[:-1] + lam.shape[-1:], dtype=lam.dtype)
    y = np.empty(u.shape, dtype=u.dtype)
    for l in range(u.shape[-1]):
        x = lam * x + b * u[..., l, None]
        y[..., l] = 2 * np.real(np.sum(c * x, axis=-1))
    return y


def scan_case(quick):
    B, H, N, L = (2, 64, 64, 1024) if quick else (8, 256, 64, 4096)
    ssm, dt, _, _ = s4d_inputs(H, N, L)
    disc = lti_ops.discretize(ssm, dt, "zoh")
    u = np.random.default_rng(0).standard_normal((B, H, L)).astype(np.float32)
    lam, b, c = disc.lam, disc.B[..., 0], disc.C[..., 0, :]
    return Case(
        f"diagonal scan B={B} H={H} N={N} L={L} f32 (conj_sym)",
        {
            OURS: lambda: lti_ops.scan(disc, u),
            "numpy step loop": lambda: step_loop(lam, b, c, u),
            "lti_ops kernel='xp' (prefix scan)": lambda: lti_ops.scan(disc, u, kernel="xp"),
        },
        bars={"numpy step loop": 20},
        repeat=3,
    )


def cases(quick):
    return [scan_case(quick)]
