"""Discretization: lti_ops (batched) against a loop of scipy.signal.cont2discrete."""

import numpy as np
import scipy.signal

import lti_ops
from benchmarks._case import OURS, Case
from benchmarks.markov import stable_dense


def dense_cases(quick):
    rng = np.random.default_rng(0)
    sizes = [(64, 8), (64, 64)] if quick else [(256, 8), (256, 64), (64, 200)]
    for H, N in sizes:
        A, B, C, D = stable_dense(H, N, rng)
        sys = lti_ops.StateSpace(A, B, C, D)
        for method, bar in (("zoh", 1), ("bilinear", 2)):
            yield Case(
                f"dense {method} H={H} N={N}",
                {
                    OURS: lambda sys=sys, method=method: lti_ops.discretize(sys, 0.01, method),
                    "scipy cont2discrete loop": lambda A=A, B=B, C=C, D=D, method=method: [
                        scipy.signal.cont2discrete((A[h], B[h], C[h], D[h]), 0.01, method)
                        for h in range(A.shape[0])
                    ],
                },
                bars={"scipy cont2discrete loop": bar} if N == 64 else {},
            )


def diagonal_case(quick):
    rng = np.random.default_rng(1)
    H, N = (256, 32) if quick else (1024, 32)
    lam = -rng.uniform(0.1, 1, (H, N)) + 1j * np.pi * np.arange(N)
    b = np.ones((H, N), complex)
    c = rng.standard_normal((H, N)) + 1j * rng.standard_normal((H, N))
    dt = np.exp(rng.uniform(np.log(1e-3), np.log(1e-1), H))
    ssm = lti_ops.Diagonal.siso(lam, b, c, conj_sym=True)
    return Case(
        f"diagonal zoh H={H} N={N} (conj_sym, dt per channel)",
        {
            OURS: lambda: lti_ops.discretize(ssm, dt, "zoh"),
            "numpy closed form": lambda: (np.exp(dt[:, None] * lam), (np.expm1(dt[:, None] * lam) / lam) * b),
            "scipy cont2discrete loop (dense)": lambda: [
                scipy.signal.cont2discrete((np.diag(lam[h]), b[h, :, None], c[h, None, :], np.zeros((1, 1))), dt[h])
                for h in range(H)
            ],
        },
        repeat=3,
    )


def cases(quick):
    return [*dense_cases(quick), diagonal_case(quick)]
