"""Hypothesis strategies for LTI systems, for testing lti_ops and your own SSM code.

Every strategy draws sizes and a seed with hypothesis, builds the system with NumPy in
float64 from that seed (so examples are reproducible and bounded), and converts it to the
requested namespace and dtype. Bounds are explicit: a stability margin, a largest decay
rate and frequency, and a largest condition number of the eigenvector matrix, so that
identity tests can use honest ``c * n * eps * cond`` tolerances.

Examples
--------
>>> from hypothesis import given
>>> from lti_ops.testing import strategies as lst
>>> @given(lst.stable_state_spaces(n_states=3))
... def test_poles_are_stable(sys):
...     assert bool(sys.is_stable())
>>> test_poles_are_stable()
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..systems import DPLR, Diagonal, StateSpace

__all__ = [
    "dplr_systems",
    "hope_parameters",
    "stable_diagonals",
    "stable_state_spaces",
]

_SIZES = st.integers(1, 4)


def _as(xp, x, dtype):
    """`x` (NumPy) as an array of namespace `xp` with the dtype named `dtype`."""
    xp = np if xp is None else xp
    name = dtype
    if np.iscomplexobj(x) and not dtype.startswith("complex"):
        name = "complex64" if dtype == "float32" else "complex128"
    return xp.asarray(np.asarray(x, dtype=name))


def _draw(draw, value):
    return draw(value) if isinstance(value, st.SearchStrategy) else value


def _spectrum(rng, n, margin, max_rate, max_freq, real):
    """n stable eigenvalues; for `real`, complex ones come in conjugate pairs."""
    n_pairs = rng.integers(0, n // 2 + 1) if real else n
    rates = -rng.uniform(margin, max_rate, size=n)
    freqs = rng.uniform(-max_freq, max_freq, size=n)
    if not real:
        return rates + 1j * freqs
    lam = rates.astype(complex)
    lam[: 2 * n_pairs : 2] += 1j * np.abs(freqs[:n_pairs])
    lam[1 : 2 * n_pairs : 2] = np.conj(lam[: 2 * n_pairs : 2])
    return lam


def _real_block_diag(lam):
    """Real matrix with eigenvalues `lam` (conjugate pairs adjacent) in 2x2-block form."""
    n = lam.size
    A = np.diag(lam.real)
    for k in range(n - 1):
        if lam[k].imag > 0 and np.isclose(lam[k + 1], np.conj(lam[k])):
            A[k, k + 1], A[k + 1, k] = lam[k].imag, -lam[k].imag
    return A


def _conditioned_basis(rng, n, max_cond, complex_):
    """Matrix U diag(s) W with orthogonal/unitary U, W and cond <= max_cond."""
    def unitary():
        z = rng.standard_normal((n, n)) + (1j * rng.standard_normal((n, n)) if complex_ else 0)
        q, r = np.linalg.qr(z)
        return q * (np.diag(r) / np.abs(np.diag(r)))

    s = np.exp(rng.uniform(0, np.log(max_cond), size=n))
    return unitary() @ np.diag(s) @ unitary()


def _gaussian(rng, shape, complex_):
    x = rng.standard_normal(shape)
    return x + 1j * rng.standard_normal(shape) if complex_ else x


@st.composite
def stable_state_spaces(
    draw,
    *,
    xp=None,
    dtype="float64",
    n_states=_SIZES,
    n_inputs=_SIZES,
    n_outputs=_SIZES,
    batch_shape=(),
    complex_=False,
    margin=0.1,
    max_rate=5.0,
    max_freq=5.0,
    max_cond=10.0,
):
    """Stable continuous dense systems ``StateSpace(A, B, C, D)``.

    Eigenvalues have real parts in ``[-max_rate, -margin]`` and imaginary parts in
    ``[-max_freq, max_freq]`` (conjugate pairs for real systems); ``A = V Λ V^{-1}`` with
    ``cond(V) <= max_cond``. Sizes and the batch shape may be ints/tuples or strategies.
    """
    n, m, p = (_draw(draw, v) for v in (n_states, n_inputs, n_outputs))
    batch = tuple(_draw(draw, batch_shape))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    A = np.empty(batch + (n, n), dtype=complex if complex_ else float)
    for idx in np.ndindex(*batch):
        lam = _spectrum(rng, n, margin, max_rate, max_freq, real=not complex_)
        core = np.diag(lam) if complex_ else _real_block_diag(lam)
        V = _conditioned_basis(rng, n, max_cond, complex_)
        A[idx] = V @ core @ np.linalg.inv(V)
    B = _gaussian(rng, batch + (n, m), complex_)
    C = _gaussian(rng, batch + (p, n), complex_)
    D = _gaussian(rng, batch + (p, m), complex_)
    return StateSpace(*(_as(xp, x, dtype) for x in (A, B, C, D)))


@st.composite
def stable_diagonals(
    draw,
    *,
    xp=None,
    dtype="float64",
    n_modes=_SIZES,
    n_inputs=_SIZES,
    n_outputs=_SIZES,
    batch_shape=(),
    conj_sym=False,
    margin=0.1,
    max_rate=5.0,
    max_freq=5.0,
):
    """Stable continuous ``Diagonal`` systems with complex modes (and a real D when
    `conj_sym`). Bounds as in :func:`stable_state_spaces`."""
    n, m, p = (_draw(draw, v) for v in (n_modes, n_inputs, n_outputs))
    batch = tuple(_draw(draw, batch_shape))
    cs = _draw(draw, conj_sym)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    lam = -rng.uniform(margin, max_rate, batch + (n,)) + 1j * rng.uniform(-max_freq, max_freq, batch + (n,))
    B = _gaussian(rng, batch + (n, m), True)
    C = _gaussian(rng, batch + (p, n), True)
    D = _gaussian(rng, batch + (p, m), not cs)
    return Diagonal(*(_as(xp, x, dtype) for x in (lam, B, C, D)), conj_sym=cs)


def _max_real_pole(diag, P, Q):
    sys = DPLR(diag.lam, P, Q, diag.B, diag.C, diag.D, conj_sym=diag.conj_sym)
    return float(np.max(np.linalg.eigvals(sys.to_dense().A).real))


@st.composite
def dplr_systems(
    draw,
    *,
    xp=None,
    dtype="float64",
    n_modes=_SIZES,
    rank=st.integers(1, 2),
    n_inputs=_SIZES,
    n_outputs=_SIZES,
    batch_shape=(),
    conj_sym=False,
    low_rank_scale=0.3,
    margin=0.1,
    max_rate=5.0,
    max_freq=5.0,
    stable=False,
):
    """Continuous ``DPLR`` systems: a stable diagonal part plus a low-rank term of entries of
    size about `low_rank_scale`. The full system need not be stable unless `stable`: then
    the low-rank term is halved until every pole has real part at most ``-margin / 2``."""
    diag = draw(stable_diagonals(
        dtype="float64", n_modes=n_modes, n_inputs=n_inputs, n_outputs=n_outputs,
        batch_shape=batch_shape, conj_sym=conj_sym, margin=margin, max_rate=max_rate,
        max_freq=max_freq,
    ))
    r = _draw(draw, rank)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = diag.lam.shape + (r,)
    P = low_rank_scale * _gaussian(rng, shape, True)
    Q = low_rank_scale * _gaussian(rng, shape, True)
    while stable and _max_real_pole(diag, P, Q) > -margin / 2:
        P, Q = P / 2, Q / 2  # terminates: the diagonal part alone has margin `margin`
    fields = (diag.lam, P, Q, diag.B, diag.C, diag.D)
    return DPLR(*(_as(xp, x, dtype) for x in fields), conj_sym=diag.conj_sym)


@st.composite
def hope_parameters(
    draw,
    *,
    xp=None,
    dtype="float64",
    n=st.integers(1, 16),
    batch_shape=(),
    dt_min=0.1,
    dt_max=10.0,
    per_channel=True,
    complex_=True,
    scale=1.0,
):
    """HOPE parameters ``(h, dt)``: Markov parameters ``h`` of shape ``batch_shape + (n,)``
    and timescales Δ.

    ``h`` is Gaussian (complex normal with ``E|h_k|^2 = scale**2 / n`` for `complex_`, so
    ``||h||_2`` is about `scale` whatever n is). Δ is log-uniform in ``[dt_min, dt_max]``:
    a Python float when the batch is empty or ``per_channel=False``, otherwise an array of
    the batch shape (one Δ per channel) of the real dtype named `dtype`. Sizes and the
    batch shape may be ints/tuples or strategies.
    """
    size = _draw(draw, n)
    batch = tuple(_draw(draw, batch_shape))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    cplx = _draw(draw, complex_)
    h = _gaussian(rng, batch + (size,), cplx) * (scale / np.sqrt(size * (2 if cplx else 1)))
    lo, hi = np.log(dt_min), np.log(dt_max)
    if per_channel and batch:
        dt = _as(xp, np.exp(rng.uniform(lo, hi, size=batch)), dtype)
    else:
        dt = float(np.exp(rng.uniform(lo, hi)))
    return _as(xp, h, dtype), dt
