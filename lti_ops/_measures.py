"""The HiPPO measures as data: state matrices, low-rank corrections and endpoint C vectors.

Every builder returns NumPy float64 arrays (the matrices are constants of N and a few
parameters); :mod:`lti_ops.hippo` converts them to the caller's namespace, dtype and device.
Formulas follow the S4 code (papers.md §2.1-2.2); indices n, k = 0 ... N-1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["MEASURES", "ALIASES", "Measure"]


def _index(N):
    n = np.arange(N, dtype=np.float64)
    return n[:, None], n[None, :]


def _legs(N):
    row, col = _index(N)
    r = np.sqrt(2 * np.arange(N) + 1.0)
    A = np.where(row > col, -np.outer(r, r), 0.0) - np.diag(np.arange(N) + 1.0)
    return A, r


def _legt_window1(N):
    row, col = _index(N)
    r = np.sqrt(2 * np.arange(N) + 1.0)
    sign = np.where(row >= col, 1.0, (-1.0) ** (row - col))
    return -np.outer(r, r) * sign, r


def _legt(N):
    A, B = _legt_window1(N)
    return A / 2, B / 2


def _lmu(N):
    row, col = _index(N)
    R = 2 * np.arange(N) + 1.0
    A = np.where(row < col, -1.0, (-1.0) ** (row - col + 1)) * R[:, None]
    return A, (-1.0) ** np.arange(N) * R


def _lagt(N, beta=1.0):
    return np.eye(N) / 2 - np.tril(np.ones((N, N))), beta * np.ones(N)


def _tlagt(N, beta=1.0):
    return (1 - beta) / 2 * np.eye(N) - np.tril(np.ones((N, N))), beta * np.ones(N)


def _glagt(N, alpha=0.0, beta=0.01):
    n = np.arange(N)
    A = -np.eye(N) * (1 + beta) / 2 - np.tril(np.ones((N, N)), -1)
    lg = np.vectorize(math.lgamma)
    binom = np.exp(lg(alpha + n + 1.0) - lg(n + 1.0) - math.lgamma(alpha + 1))
    L = np.exp(0.5 * (lg(n + alpha + 1.0) - lg(n + 1.0)))
    A = A * L[None, :] / L[:, None]
    B = binom / L * math.exp(-0.5 * math.lgamma(1 - alpha)) * beta ** ((1 - alpha) / 2)
    return A, B


def _fourier_b(N):
    B = np.zeros(N)
    B[0::2] = math.sqrt(2)
    B[0] = 1.0
    return B


def _fourier_skew(N, omega):
    """Skew matrix with blocks [[0, -omega m], [omega m, 0]] on the pairs (2m, 2m+1)."""
    S = np.zeros((N, N))
    m = np.arange(N // 2)
    S[2 * m, 2 * m + 1] = -omega * m
    S[2 * m + 1, 2 * m] = omega * m
    return S


def _fout(N):
    B = _fourier_b(N)
    return _fourier_skew(N, math.pi) - np.outer(B, B), B


def _fout_window1(N):
    B = _fourier_b(N)
    return _fourier_skew(N, 2 * math.pi) - 2 * np.outer(B, B), 2 * B


def _foud(N):
    return _fourier_skew(N, 2 * math.pi) - 0.5 * np.eye(N), _fourier_b(N)


def _fourier_decay(N):
    B = _fourier_b(N)
    return _fourier_skew(N, math.pi) - 0.5 * np.outer(B, B), B / 2


def _legsd(N):
    A, B = _legs(N)
    return A + 0.5 * np.outer(B, B), B / 2


# --------------------------------------------------------------------------- corrections


def _legs_p(N):
    return np.sqrt(np.arange(N) + 0.5)[:, None]


def _legt_p(N, scale=1 / math.sqrt(2)):
    r = scale * np.sqrt(2 * np.arange(N) + 1.0)
    odd, even = r.copy(), r.copy()
    odd[0::2], even[1::2] = 0.0, 0.0
    return np.stack([odd, even], axis=-1)


def _laguerre_p(N, **params):
    if params.get("alpha", 0.0) != 0.0:
        msg = (
            f"glagt with alpha={params['alpha']!r} has no normal-plus-low-rank form (its "
            "diagonal rescaling is not orthogonal); only alpha=0 has one"
        )
        raise ValueError(msg)
    return math.sqrt(0.5) * np.ones((N, 1))


def _zero_p(N):
    return np.zeros((N, 1))


def _legt_endpoint(N):
    return np.sqrt(2 * np.arange(N) + 1.0) * (-1.0) ** np.arange(N)


@dataclass(frozen=True)
class Measure:
    """One HiPPO measure: its (A, B) builder, parameters, rank correction and endpoint C."""

    build: object
    params: dict = field(default_factory=dict)
    even: bool = False
    correction: object = None
    endpoint: object = None


MEASURES = {
    "legs": Measure(_legs, correction=_legs_p),
    "legt": Measure(_legt, correction=_legt_p, endpoint=_legt_endpoint),
    "legt_window1": Measure(
        _legt_window1, correction=lambda N: _legt_p(N, 1.0), endpoint=_legt_endpoint
    ),
    "lmu": Measure(_lmu),
    "lagt": Measure(_lagt, {"beta": 1.0}, correction=lambda N, beta=1.0: _laguerre_p(N)),
    "tlagt": Measure(_tlagt, {"beta": 1.0}, correction=lambda N, beta=1.0: _laguerre_p(N)),
    "glagt": Measure(
        _glagt, {"alpha": 0.0, "beta": 0.01},
        correction=lambda N, alpha=0.0, beta=0.01: _laguerre_p(N, alpha=alpha),
    ),
    "fout": Measure(_fout, even=True, correction=lambda N: _fourier_b(N)[:, None], endpoint=_fourier_b),
    "fout_window1": Measure(
        _fout_window1, even=True, correction=lambda N: math.sqrt(2) * _fourier_b(N)[:, None],
        endpoint=_fourier_b,
    ),
    "foud": Measure(_foud, even=True, correction=_zero_p),
    "fourier_decay": Measure(
        _fourier_decay, even=True, correction=lambda N: _fourier_b(N)[:, None] / math.sqrt(2)
    ),
    "legsd": Measure(_legsd, correction=_zero_p),
}

# the S4 code's names for the same measures
ALIASES = {"fourier": "fout", "fourier_diag": "foud", "fourier2": "fout_window1"}
