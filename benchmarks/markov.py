"""Markov parameters of batches of dense systems against a loop of scipy.signal.dimpulse."""

import numpy as np
import scipy.signal

import lti_ops
from benchmarks._case import OURS, Case


def stable_dense(H, N, rng, dt=None):
    """H random dense systems: spectral radius 0.95 (discrete) or shifted to Re < 0."""
    A = rng.standard_normal((H, N, N)) / np.sqrt(N)
    if dt is not None:
        A = 0.95 * A / np.max(np.abs(np.linalg.eigvals(A)), axis=-1)[:, None, None]
    else:
        A = A - 1.5 * np.eye(N)
    return A, rng.standard_normal((H, N, 1)), rng.standard_normal((H, 1, N)), np.zeros((H, 1, 1))


def dense_markov_case(quick):
    H, N, L = (16, 64, 1024) if quick else (256, 64, 4096)
    A, B, C, D = stable_dense(H, N, np.random.default_rng(0), dt=1.0)
    sys = lti_ops.StateSpace(A, B, C, D, dt=1.0)
    return Case(
        f"Markov parameters dense H={H} N={N} L={L} f64",
        {
            OURS: lambda: lti_ops.markov_parameters(sys, L),
            "scipy dimpulse loop": lambda: [
                scipy.signal.dimpulse((A[h], B[h], C[h], D[h], 1.0), n=L) for h in range(H)
            ],
        },
        bars={"scipy dimpulse loop": 20},
        repeat=3,
    )


def cases(quick):
    return [dense_markov_case(quick)]
