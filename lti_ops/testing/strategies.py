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

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without hypothesis
    msg = 'lti_ops.testing.strategies needs hypothesis: pip install "lti-ops[testing]"'
    raise ImportError(msg) from exc

from ..hippo import nplr, s4d_init
from ..systems import DPLR, Diagonal, StateSpace

__all__ = [
    "DPLR_SOURCES",
    "S4D_SOURCES",
    "dplr_parameters",
    "dplr_systems",
    "hope_parameters",
    "input_sequences",
    "s4d_parameters",
    "stable_diagonals",
    "stable_state_spaces",
    "timescales",
]

#: Sources of :func:`s4d_parameters`: S4D initializations of :func:`lti_ops.s4d_init` and
#: ``"random"`` stable modes.
S4D_SOURCES = ("lin", "inv", "legs", "real", "random")
#: Sources of :func:`dplr_parameters`: HiPPO measures of :func:`lti_ops.nplr` and ``"random"``.
DPLR_SOURCES = ("legs", "legt", "fout", "random")

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


# --------------------------------------------------------------------------- ML parameters


def _check_range(lo_name, lo, hi_name, hi):
    for name, value in ((lo_name, lo), (hi_name, hi)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < np.inf:
            msg = f"`{name}` must be a positive finite number; got {value!r}"
            raise ValueError(msg)
    if lo > hi:
        msg = f"`{lo_name}` must not exceed `{hi_name}`; got {lo!r} > {hi!r}"
        raise ValueError(msg)


def _check_sources(sources, valid):
    sources = (sources,) if isinstance(sources, str) else tuple(sources)
    bad = [s for s in sources if s not in valid]
    if not sources or bad:
        msg = f"`sources` must be a non-empty selection of {list(valid)}; got {list(sources)!r}"
        raise ValueError(msg)
    return sources


def timescales(H, *, dt_min=1e-3, dt_max=1e-1, xp=None, dtype="float64"):
    r"""Per-channel timescales Δ, log-uniform in ``[dt_min, dt_max]`` (S4's ``init_dt`` rule).

    Parameters
    ----------
    H : int or strategy of int
        Number of channels.
    dt_min, dt_max : float, optional
        Bounds; S4's defaults (1e-3, 1e-1).
    xp : namespace, optional
        Array namespace of the result (NumPy by default).
    dtype : str, optional
        Real dtype name.

    Returns
    -------
    strategy of array, shape (H,)
        :math:`\Delta_h = \Delta_{\min}(\Delta_{\max}/\Delta_{\min})^{u_h}` with
        :math:`u_h \in [0, 1]` drawn by hypothesis, so failing examples shrink towards
        :math:`\Delta = \Delta_{\min}`.

    Raises
    ------
    ValueError
        Non-positive or non-finite bounds, or ``dt_min > dt_max``.

    Examples
    --------
    >>> from hypothesis import given
    >>> from lti_ops.testing import strategies as lst
    >>> @given(lst.timescales(4))
    ... def test_in_range(dt):
    ...     assert dt.shape == (4,) and ((1e-3 <= dt) & (dt <= 1e-1 * (1 + 1e-12))).all()
    >>> test_in_range()
    """
    _check_range("dt_min", dt_min, "dt_max", dt_max)
    return _timescales(H, dt_min, dt_max, xp, dtype)


@st.composite
def _timescales(draw, H, dt_min, dt_max, xp, dtype):
    h = _draw(draw, H)
    u = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=h, max_size=h)), dtype=float)
    lo, hi = np.log(dt_min), np.log(dt_max)
    return _as(xp, np.exp(lo + u * (hi - lo)), dtype)


def _perturbed(draw, rng, lam, B, perturb):
    """(lam, B) with real parts scaled by exp(perturb z), imaginary parts and B by 1 + perturb z."""
    if not perturb or not draw(st.booleans()):
        return lam, B
    def z(complex_=False):
        return perturb * _gaussian(rng, lam.shape, complex_)
    lam = lam.real * np.exp(z()) + 1j * lam.imag * (1 + z())
    return lam, B * (1 + z(True))


def _s4d_draw(draw, H, N, sources, perturb):
    """(source, lam, B, C) as float64 NumPy arrays of shape (H, N)."""
    h, n = _draw(draw, H), _draw(draw, N)
    source = draw(st.sampled_from(sources))
    random_b = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if source == "random":
        lam = -rng.uniform(0.1, 5.0, (h, n)) + 1j * rng.uniform(-10.0, 10.0, (h, n))
        B = _gaussian(rng, (h, n), True) / np.sqrt(2) if random_b else np.ones((h, n), complex)
        C = _gaussian(rng, (h, n), True) / np.sqrt(2)
    else:
        sys = s4d_init(source, 2 * n, H=h, b_init="random" if random_b else None, rng=rng)
        lam, B, C = sys.lam, sys.B[..., 0], sys.C[..., 0, :]
    lam, B = _perturbed(draw, rng, lam, B, perturb)
    return source, lam, B, C


def s4d_parameters(*, H=st.integers(1, 3), N=st.integers(1, 8), sources=S4D_SOURCES,
                   perturb=0.1, xp=None, dtype="float64"):
    r"""S4D-style parameters ``(lam, B, C)`` of shape (H, N): the N listed modes of a
    conjugate-symmetric diagonal SSM per channel (``Diagonal.siso(lam, B, C, conj_sym=True)``).

    Modes come from the S4D initializations at their actual frequencies
    (:func:`lti_ops.s4d_init` with ``2 N`` states: ``"lin"`` :math:`-\tfrac12 - i\pi n`,
    ``"inv"``, ``"legs"`` the LegS normal-part spectrum, ``"real"`` :math:`-(n+1)`), or are
    ``"random"`` stable modes (real parts in [-5, -0.1], imaginary parts in [-10, 10]).
    B is the initialization's (ones, or LegS's :math:`V^HB`) or complex normal; C is complex
    normal. Half the examples are perturbed: real parts times :math:`e^{\delta}`, imaginary
    parts and B times :math:`1 + \delta`, with :math:`\delta` of standard deviation `perturb`
    (real parts keep their sign, so the modes stay stable).

    Parameters
    ----------
    H, N : int or strategy of int, optional
        Channels and listed modes (the full state size is 2N).
    sources : sequence of str, optional
        A selection of :data:`S4D_SOURCES`.
    perturb : float, optional
        Size of the perturbation (0 keeps the initializations exact).
    xp, dtype
        Namespace and precision of the (complex) result.

    Returns
    -------
    strategy of (lam, B, C)

    Raises
    ------
    ValueError
        Unknown sources or a negative `perturb`.

    Examples
    --------
    >>> from hypothesis import given
    >>> from lti_ops.testing import strategies as lst
    >>> @given(lst.s4d_parameters(H=2, N=4))
    ... def test_stable(params):
    ...     lam, B, C = params
    ...     assert lam.shape == B.shape == C.shape == (2, 4) and (lam.real < 0).all()
    >>> test_stable()
    """
    sources = _check_sources(sources, S4D_SOURCES)
    _check_perturb(perturb)
    return _s4d_parameters(H, N, sources, perturb, xp, dtype)


def _check_perturb(perturb):
    if not 0 <= perturb < np.inf:
        msg = f"`perturb` must be a non-negative finite number; got {perturb!r}"
        raise ValueError(msg)


@st.composite
def _s4d_parameters(draw, H, N, sources, perturb, xp, dtype):
    return tuple(_as(xp, x, dtype) for x in _s4d_draw(draw, H, N, sources, perturb)[1:])


def _dplr_draw(draw, H, N, sources, perturb):
    """(source, lam, P, B, C) as NumPy arrays; P of shape (H, r, N), the others (H, N)."""
    h, n = _draw(draw, H), _draw(draw, N)
    source = draw(st.sampled_from(sources))
    random_b = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    C = _gaussian(rng, (h, n), True) / np.sqrt(2)
    if source == "random":
        r = draw(st.integers(1, 2))
        lam = -rng.uniform(0.1, 5.0, (h, n)) + 1j * rng.uniform(-10.0, 10.0, (h, n))
        P = 0.3 * _gaussian(rng, (h, r, n), True)
        B = np.ones((h, n), complex)
    else:
        sys = nplr(source, 2 * n)
        lam = np.broadcast_to(sys.lam, (h, n))
        P = np.broadcast_to(np.swapaxes(sys.P, -1, -2), (h,) + sys.P.shape[::-1])
        B = np.broadcast_to(sys.B[:, 0], (h, n))
    if random_b:
        B = _gaussian(rng, (h, n), True) / np.sqrt(2)
    lam, B = _perturbed(draw, rng, lam, B, perturb)
    return source, lam, np.array(P), np.array(B), C


def dplr_parameters(*, H=st.integers(1, 3), N=st.integers(1, 8), sources=DPLR_SOURCES,
                    perturb=0.1, xp=None, dtype="float64"):
    r"""S4-style DPLR parameters ``(lam, P, B, C)``: per channel the N listed modes of
    :math:`A = \mathrm{diag}(\lambda) - PP^H` (conjugate-symmetric, as S4 stores it).

    ``lam``, ``B``, ``C`` have shape (H, N) and ``P`` shape (H, r, N) (rank r first, N last
    like the other parameters; ``lti_ops.DPLR`` wants ``P`` as (..., N, r)). Sources are
    HiPPO measures in their exact NPLR form (:func:`lti_ops.nplr` with 2N states: ``"legs"``
    and ``"fout"`` of rank 1, ``"legt"`` of rank 2) or ``"random"`` (stable diagonal part,
    rank 1 or 2, low-rank entries about 0.3). B is the measure's or complex normal, C complex
    normal; half the examples are perturbed as in :func:`s4d_parameters`.

    Parameters
    ----------
    H, N, perturb, xp, dtype
        As :func:`s4d_parameters`.
    sources : sequence of str, optional
        A selection of :data:`DPLR_SOURCES`.

    Returns
    -------
    strategy of (lam, P, B, C)

    Raises
    ------
    ValueError
        Unknown sources or a negative `perturb`.

    Examples
    --------
    >>> from hypothesis import given
    >>> from lti_ops.testing import strategies as lst
    >>> @given(lst.dplr_parameters(H=2, N=3, sources=["legs"]))
    ... def test_shapes(params):
    ...     lam, P, B, C = params
    ...     assert lam.shape == (2, 3) and P.shape == (2, 1, 3)
    >>> test_shapes()
    """
    sources = _check_sources(sources, DPLR_SOURCES)
    _check_perturb(perturb)
    return _dplr_parameters(H, N, sources, perturb, xp, dtype)


@st.composite
def _dplr_parameters(draw, H, N, sources, perturb, xp, dtype):
    return tuple(_as(xp, x, dtype) for x in _dplr_draw(draw, H, N, sources, perturb)[1:])


def input_sequences(shape, *, max_abs=1.0, xp=None, dtype="float64"):
    """Bounded real input sequences, time last: impulses, steps or uniform noise.

    Parameters
    ----------
    shape : tuple of int or strategies of int
        ``(..., L)``; L >= 1.
    max_abs : float, optional
        Bound on the values.
    xp, dtype
        Namespace and real dtype of the result.

    Returns
    -------
    strategy of array of `shape`
        An impulse or a step starting at a drawn time (amplitude `max_abs`, or uniform in
        ``[-max_abs, max_abs]`` per sequence), or values uniform in ``[-max_abs, max_abs]``.
        Failing examples shrink towards a unit-height impulse at time 0, for which a
        convolution returns its kernel.

    Raises
    ------
    ValueError
        A non-positive `max_abs`.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import given
    >>> from lti_ops.testing import strategies as lst
    >>> @given(lst.input_sequences((2, 16)))
    ... def test_bounded(u):
    ...     assert u.shape == (2, 16) and np.abs(u).max() <= 1.0
    >>> test_bounded()
    """
    if not 0 < max_abs < np.inf:
        msg = f"`max_abs` must be a positive finite number; got {max_abs!r}"
        raise ValueError(msg)
    return _input_sequences(tuple(shape), max_abs, xp, dtype)


@st.composite
def _input_sequences(draw, shape, max_abs, xp, dtype):
    shape = tuple(_draw(draw, s) for s in shape)
    # every style makes the same draws, so that shrinking (which prefers fewer draws)
    # ends at the first style: an impulse
    style = draw(st.sampled_from(("impulse", "step", "uniform")))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    start, random_amp = draw(st.integers(0, shape[-1] - 1)), draw(st.booleans())
    if style == "uniform":
        return _as(xp, rng.uniform(-max_abs, max_abs, shape), dtype)
    amp = rng.uniform(-max_abs, max_abs, shape[:-1] + (1,)) if random_amp else max_abs
    t = np.arange(shape[-1])
    u = amp * ((t == start) if style == "impulse" else (t >= start))
    return _as(xp, np.array(np.broadcast_to(u, shape)), dtype)
