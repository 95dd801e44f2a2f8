"""Discrete Hankel singular values of batches of systems against per-system SciPy and
SLICOT loops."""

import warnings

import numpy as np
import scipy.linalg

import lti_ops
from benchmarks._case import OURS, Case


def diagonal_systems(S, modes, rho=0.99, seed=0):
    """S stable discrete SISO conj_sym Diagonal systems of order 2 * modes, |lam| <= rho."""
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.05, rho, (S, modes)) * np.exp(1j * rng.uniform(0, np.pi, (S, modes)))
    B = rng.standard_normal((S, modes, 1)) + 1j * rng.standard_normal((S, modes, 1))
    C = rng.standard_normal((S, 1, modes)) + 1j * rng.standard_normal((S, 1, modes))
    return lti_ops.Diagonal(lam, B, C, dt=1.0, conj_sym=True)


def dense_systems(S, N, rho=0.9, seed=0):
    """S stable discrete SISO dense systems of order N, spectral radius rho."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((S, N, N))
    A *= rho / np.max(np.abs(np.linalg.eigvals(A)), axis=-1)[:, None, None]
    B, C = rng.standard_normal((S, N, 1)), rng.standard_normal((S, 1, N))
    return lti_ops.StateSpace(A, B, C, dt=1.0)


def scipy_hsv(A, B, C):
    """Loop of solve_discrete_lyapunov for P and Q, then sqrt(eig(P Q)), descending."""
    out = np.empty(A.shape[:2])
    for i in range(A.shape[0]):
        P = scipy.linalg.solve_discrete_lyapunov(A[i], B[i] @ B[i].T)
        Q = scipy.linalg.solve_discrete_lyapunov(A[i].T, C[i].T @ C[i])
        out[i] = np.sort(np.sqrt(np.abs(np.linalg.eigvals(P @ Q))))[::-1]
    return out


def slycot_hsv(A, B, C):
    """Loop of SLICOT AB09AD (discrete, balancing-free square root, order n): its HSVs."""
    import slycot

    S, n, m = B.shape
    p = C.shape[1]
    out = np.empty((S, n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", slycot.exceptions.SlycotResultWarning)
        for i in range(S):
            out[i] = slycot.ab09ad("D", "B", "N", n, m, p, A[i], B[i], C[i], nr=n)[-1]
    return out


def diagonal_case(quick):
    S, modes = (128, 32) if quick else (1024, 32)
    sys = diagonal_systems(S, modes)
    dense = sys.to_dense()
    A, B, C = (np.ascontiguousarray(np.real(x)) for x in (dense.A, dense.B, dense.C))
    return Case(
        f"HSVs of {S} discrete conj_sym Diagonal systems N={2 * modes}",
        {
            OURS: lambda: lti_ops.hankel_singular_values(sys),
            "scipy solve_discrete_lyapunov loop": lambda: scipy_hsv(A, B, C),
        },
        bars={"scipy solve_discrete_lyapunov loop": 5},
        repeat=5,
    )


def dense_case(quick):
    S, N = (16, 64) if quick else (64, 64)
    sys = dense_systems(S, N)
    A, B, C = sys.A, sys.B, sys.C
    return Case(
        f"HSVs of {S} dense discrete systems N={N}",
        {
            OURS: lambda: lti_ops.hankel_singular_values(sys),
            "slycot ab09ad loop": lambda: slycot_hsv(A, B, C),
        },
        bars={"slycot ab09ad loop": 2},
        repeat=3,
    )


def cases(quick):
    return [diagonal_case(quick), dense_case(quick)]
