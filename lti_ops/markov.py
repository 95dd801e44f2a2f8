r"""Markov parameters and SSM convolution kernels of state-space systems.

Two conventions, both named, never mixed:

* :func:`markov_parameters` — control: :math:`h_0 = D`, :math:`h_k = C\bar A^{k-1}\bar B`;
* :func:`ssm_kernel` — S4: :math:`K_k = C\bar A^k \bar B` for k = 0 ... L-1 (D apart), so
  :math:`K_k = h_{k+1}`.

Each structure has its own algorithm, none an L-step Python loop and none holding an
``(..., N, L)`` array whole (they work in chunks of time):

* ``Diagonal``: the Vandermonde form :math:`K_l = \sum_n C_n\bar B_n \exp(l\log\bar\lambda_n)`
  (no repeated powers, so float32 phase error stays :math:`O(|l\log\bar\lambda|\,\epsilon)`);
* ``DPLR``: S4's algorithm — the truncated generating function
  :math:`\sum_{k<L}K_k\omega^k = \tilde C(I - \bar A\omega)^{-1}\bar B` with
  :math:`\tilde C = C(I - \bar A^L)`, evaluated at the roots of unity by Cauchy sums and
  Woodbury (rank 1, 2 and r), then an inverse (real) FFT;
* ``StateSpace``: doubling — a Krylov block :math:`[\bar B, \bar A\bar B, \ldots]` of c columns by
  squaring, then rows :math:`C\bar A^{jc}`: :math:`O(N^3\log c + N^2 L)` work, L/c steps.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from . import _cauchy, _checks, _dispatch, _xp
from ._blockwise import batched
from .discretize import METHODS, _with_step, discretize
from .systems import DPLR, Diagonal, StateSpace

__all__ = ["c_from_c_tilde", "c_tilde", "double_c_tilde", "markov_parameters", "ssm_kernel"]

KERNEL_METHODS = METHODS + ("dss",)


# --------------------------------------------------------------------------- public


@batched(dt=0)
def ssm_kernel(sys, L, *, dt=None, method=None, c_is_tilde=False, kernel="auto"):
    r"""S4-convention kernel :math:`K_k = C\bar A^k\bar B`, k = 0 ... L-1.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        A discrete system is used as it is. A continuous one needs `dt` and `method` and is
        discretized in its structure (see the module docstring).
    L : int
        Kernel length.
    dt : float or array, optional
        Step for a continuous `sys` (an array broadcasts over the batch).
    method : str, optional
        For a continuous `sys`: any method of :func:`lti_ops.discretize`, or ``"dss"`` for a
        continuous ``Diagonal`` (S4D's DSS normalization,
        :math:`K_l = \sum_n C_nB_n\frac{e^{x_n}-1}{\lambda_n(e^{Lx_n}-1)}e^{lx_n}`,
        :math:`x = \Delta\lambda`; like the S4 code it sums Re, not 2·Re, for ``conj_sym``).
    c_is_tilde : bool, optional
        The system's C holds S4's :math:`\tilde C = C(I - \bar A^L)` for this L (as S4 stores
        it): a DPLR kernel then skips forming it; other structures recover C first.
        A DPLR whose :math:`\bar A` has an eigenvalue at an L-th root of unity makes the
        generating function singular at that node; the kernel is then computed by the dense
        doubling form, which is exact (with `c_is_tilde` it raises instead).
    kernel : {"auto", "xp", "numba", "cupy"}, optional
        Implementation (see :mod:`lti_ops._dispatch`); ``"xp"`` is the reference.

    Returns
    -------
    array, shape (..., P, M, L)
        Real for real systems and ``conj_sym`` systems (2·Re of the half sum), complex
        otherwise; same namespace and device, dtype of the (promoted) system.

    Raises
    ------
    ValueError
        Bad `L`; `dt`/`method` missing for a continuous system or given for a discrete one;
        ``"dss"`` for a non-Diagonal system or one with a zero mode; a non-finite entry of
        the system (named, e.g. ``sys.lam``); `c_is_tilde` with an eigenvalue of
        :math:`\bar A` at an L-th root of unity (C cannot be recovered).
    TypeError
        `sys` is not a system; `c_is_tilde` is not a bool.

    Notes
    -----
    Identities checked in ``tests/test_markov.py``: kernel = recurrence; ``K_k = h_{k+1}``;
    the prefix property ``kernel(L)[..., :l] == kernel(l)``; dense = diagonal = DPLR for the
    same system; DFT of the kernel = truncated generating function at the roots of unity;
    Vandermonde = powering; batch = loop; float32 bounds at L = 16384.

    References
    ----------
    .. [1] A. Gu, K. Goel, C. Re, "Efficiently Modeling Long Sequences with Structured State
       Spaces", ICLR 2022, Algorithm 1.
    .. [2] A. Gu, K. Goel, A. Gupta, C. Re, "On the Parameterization and Initialization of
       Diagonal State Space Models", NeurIPS 2022 (Vandermonde kernels).

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.Diagonal.siso(np.array([0.5]), np.array([1.0]), np.array([2.0]), dt=1.0)
    >>> lti_ops.ssm_kernel(sys, 4)[0, 0]
    array([2.  , 1.  , 0.5 , 0.25])
    """
    L = _checks.positive_int("L", L)
    if not isinstance(c_is_tilde, bool):
        msg = f"`c_is_tilde` must be True or False; got {c_is_tilde!r}"
        raise TypeError(msg)
    disc, exponents = _discrete(sys, dt, method)
    if c_is_tilde and not isinstance(disc, DPLR):
        disc = c_from_c_tilde(disc, L)
    xp = disc.xp
    _dispatch.check(kernel, xp)
    if isinstance(disc, Diagonal):
        body = _dispatch.resolve("ssm_kernel_diagonal", kernel, xp, _diagonal_kernel)
        return body(xp, disc, L, exponents)
    if isinstance(disc, DPLR):
        body = _dispatch.resolve("ssm_kernel_dplr", kernel, xp, _dplr_kernel)
        return body(xp, disc, L, c_is_tilde)
    return _dense_kernel(xp, disc, L)


@batched(dt=0)
def markov_parameters(sys, L, *, dt=None, method=None, kernel="auto"):
    r"""Control-convention Markov parameters :math:`h_0 = D`, :math:`h_k = C\bar A^{k-1}\bar B`.

    Parameters
    ----------
    sys, dt, method, kernel
        As :func:`ssm_kernel` (``"dss"`` excluded: it has no D convention).
    L : int
        Number of parameters, :math:`h_0 \ldots h_{L-1}`.

    Returns
    -------
    array, shape (..., P, M, L)
        Unit-height impulse response (``scipy.signal.dimpulse``'s scaling; python-control
        and MATLAB divide by dt for discrete systems).

    Raises
    ------
    ValueError
        As :func:`ssm_kernel`.

    Notes
    -----
    :math:`h_{k+1} = K_k`, checked in the tests, with :math:`G(z) = \sum_k h_k z^{-k}` and
    agreement with ``scipy.signal.dimpulse``.

    References
    ----------
    .. [1] C.-T. Chen, *Linear System Theory and Design*, 3rd ed., Oxford, 1999, sec. 7.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.StateSpace(np.array([[0.5]]), np.array([[1.0]]), np.array([[2.0]]), np.array([[3.0]]), dt=1.0)
    >>> lti_ops.markov_parameters(sys, 4)[0, 0]
    array([3. , 2. , 1. , 0.5])
    """
    L = _checks.positive_int("L", L)
    if method == "dss":
        msg = "`method` 'dss' has no markov_parameters form (no D convention); use ssm_kernel(..., method='dss')"
        raise ValueError(msg)
    disc, _ = _discrete(sys, dt, method)
    xp = disc.xp
    D = xp.astype(disc.D, _kernel_dtype(xp, disc))[..., None]
    if L == 1:
        return xp.broadcast_to(D, disc.batch_shape + D.shape[-3:])
    K = ssm_kernel(disc, L - 1, kernel=kernel)
    D = xp.broadcast_to(D, K.shape[:-1] + (1,))
    return xp.concat([D, K], axis=-1)


@batched()
def c_tilde(sys, L):
    r"""The discrete system with C replaced by S4's :math:`\tilde C = C(I - \bar A^L)`.

    Raises ``TypeError`` for a non-system, ``ValueError`` for a continuous `sys`, non-finite
    entries or an `L` that is not a positive integer (as do the two functions below).
    """
    L = _discrete_only(sys, L)
    return replace_c(sys, sys.C - _times_power(sys, sys.C, L))


@batched()
def c_from_c_tilde(sys, L):
    r"""Inverse of :func:`c_tilde`: :math:`C = \tilde C(I - \bar A^L)^{-1}`.

    Ill-conditioned when :math:`\bar A` has eigenvalues near the L-th roots of unity.
    """
    L = _discrete_only(sys, L)
    return replace_c(sys, _times_inverse_of(sys, L))


@batched()
def double_c_tilde(sys, L):
    r""":math:`\tilde C_{2L} = \tilde C_L (I + \bar A^L)`: S4's length doubling."""
    L = _discrete_only(sys, L)
    return replace_c(sys, sys.C + _times_power(sys, sys.C, L))


# --------------------------------------------------------------------------- helpers


def check_system(sys):
    """``TypeError`` unless `sys` is a system; ``ValueError`` naming a non-finite field."""
    if not isinstance(sys, (StateSpace, Diagonal, DPLR)):
        msg = f"`sys` must be a StateSpace, Diagonal or DPLR system; got {type(sys).__name__}"
        raise TypeError(msg)
    fields = {f"sys.{name}": getattr(sys, name) for name in sys._CORE}
    _checks.all_finite(**fields, **{"sys.dt": sys.dt})


def _discrete_only(sys, L):
    """The checks of the C~ helpers: a finite discrete system and L >= 1 (as an int)."""
    check_system(sys)
    L = _checks.positive_int("L", L)
    _checks.same_time_domain("sys", sys, continuous=False)
    return L


def replace_c(sys, C):
    """A copy of `sys` with output matrix `C`."""
    from dataclasses import replace

    return replace(sys, C=C)


class Exponents(NamedTuple):
    """The exponents x = Δλ of a continuous Diagonal sampled by ``zoh`` or ``dss``.

    The Vandermonde kernels raise λ̄ = e^x to the l-th power as e^{lx}: from x rounded once
    to working precision the phase error at step l is l|x|ε, where the log of a rounded
    λ̄ would give lε (in float32 at l = 4096, small Δ, about 100x worse).
    """

    x: Any
    lam: Any  # the continuous modes (DSS divides by them)
    dss: bool  # the S4D DSS weights e^{lx}/(e^{Lx} - 1) and its Re (not 2 Re) output


def _discrete(sys, dt, method):
    """(discrete system, :class:`Exponents` or None) from the arguments of :func:`ssm_kernel`."""
    check_system(sys)
    if sys.dt is not None:
        if dt is not None or method is not None:
            msg = f"`sys` is discrete (dt={sys.dt!r}); `dt` and `method` are only for continuous systems"
            raise ValueError(msg)
        return sys, None
    if dt is None or method is None:
        msg = "a continuous `sys` needs `dt` and `method` (e.g. dt=0.01, method='zoh')"
        raise ValueError(msg)
    method = _checks.choice("method", method, KERNEL_METHODS)
    if method == "zoh" and isinstance(sys, Diagonal):
        return _zoh_system(sys, dt)
    if method != "dss":
        return discretize(sys, dt, method), None
    if not isinstance(sys, Diagonal):
        msg = f"method='dss' needs a Diagonal system; got {type(sys).__name__}"
        raise ValueError(msg)
    return _dss_system(sys, dt)


def _kernel_dtype(xp, sys):
    """Real for real and conj_sym systems, else the system's (complex) dtype."""
    if getattr(sys, "conj_sym", False):
        return _xp.real_dtype(xp, sys.dtype)
    return sys.dtype


def _output_real(xp, sys):
    return getattr(sys, "conj_sym", False) or not _xp.is_complex(xp, sys.dtype)


# --------------------------------------------------------------------------- Diagonal


def _exponents(sys, dt):
    """(sys promoted with dt, its step, x = dt lam, lam) in the system's complex dtype."""
    sys, dt = _with_step(sys, _checks.sampling_time(dt, allow_none=False))
    xp = sys.xp
    lam = xp.astype(sys.lam, _xp.complex_dtype(xp, sys.dtype))
    return sys, dt, (dt[..., None] if hasattr(dt, "shape") else dt) * lam, lam


def _zoh_system(sys, dt):
    """(:func:`discretize` (zoh) of the Diagonal, its exact exponents)."""
    _, _, x, lam = _exponents(sys, dt)
    return discretize(sys, dt, "zoh"), Exponents(x, lam, False)


def _dss_system(sys, dt):
    """(zoh-like discrete Diagonal with lam = e^x, its exponents) for the DSS kernel."""
    sys, dt, x, lam = _exponents(sys, dt)
    xp = sys.xp
    if _xp.can_read_values(sys.lam) and bool(xp.any(sys.lam == 0)):
        raise ValueError("method='dss' needs nonzero modes (its normalization divides by lam)")
    disc = Diagonal(xp.exp(x), sys.B, sys.C, sys.D, dt=dt, conj_sym=sys.conj_sym)
    return disc, Exponents(x, lam, True)


def _diagonal_kernel(xp, disc, L, exponents):
    W, logs, offset = vandermonde_terms(xp, disc, L, exponents)
    K = _vandermonde(xp, W, logs, L, disc.lam == 0, offset)
    if exponents is not None and exponents.dss and disc.conj_sym:
        return xp.real(K)  # the S4 code's DSS sums Re, not 2 Re
    return _finish(xp, disc, K)


def vandermonde_terms(xp, disc, L, exponents):
    """(W, logs, shift) of the diagonal kernel, for the reference and the engines alike:
    ``K_l = sum_n W[..., p, m, n] exp((l - shift_n) logs_n)``, W (..., P, M, N) = C_n B_n,
    logs (..., N) = log(lam_bar) or the :class:`Exponents` x = dt lam where given, shift
    None; for DSS the scaled weights and the exponent offsets of :func:`_dss_weights`."""
    logs = _safe_log(xp, disc.lam) if exponents is None else exponents.x
    W = disc.C[..., :, None, :] * xp.matrix_transpose(disc.B)[..., None, :, :]  # (..., P, M, N)
    W, shift = xp.astype(W, logs.dtype), None
    if exponents is not None and exponents.dss:
        scale, shift = _dss_weights(xp, exponents.x, exponents.lam, L)
        W = W * scale[..., None, None, :]
    return W, logs, shift


def output_form(xp, disc, exponents):
    """(factor, complex output?) of the diagonal kernel: 2 Re of the half sum for conj_sym,
    Re for DSS with conj_sym (as the S4 code) and for real systems, complex otherwise."""
    if disc.conj_sym:
        return (1.0 if exponents is not None and exponents.dss else 2.0), False
    return 1.0, not _output_real(xp, disc)


def _finish(xp, sys, K):
    if getattr(sys, "conj_sym", False):
        return 2 * xp.real(K)
    return xp.real(K) if _output_real(xp, sys) else K


def _safe_log(xp, lam):
    lam = xp.astype(lam, _xp.complex_dtype(xp, lam.dtype))
    return xp.log(xp.where(lam == 0, xp.ones_like(lam), lam))


def _dss_weights(xp, x, lam, L):
    r"""DSS weights and exponent offsets: e^{lx}/(e^{Lx} - 1) = e^{(l-s)x}/(e^{(L-s)x} - e^{-sx})
    with s = L where Re x > 0, so no exponential overflows.

    The denominator is ``expm1(Lx)`` (s = 0) or ``-expm1(-Lx)`` (s = L), never a difference
    of two exponentials, so a tiny mode (|x| below eps) keeps its limit
    :math:`(e^x - 1)/(\lambda(e^{Lx} - 1)) \to 1/(L\lambda)` instead of 0/0."""
    grow = xp.real(x) > 0
    s = xp.astype(grow, x.dtype) * L
    e = xp.expm1(L * xp.where(grow, -x, x))  # Re <= 0: no overflow in either branch
    den = xp.where(grow, -e, e)
    return xp.expm1(x) / lam / den, s


def _exp_flushed(xp, x):
    """exp(x) with results below the smallest normal number set to exactly 0.

    Decaying modes reach subnormal magnitudes after enough steps (e^{-0.05 l} in float32
    for l > 1750), and subnormal arithmetic runs an order of magnitude slower on CPUs.
    """
    rdtype = _xp.real_dtype(xp, x.dtype)
    tiny = math.log(float(xp.finfo(rdtype).smallest_normal))
    gone = xp.real(x) < tiny
    return xp.where(gone, xp.zeros_like(x), xp.exp(xp.where(gone, xp.zeros_like(x), x)))


def _vandermonde(xp, W, logs, L, zero, offset=None):
    """``sum_n W[..., p, m, n] exp((l - offset_n) logs[..., n])`` for l < L, chunked over l."""
    dev = _xp.common_device(logs)
    per_l = math.prod(logs.shape) + math.prod(W.shape[:-1])  # V and the output, per time step
    step = _cauchy.chunk_length(per_l, L)
    any_zero = not _xp.can_read_values(zero) or bool(xp.any(zero))  # traced: always mask
    P, M, N = W.shape[-3:]
    batch = _cauchy.broadcast_shape(W.shape[:-3], logs.shape[:-1])
    # (..., P*M, N) @ (..., N, l): NumPy's stacked matmul is far faster with one batch level
    flat = xp.reshape(xp.broadcast_to(W, batch + (P, M, N)), batch + (P * M, N))
    parts = []
    for start in range(0, L, step):
        l = xp.arange(start, min(L, start + step), dtype=_xp.real_dtype(xp, logs.dtype), device=dev)
        shifted = l if offset is None else l - offset[..., :, None]
        V = _exp_flushed(xp, logs[..., :, None] * shifted)  # (..., N, l)
        if any_zero:  # 0^0 = 1, 0^l = 0
            V = xp.where(zero[..., :, None], xp.astype(l == 0, V.dtype), V)
        V = xp.broadcast_to(V, batch + tuple(V.shape[-2:]))
        parts.append(xp.reshape(xp.matmul(flat, V), batch + (P, M, V.shape[-1])))
    return parts[0] if len(parts) == 1 else xp.concat(parts, axis=-1)


# --------------------------------------------------------------------------- DPLR


def _dplr_kernel(xp, disc, L, c_is_tilde):
    real = _output_real(xp, disc)
    n_nodes = L // 2 + 1 if real else L
    k = xp.arange(n_nodes, dtype=_xp.real_dtype(xp, disc.dtype), device=_xp.common_device(disc.lam))
    z = xp.exp(xp.astype(k * (2 * math.pi / L), _xp.complex_dtype(xp, disc.dtype)) * 1j)  # 1/omega_k
    lam = xp.astype(disc.lam, z.dtype)
    if _cauchy.hits(xp, z, lam, disc.conj_sym):
        # a root of unity on a mode of diag(lam): the resolvent is singular there (for FouT's
        # uncontrollable zero mode, say), though the kernel is not: use the doubling form
        if c_is_tilde:
            msg = "`sys` has a mode at an L-th root of unity, so C cannot be recovered from C~"
            raise ValueError(msg)
        return _dense_kernel(xp, disc.to_dense(), L)
    Ct = disc.C if c_is_tilde else c_tilde(disc, L).C
    G = z * _cauchy.woodbury(xp, Ct, disc.B, lam, disc.P, disc.Q, z, disc.conj_sym)
    if _xp.can_read_values(G) and not bool(xp.all(xp.isfinite(G))):
        return singular_fallback(xp, disc, L, c_is_tilde)
    if real:
        return xp.fft.irfft(G, n=L, axis=-1)
    return xp.fft.ifft(G, axis=-1)


def singular_fallback(xp, disc, L, c_is_tilde):
    """The kernel where the generating function is singular at a root of unity (Abar, not
    diag(lam), has an eigenvalue there, so I - Abar^L is singular): K_k = C Abar^k B is
    still well defined, and the doubling form gives it exactly. With C~ given, C cannot be
    recovered: ``ValueError``."""
    if c_is_tilde:
        msg = ("`sys` has an eigenvalue at an L-th root of unity (I - Abar^L is singular), so "
               "C cannot be recovered from C~ (`c_is_tilde=True`); pass C itself")
        raise ValueError(msg)
    return _dense_kernel(xp, disc.to_dense(), L)


# --------------------------------------------------------------------------- dense


def _dense_kernel(xp, disc, L):
    A, B, C = disc.A, disc.B, disc.C
    N, M = disc.n_states, disc.n_inputs
    per_column = math.prod(disc.batch_shape) * N * M  # Krylov block
    c = 1 << max(0, math.floor(math.log2(_cauchy.chunk_length(per_column, L))))
    krylov, power = _krylov(xp, A, B, c)  # (..., N, M * c), A^c
    parts, rows = [], C
    for _ in range(math.ceil(L / c)):
        block = xp.matmul(rows, krylov)  # (..., P, M * c)
        parts.append(xp.reshape(block, block.shape[:-1] + (M, c)))
        rows = xp.matmul(rows, power)
    K = xp.concat(parts, axis=-1)[..., :L] if len(parts) > 1 else parts[0][..., :L]
    return _finish(xp, disc, K)


def _krylov(xp, A, B, c):
    """``[B, AB, ..., A^{c-1}B]`` as (..., N, M * c) (column index m * c + j), and A^c."""
    block = B[..., None]  # (..., N, M, j)
    power = A
    while block.shape[-1] < c:
        shape = block.shape
        flat = xp.reshape(block, shape[:-2] + (shape[-2] * shape[-1],))
        moved = xp.matmul(power, flat)
        nxt = xp.reshape(moved, moved.shape[:-1] + shape[-2:])
        block = xp.concat([block, nxt], axis=-1)
        power = xp.matmul(power, power)
    shape = block.shape
    return xp.reshape(block, shape[:-2] + (shape[-2] * shape[-1],)), power


# --------------------------------------------------------------------------- powers


def _times_power(sys, Y, L):
    """``Y Abar^L`` in the system's own coordinates (half coordinates for conj_sym)."""
    xp = sys.xp
    if isinstance(sys, Diagonal):
        return Y * _power(xp, sys.lam, L)[..., None, :]
    return _through_dense(sys, Y, lambda A, R: xp.matmul(R, _matrix_power(xp, A, L)))


def _times_inverse_of(sys, L):
    """``C (I - Abar^L)^{-1}`` for :func:`c_from_c_tilde`."""
    xp = sys.xp
    if isinstance(sys, Diagonal):
        return sys.C / (1 - _power(xp, sys.lam, L))[..., None, :]

    def solve(A, R):
        eye = xp.eye(A.shape[-1], dtype=A.dtype, device=_xp.common_device(A))
        M = eye - _matrix_power(xp, A, L)
        t = xp.matrix_transpose
        return t(_xp.solve(t(M), t(R), singular_msg="`sys`: I - Abar^L is singular: Abar has an eigenvalue at an L-th root of unity"))

    return _through_dense(sys, sys.C, solve)


def _power(xp, lam, L):
    """lam**L elementwise by squaring (exact for real lam, no complex detour)."""
    return _matrix_power(xp, lam, L, multiply=lambda a, b: a * b)


def _through_dense(sys, Y, apply):
    """Apply ``apply(A_dense, Y_dense)`` and map the result back to `sys`'s coordinates."""
    xp = sys.xp
    dense = sys.to_dense()
    if not getattr(sys, "conj_sym", False):
        return apply(dense.A, Y)
    n = sys.n_modes
    Yr = xp.concat([2 * xp.real(Y), -2 * xp.imag(Y)], axis=-1)
    out = apply(dense.A, Yr)
    return xp.astype(out[..., :n], Y.dtype) / 2 - 1j * xp.astype(out[..., n:], Y.dtype) / 2


def _matrix_power(xp, A, L, multiply=None):
    """A**L by binary powering (L >= 1) with `multiply` (matmul by default)."""
    multiply = multiply or xp.matmul
    result, base = None, A
    while L:
        if L & 1:
            result = base if result is None else multiply(result, base)
        L >>= 1
        if L:
            base = multiply(base, base)
    return result
