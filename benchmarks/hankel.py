"""Discrete Hankel singular values of batches of systems against per-system SciPy and
SLICOT loops."""

import math
import os
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


def numpy_diagonal_hsv(lam, b, c):
    """Batched NumPy: closed-form complex Gramians P = b b^H / (1 - lam lam^H) (and Q alike),
    Cholesky factors, then the singular values of Lq^H Lp. lam, b, c: (S, N) with the
    conjugate modes written out."""
    P = b[:, :, None] * np.conj(b)[:, None, :] / (1 - lam[:, :, None] * np.conj(lam)[:, None, :])
    Q = np.conj(c)[:, :, None] * c[:, None, :] / (1 - np.conj(lam)[:, :, None] * lam[:, None, :])
    Lp, Lq = _shifted_cholesky(P), _shifted_cholesky(Q)
    return np.linalg.svd(np.conj(np.swapaxes(Lq, -1, -2)) @ Lp, compute_uv=False)


def _shifted_cholesky(X):
    """Cholesky factors of X + n eps max|X| I: Gramians are numerically semidefinite."""
    n = X.shape[-1]
    shift = n * np.finfo(np.float64).eps * np.max(np.abs(X), axis=(-2, -1), keepdims=True)
    return np.linalg.cholesky(X + shift * np.eye(n))


def numpy_dense_hsv(A, B, C, doublings=30):
    """Batched NumPy: the squared Smith iteration X <- X + A_k X A_k^T, A_k <- A_k^2 for both
    Gramians (stopped when the update is below eps), Cholesky, singular values."""
    P, Q = B @ np.swapaxes(B, -1, -2), np.swapaxes(C, -1, -2) @ C
    Ak, At = A, np.swapaxes(A, -1, -2)
    for _ in range(doublings):
        dP, dQ = Ak @ P @ np.swapaxes(Ak, -1, -2), At @ Q @ np.swapaxes(At, -1, -2)
        P, Q = P + dP, Q + dQ
        if max(np.max(np.abs(dP)) / np.max(np.abs(P)), np.max(np.abs(dQ)) / np.max(np.abs(Q))) < 1e-16:
            break
        Ak, At = Ak @ Ak, At @ At
    Lp, Lq = _shifted_cholesky(P), _shifted_cholesky(Q)
    return np.linalg.svd(np.swapaxes(Lq, -1, -2) @ Lp, compute_uv=False)


def hsv_flops(S, n):
    """Useful flops of S square-root HSV computations of order n: two Cholesky factors
    (n^3/3 each), the triangular product (n^3/3) and a values-only SVD (8n^3/3, the
    bidiagonalization), Gramians left out: 11 n^3 / 3 per system."""
    return S * 11 * n**3 / 3


def smith_flops(S, n, rho):
    """Flops of the squared Smith iteration for both Gramians of S systems of order n and
    spectral radius rho: per doubling A_k^2 (2n^3) and A_k X A_k^T for P and Q (8n^3),
    until rho^(2^d) < eps."""
    doublings = math.ceil(math.log2(math.log(np.finfo(np.float64).eps) / math.log(rho)))
    return S * doublings * 10 * n**3


def svd_share(S, n):
    """A roofline note: seconds of LAPACK's values-only SVD alone on S n x n float64
    matrices (NumPy's batched gesdd loop), the floor of any square-root HSV method."""
    import time

    X = np.random.default_rng(0).standard_normal((S, n, n))
    np.linalg.svd(X, compute_uv=False)
    start = time.perf_counter()
    np.linalg.svd(X, compute_uv=False)
    seconds = time.perf_counter() - start
    cores = os.cpu_count() or 1
    return (f"LAPACK's values-only SVD of {S} matrices {n} x {n} alone takes {seconds * 1e3:.0f} ms "
            f"on one core ({S * 8 * n**3 / 3 / seconds / 1e9:.1f} GFLOP/s: Householder bidiagonalization "
            f"is half matrix-vector products, memory-bound at this size), a floor of "
            f"{seconds / cores * 1e3:.0f} ms on {cores} cores for any square-root method, which the "
            "kernel runs per system: it is bounded by that SVD, not by the FMA peak.")


def diagonal_case(quick):
    S, modes = (128, 32) if quick else (1024, 32)
    sys = diagonal_systems(S, modes)
    dense = sys.to_dense()
    A, B, C = (np.ascontiguousarray(np.real(x)) for x in (dense.A, dense.B, dense.C))
    full = lambda x: np.concatenate([x, np.conj(x)], axis=-1)  # noqa: E731
    lam, b, c = full(sys.lam), full(sys.B[..., 0]), full(sys.C[..., 0, :])
    n = 2 * modes
    return Case(
        f"HSVs of {S} discrete conj_sym Diagonal systems N={n}",
        {
            OURS: lambda: lti_ops.hankel_singular_values(sys),
            "numpy batched Cholesky + SVD": lambda: numpy_diagonal_hsv(lam, b, c),
            "slycot ab09ad loop": lambda: slycot_hsv(A, B, C),
            "scipy solve_discrete_lyapunov loop": lambda: scipy_hsv(A, B, C),
        },
        bars={"scipy solve_discrete_lyapunov loop": 5},
        repeat=5,
        work=hsv_flops(S, n),
        peak="fma_f64",
        roofline=svd_share(S, n),
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
            "numpy batched squared Smith + SVD": lambda: numpy_dense_hsv(A, B, C),
        },
        bars={"slycot ab09ad loop": 2},
        repeat=3,
        work=hsv_flops(S, N) + smith_flops(S, N, rho=0.9),
        peak="fma_f64",
    )


def cases(quick):
    return [diagonal_case(quick), dense_case(quick)]
