r"""HOPE's exact state-space realization and its best n-parameter fits of other systems.

:func:`hope_to_state_space` realizes :math:`G_\Delta` as a discrete Laguerre network (one
pole of multiplicity n); :func:`hope_from_kernel` and :func:`hope_from_state_space` give the
H2-best HOPE parameters (Δ = 1) of an impulse response or a stable discrete system.
"""

from __future__ import annotations

from collections import namedtuple

from .. import _checks, _xp
from .._blockwise import batched
from ..systems import DPLR, Diagonal, StateSpace
from ._args import _array, _markov, _pole, _promote, _signed_powers, _step

__all__ = ["HopeFit", "hope_from_kernel", "hope_from_state_space", "hope_to_state_space"]

HopeFit = namedtuple("HopeFit", ["h", "D", "error"])
HopeFit.__doc__ = """Best n-parameter HOPE approximation: ``h`` (..., n), feed-through ``D``
(...), and the H2 norm of what is left out, ``error`` (...)."""


# --------------------------------------------------------------------------- state space


@batched(h=1, dt=0)
def hope_to_state_space(h, dt):
    r"""Exact discrete realization of HOPE's resampled system :math:`G_\Delta`.

    Parameters
    ----------
    h : array, shape (..., n)
        Markov parameters.
    dt : float or array
        Timescale Δ > 0 (an array broadcasts with ``h.shape[:-1]``).

    Returns
    -------
    StateSpace
        SISO, n states, ``dt=1.0`` (one step of the sequence), dtype of `h` and `dt`
        promoted (complex for complex `h`); its Markov parameters are the kernel of
        :func:`hope_kernel` in ``"linear"`` mode, its D the feed-through :math:`k_0`.

    Raises
    ------
    ValueError, TypeError
        As :func:`hope_kernel`.

    Notes
    -----
    :math:`G_\Delta(z) = \sum_k h_k b(z)^{k+1}` with :math:`b(z) = (1 - pz)/(z - p)
    = -p + s^2/(z - p)`, :math:`p = (1-\Delta)/(1+\Delta)`, :math:`s = \sqrt{1 - p^2}`: a
    tapped delay line whose delays are all-pass sections, each realized by the orthogonal
    matrix :math:`[[p, s], [s, -p]]` (a discrete Laguerre network). Transposed
    (observer form, states 0 ... n-1):

    .. math:: A_{ik} = \begin{cases} p & k = i \\ s^2(-p)^{k-i-1} & k > i \\ 0 & k < i
              \end{cases}, \quad B_i = s\sum_{m \ge i} h_m (-p)^{m-i}, \quad
              C_i = s(-p)^i, \quad D = \sum_m h_m (-p)^{m+1}.

    At Δ = 1 (p = 0) this is the FIR shift realization. A is upper triangular with the
    single pole p of multiplicity n on its diagonal (eigensolvers return it exactly), it
    is a contraction (:math:`\|A^k\|_2 \le 1`) and the observability Gramian is exactly I,
    so the Hankel singular values are the square roots of the eigenvalues of the
    controllability Gramian and equal the singular values of the n x n Hankel matrix
    :math:`[h_{i+j}]` for every Δ (tested).

    Conditioning (measured in float64 on random complex h): the realization's kernel
    agrees with the sampled kernel to 1e-15 relative at n = 32, 2e-14 at n = 256 and 8e-14
    at n = 1024, for Δ from 0.01 to 100: nothing in (A, B, C, D) grows with n. What is
    ill conditioned is the *defective* pole. Eigensolvers return it exactly here (A is
    triangular), but after an orthogonal similarity the computed eigenvalues scatter by
    about :math:`\epsilon^{1/n}`: 6e-5 at n = 4, 4e-3 at n = 8, 0.14 at n = 32 and 0.34 at
    n = 64 (Δ = 0.1, p = 0.82), so anything that diagonalizes A (``diagonalize``, modal
    forms) is useless beyond a handful of states. The Hankel singular values from the
    Gramians (``hankel_singular_values``) agree with the SVD of :math:`[h_{i+j}]` to
    2e-15 σ₁ at n = 8, 4e-11 σ₁ at n = 32, 1e-9 σ₁ at n = 128 and 4e-9 σ₁ at n = 256,
    whatever Δ; since they span :math:`\sigma_n/\sigma_1 \approx 10^{-19}` for some h at
    n = 32 (papers.md §3.8), only the leading ones are meaningful in float64 by any
    method.

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.
    .. [2] B. Wahlberg, "System identification using Laguerre models", IEEE Trans.
       Automatic Control 36(5), 1991 (the all-pass / Laguerre network).

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.hope_to_state_space(np.array([1.0, 0.5]), 1.0)
    >>> sys.A, sys.B[:, 0], sys.C[0]
    (array([[0., 1.],
           [0., 0.]]), array([1. , 0.5]), array([1., 0.]))
    >>> bool(np.allclose(lti_ops.markov_parameters(sys, 64)[0, 0],
    ...                  lti_ops.hope_kernel(np.array([1.0, 0.5]), 1.0, 64)))
    True
    """
    xp = _markov(h)
    ctype = _promote(xp, h, dt)
    dtype = ctype if _xp.is_complex(xp, h.dtype) else _xp.real_dtype(xp, ctype)
    real = _xp.real_dtype(xp, ctype)
    p = _pole(xp, _step(xp, dt, h, ctype))
    n = h.shape[-1]
    s = xp.sqrt((1 - p) * (1 + p))
    dev = _xp.common_device(h)
    pw = _signed_powers(xp, p, n + 1, dev)  # (-p)^e, e = 0 ... n
    i = xp.arange(n, device=dev)
    gap = xp.reshape(i[None, :] - i[:, None], (-1,))  # k - i, row-major
    table = xp.take(pw, xp.where(gap > 0, gap - 1, xp.zeros_like(gap)), axis=pw.ndim - 1)
    table = xp.reshape(table, p.shape + (n, n))
    gap = xp.reshape(gap, (n, n))
    sq = (s * s)[..., None, None]
    eye = xp.astype(gap == 0, real)
    A = xp.where(gap > 0, sq * table, xp.zeros_like(table)) + p[..., None, None] * eye
    toeplitz = xp.take(pw, _clip_index(xp, gap), axis=pw.ndim - 1)  # (-p)^(m - i), m >= i
    toeplitz = xp.where(gap >= 0, xp.reshape(toeplitz, p.shape + (n, n)), xp.zeros_like(table))
    hc = xp.astype(h, dtype)
    B = s[..., None, None] * xp.matmul(xp.astype(toeplitz, dtype), hc[..., None])
    C = (s[..., None] * pw[..., :n])[..., None, :]
    D = xp.sum(hc * xp.astype(pw[..., 1:], dtype), axis=-1)[..., None, None]
    A, C = xp.astype(A, dtype), xp.astype(C, dtype)
    batch = _checks.broadcast_batch({"h": h.shape[:-1], "dt": p.shape})
    return StateSpace(_bcast(xp, A, batch), B, _bcast(xp, C, batch), D, dt=1.0)


def _clip_index(xp, gap):
    return xp.reshape(xp.where(gap >= 0, gap, xp.zeros_like(gap)), (-1,))


def _bcast(xp, x, batch):
    return xp.broadcast_to(x, batch + tuple(x.shape[-2:])) if x.ndim - 2 < len(batch) else x


@batched(k=1)
def hope_from_kernel(k, n):
    r"""Best n-parameter HOPE approximation (Δ = 1) of an impulse response, in H2.

    Parameters
    ----------
    k : array, shape (..., L)
        Control-convention impulse response (Markov parameters): ``k[..., 0]`` is the
        feed-through, ``k[..., j]`` acts at lag j.
    n : int
        Number of HOPE parameters.

    Returns
    -------
    HopeFit
        ``h = k[..., 1:n+1]`` (zero-padded when ``n > L - 1``), ``D = k[..., 0]`` and
        ``error`` :math:`= (\sum_{j > n} |k_j|^2)^{1/2}`, real, shape (...).

    Raises
    ------
    ValueError
        If `n` is not a positive integer, `k` has no axis or no sample, or `k` has a NaN
        or infinite entry.
    TypeError
        If `k` is not an array or has a bool, object or half-precision dtype (float16, bfloat16); integer arrays promote to the
        default floating dtype.

    Notes
    -----
    At Δ = 1, HOPE is the FIR filter :math:`D + \sum_{k<n} h_k z^{-(k+1)}`; its H2
    distance to a system with impulse response k is
    :math:`(\sum_{j \ge 1}|k_j - h_{j-1}|^2 + |k_0 - D|^2)^{1/2}` (Parseval), minimized by
    truncation, with the tail as the error. For a finite `k` the error counts only the
    given samples (a lower bound of the true tail; :func:`hope_from_state_space` has it
    exactly). Because :math:`\|G_\Delta\|_\infty` and the HSVs are Δ-invariant, the H∞
    error of the fit is the same at every Δ. Tested: exact recovery of a HOPE kernel, the
    error is the norm of the residual.

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import hope_from_kernel
    >>> fit = hope_from_kernel(np.array([0.5, 1.0, 0.5, 0.25, 0.125]), 2)
    >>> fit.h, float(fit.D), round(float(fit.error), 6)
    (array([1. , 0.5]), 0.5, 0.279508)
    """
    xp = _array("k", k, "(..., L)")
    n = _checks.positive_int("n", n)
    if k.shape[-1] == 0:
        msg = f"`k` must hold at least one sample on its last axis; got shape {tuple(k.shape)}"
        raise ValueError(msg)
    dtype = _xp.floating_dtype(xp, k, names=["k"])
    k = xp.astype(k, dtype)
    stop = min(n + 1, k.shape[-1])  # in-bounds slices (the Array API leaves others unspecified)
    h = k[..., 1:stop]
    if h.shape[-1] < n:
        pad = xp.zeros(tuple(k.shape[:-1]) + (n - h.shape[-1],), dtype=dtype, device=_xp.common_device(k))
        h = xp.concat([h, pad], axis=-1)
    tail = xp.abs(k[..., stop:])
    return HopeFit(h, k[..., 0], xp.sqrt(xp.sum(tail * tail, axis=-1)))


@batched()
def hope_from_state_space(sys, n):
    r"""Best n-parameter HOPE approximation (Δ = 1) of a stable discrete SISO system, in H2.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Discrete-time, asymptotically stable, SISO, batched.
    n : int
        Number of HOPE parameters.

    Returns
    -------
    HopeFit
        ``h`` (..., n) the Markov parameters :math:`h_k = C\bar A^k\bar B`
        (:math:`= m_{k+1}`), ``D`` (...) the system's D and ``error`` (...) the exact H2
        norm of the tail :math:`\sum_{j>n} m_j z^{-j}`.

    Raises
    ------
    TypeError
        If `sys` is not a system.
    ValueError
        If `sys` is continuous, not SISO, or not asymptotically stable; bad `n`.

    Notes
    -----
    As :func:`hope_from_kernel`; the error is the H2 norm of the tail system
    :math:`(\bar A, \bar A^n\bar B, C, 0)`, from its Gramian (so it does not suffer the
    cancellation of :math:`\|G\|_2^2 - \sum_{j \le n}|m_j|^2`). It decays like
    :math:`\rho(\bar A)^n`: a slowly decaying system needs many HOPE parameters at Δ = 1.

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.Diagonal.siso(np.array([0.5]), np.ones(1), np.ones(1), dt=1.0)
    >>> fit = lti_ops.hope_from_state_space(sys, 3)
    >>> print(fit.h, round(float(fit.error) ** 2, 6))   # tail sum_{j>=3} 0.25**j
    [1.   0.5  0.25] 0.020833
    """
    from ..markov import markov_parameters
    from ..norms import h2_norm

    if not isinstance(sys, (StateSpace, Diagonal, DPLR)):
        msg = f"`sys` must be a StateSpace, Diagonal or DPLR system; got {type(sys).__name__}"
        raise TypeError(msg)
    _checks.same_time_domain("sys", sys, continuous=False)
    if sys.n_inputs != 1 or sys.n_outputs != 1:
        msg = f"`sys` must be SISO (HOPE channels are); got {sys.n_outputs} outputs and {sys.n_inputs} inputs"
        raise ValueError(msg)
    n = _checks.positive_int("n", n)
    m = markov_parameters(sys, n + 1)[..., 0, 0, :]
    dense = sys.to_dense()
    xp = dense.xp
    tail_b = xp.matmul(xp.linalg.matrix_power(dense.A, n), dense.B)
    tail = StateSpace(dense.A, tail_b, dense.C, dt=dense.dt)
    return HopeFit(m[..., 1:], m[..., 0], h2_norm(tail))
