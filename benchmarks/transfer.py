"""Transfer functions at arbitrary points: Cauchy sums against NumPy broadcasting."""

import numpy as np

import lti_ops
from benchmarks._case import OURS, Case


def broadcast_cauchy(lam, v, z):
    """sum_n v/(z - lam) + conj(v)/(z - conj lam) with the (H, N, K) arrays."""
    v = v[..., None]
    return np.sum(v / (z - lam[..., None]) + np.conj(v) / (z - np.conj(lam)[..., None]), axis=-2)


def diagonal_case(quick):
    H, N, K = (64, 64, 1024) if quick else (256, 64, 4096)
    ssm = lti_ops.s4d_init("inv", N, H=H, rng=0)  # N states = N/2 conj pairs, complex128
    rng = np.random.default_rng(0)
    z = np.exp(1j * rng.uniform(0, np.pi, K)) * rng.uniform(0.5, 2, K)  # arbitrary points
    lam, v = ssm.lam, ssm.C[..., 0, :] * ssm.B[..., 0]
    return Case(
        f"diagonal transfer function H={H} N={N} K={K} points c128",
        {
            OURS: lambda: lti_ops.transfer_function(ssm, z),
            "numpy broadcast Cauchy": lambda: broadcast_cauchy(lam, v, z),
        },
        bars={"numpy broadcast Cauchy": 25},
        note="kernel='xp' left out: about a minute per call at this size",
        work=H * K * (N // 2),  # one division per node and conjugate pair (the Cauchy kernels' bound)
        peak="div_f64",
    )


def cases(quick):
    return [diagonal_case(quick)]
