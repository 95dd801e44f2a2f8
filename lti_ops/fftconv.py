"""Convolution of signals with (long) kernels by FFT, and kernels from frequency samples.

Three modes, named for what they compute, never mixed silently:

* ``"causal"``: the first ``Lu`` samples of the linear convolution (an SSM layer's output);
* ``"full"``: the whole linear convolution, ``Lu + Lk - 1`` samples;
* ``"circular"``: the length-``Lu`` circular convolution that HOPE computes with unpadded
  FFTs (papers.md §3.4), with the kernel folded to length ``Lu``.

Linear modes zero-pad to the smallest 5-smooth length that avoids wrap-around
(:func:`next_fast_len`), not to a power of two or ``2L``. :func:`kernel_from_samples` turns
transfer-function samples on the roots of unity back into an (aliased) time kernel.
"""

from __future__ import annotations

import numbers

from . import _checks, _dispatch, _xp
from ._blockwise import batched, by_mimo, fftconv_d

__all__ = ["MODES", "fftconv", "kernel_from_samples", "next_fast_len"]

MODES = ("causal", "full", "circular")


def next_fast_len(n):
    """Smallest 5-smooth integer ``2**a * 3**b * 5**c`` that is ``>= n``.

    Parameters
    ----------
    n : int
        A positive integer.

    Returns
    -------
    int
        The FFT length used by :func:`fftconv` for a linear convolution of ``n`` samples.

    Raises
    ------
    ValueError
        If `n` is not a positive integer.

    Examples
    --------
    >>> from lti_ops.fftconv import next_fast_len
    >>> [next_fast_len(n) for n in (1, 7, 11, 17, 97, 1025)]
    [1, 8, 12, 18, 100, 1080]
    """
    n = _checks.positive_int("n", n)
    best = 1 << (n - 1).bit_length()  # the next power of two
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            quotient = -(-n // p35)  # ceil(n / p35): the power of two must reach it
            best = min(best, p35 << (quotient - 1).bit_length())
            p35 *= 3
        p5 *= 5
    return best


@batched(u=by_mimo(1, 2), k=by_mimo(1, 3), k_backward=by_mimo(1, 3), D=fftconv_d)
def fftconv(u, k, *, mode="causal", D=None, k_backward=None, mimo=False, kernel="auto"):
    r"""Convolve signals `u` with kernels `k` along the last (time) axis by FFT.

    Parameters
    ----------
    u : array, shape (..., Lu) or, with ``mimo=True``, (..., M, Lu)
        Input signals.
    k : array, shape (..., Lk) or, with ``mimo=True``, (..., P, M, Lk)
        Kernels; ``k[..., j]`` acts at lag ``j`` (S4's convention :math:`K_j = C\bar A^j\bar B`,
        D separate). SISO batch axes broadcast elementwise with those of `u` (e.g. `u`
        (B, H, L) with `k` (H, L)); MIMO batch axes are those before (P, M).
    mode : {"causal", "full", "circular"}, optional
        Output samples ``t = 0 ... Lu - 1`` of the linear convolution (default), all
        ``Lu + Lk - 1`` of them, or the length-``Lu`` circular convolution; see Notes.
    D : number or array, optional
        Feed-through, added as ``D u_t``. SISO: a number or an array broadcasting with the
        batch axes (one value per channel, e.g. shape (H,)). MIMO: a number (every entry of
        the P x M matrix) or an array of shape (..., P, M).
    k_backward : array, optional
        Backward kernel of S4's bidirectional layers, same shape as `k`;
        ``k_backward[..., j]`` acts at lag ``-(1 + j)`` (on the future sample ``u_{t+1+j}``).
    mimo : bool, optional
        Whether `k` holds P x M transfer matrices and `u` M input channels.
    kernel : {"auto", "xp", "numba", "cupy"}, optional
        Implementation of the spectral product (see ``lti_ops._dispatch``); ``"xp"`` is the
        reference.

    Returns
    -------
    array, shape (..., Lu) or (..., Lu + Lk - 1); MIMO (..., P, Lu) or (..., P, Lu + Lk - 1)
        Batch axes broadcast from `u`, `k` and `D`. The dtype is the promoted floating
        dtype of `u`, `k`, `D` and `k_backward` (float32 stays float32; complex `k` or `D`
        with real `u` gives a complex result); same namespace and device as `u`.

    Raises
    ------
    TypeError
        If `u` or `k` is not an array, `D` is not None, a number or an array, an argument
        has a boolean (or non-numeric) dtype, or arrays come from different namespaces.
    ValueError
        If `mode` is unknown, a rank is too low, a time axis is empty, `k_backward` does
        not have the shape of `k`, the MIMO input axes disagree (``k.shape[-2] !=
        u.shape[-2]``, `D` not (..., P, M)), batch shapes do not broadcast, or arrays live
        on different devices.

    Notes
    -----
    With :math:`b_j` the backward kernel (zero when absent), the linear modes compute, for
    ``t < Lu`` (causal) or ``t < Lu + Lk - 1`` (full),

    .. math:: y_t = \sum_{j=0}^{\min(t, L_k - 1)} k_j u_{t-j}
              + \sum_{j \ge 0,\ t+1+j < L_u} b_j u_{t+1+j} + D u_t
              \qquad (u_t = 0 \text{ for } t \ge L_u).

    The backward kernel starts at lag -1, so lag 0 is counted once (in `k`): this is the
    off-by-one of S4's two-sided kernel ``pad(k0, (0, L)) + pad(flip(k1), (L, 0))``. In
    ``"full"`` mode the output still starts at ``t = 0``; the anticausal outputs at
    negative times are not returned. In MIMO mode every product is a sum over the input
    axis: :math:`y_p = \sum_m k_{p,m} * u_m + \sum_m D_{p,m} u_m`.

    ``"circular"`` folds both kernels to length ``Lu`` (zero-pads them if shorter),
    :math:`\tilde k_j = \sum_{m \ge 0} k_{j + m L_u}`, and computes
    :math:`y_t = \sum_j \tilde k_j u_{(t-j) \bmod L_u} + \sum_j \tilde b_j
    u_{(t+1+j) \bmod L_u} + D u_t` with FFTs of length ``Lu`` exactly; for ``Lk <= Lu`` it
    differs from ``"causal"`` by the wrap-around term :math:`\sum_{j>t} k_j u_{t-j+L_u}`.

    The linear modes zero-pad to ``next_fast_len`` of the support they need
    (``Lu + Lk - 1`` without `k_backward`; ``"causal"`` first drops the lags ``>= Lu``,
    which reach no output). Real FFTs are used when every input is real, complex FFTs
    otherwise. Identities checked in ``tests/test_fftconv.py``: equality with direct
    convolution in every mode (SISO, broadcast, MIMO, real and complex), the wrap-around
    term, the two-sided sum, the D term,
    :math:`\mathrm{Re}(\mathrm{ifft}(\mathrm{fft}(u) g)) = u \circledast
    \mathrm{Re}(\mathrm{ifft}(g))` for real `u`, and agreement with
    ``scipy.signal.fftconvolve``.

    References
    ----------
    .. [1] A. Gu, K. Goel, C. Re, "Efficiently Modeling Long Sequences with Structured State
       Spaces", ICLR 2022 (the FFT convolution and the bidirectional kernel).
    .. [2] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", 2024 (the circular convolution, Algorithm 1).

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops.fftconv import fftconv
    >>> u, k = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.5])
    >>> print(np.round(fftconv(u, k), 12), np.round(fftconv(u, k, mode="full"), 12))
    [1.  2.5 4. ] [1.  2.5 4.  1.5]
    >>> print(np.round(fftconv(u, k, mode="circular"), 12))
    [2.5 2.5 4. ]
    >>> print(np.round(fftconv(u, k, k_backward=np.array([10.0, 0.0])), 12))
    [21.  32.5  4. ]
    """
    mode = _checks.choice("mode", mode, MODES)
    xp, dtype, D = _promote(u, k, D, k_backward)
    _check_shapes(u, k, D, k_backward, _checks.flag("mimo", mimo))
    _checks.all_finite(u=u, k=k, D=D, k_backward=k_backward)
    u, k, kb = (None if x is None else _as_dtype(xp, x, dtype) for x in (u, k, k_backward))
    Lu = u.shape[-1]
    if mode == "circular":
        taps, n, n_out = _circular_kernel(xp, k, kb, Lu), Lu, Lu
    else:
        taps, n, n_out = _linear_kernel(xp, k, kb, Lu, mode)
    product = _dispatch.resolve("fftconv", kernel, xp, _spectral_product)
    y = product(xp, u, taps, n, n_out, bool(mimo))
    y = y if y.dtype == dtype else xp.astype(y, dtype)
    P = k.shape[-3] if mimo else None
    return y if D is None else y + _feedthrough(xp, u, D, n_out, P)


@batched(G=1)
def kernel_from_samples(G, L):
    r"""Time kernel of length `L` from transfer-function samples at the L-th roots of unity.

    Parameters
    ----------
    G : array, shape (..., L) or (..., L // 2 + 1)
        Samples :math:`G_k = G(\omega_k)` at :math:`\omega_k = e^{-2\pi i k / L}` (the FFT's
        sign convention), either all `L` of them or, for a real system, the rfft half
        spectrum ``k = 0 ... L // 2``.
    L : int
        Kernel length (number of nodes on the unit circle).

    Returns
    -------
    array, shape (..., L)
        ``ifft(G)`` (complex) for the full spectrum; ``irfft(G, n=L)`` (real) for the half
        spectrum. Same namespace, device and precision as `G`.

    Raises
    ------
    TypeError
        If `G` is not an array or has a boolean dtype.
    ValueError
        If `L` is not a positive integer, `G` has no axis, or ``G.shape[-1]`` is neither
        ``L`` nor ``L // 2 + 1``.

    Notes
    -----
    If :math:`G(\omega) = \sum_{l \ge 0} k_l \omega^l` (the generating function of the
    kernel; an absolutely summable one), the result is the L-periodized kernel

    .. math:: \tilde k_j = \sum_{m \ge 0} k_{j + mL}, \qquad j = 0, \dots, L - 1.

    The aliasing error is zero for an FIR kernel of length ``<= L``, and if
    :math:`|k_j| \le c \rho^j` (:math:`0 \le \rho < 1`) it is bounded by
    :math:`|\tilde k_j - k_j| \le c \rho^{j+L} / (1 - \rho^L)`. The tests check both, for
    the full and the half spectrum.

    For ``L <= 2`` the two accepted lengths coincide and the full-spectrum reading wins
    (complex result). The half spectrum is that of a real kernel: ``irfft`` reads only the
    real part of ``G[..., 0]`` (and of ``G[..., L // 2]`` for even `L`), which is zero for
    a real system; pass the full spectrum for a complex one.

    References
    ----------
    .. [1] A. Gu, K. Goel, C. Re, "Efficiently Modeling Long Sequences with Structured State
       Spaces", ICLR 2022 (the truncated generating function and the inverse FFT).

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops.fftconv import kernel_from_samples
    >>> k = np.array([1.0, 0.5, 0.25])
    >>> print(np.round(kernel_from_samples(np.fft.rfft(k, n=4), 4), 12))
    [1.   0.5  0.25 0.  ]
    """
    L = _checks.positive_int("L", L)
    _require_array("G", G, "(..., K)")
    xp = _xp.array_namespace(G, names=["G"])
    _checks.vector("G", G, "(..., K)")
    dtype = _xp.complex_dtype(xp, _xp.floating_dtype(xp, G, names=["G"]))
    _checks.all_finite(G=G)
    G = xp.astype(G, dtype)
    if G.shape[-1] == L:
        return xp.astype(xp.fft.ifft(G), dtype)
    if G.shape[-1] == L // 2 + 1:
        return xp.astype(xp.fft.irfft(G, n=L), _xp.real_dtype(xp, dtype))
    msg = (
        f"`G` must hold L = {L} samples (full spectrum) or L // 2 + 1 = {L // 2 + 1} "
        f"(rfft half spectrum) on its last axis; got shape {tuple(G.shape)}"
    )
    raise ValueError(msg)


# --------------------------------------------------------------------------- arguments


def _require_array(name, x, shape_text):
    if not hasattr(x, "shape") or isinstance(x, (bool, int, float, complex)):
        msg = f"`{name}` must be an array of shape {shape_text}; got {type(x).__name__}"
        raise TypeError(msg)


def _promote(u, k, D, kb):
    """Namespace, promoted dtype, and `D` as an array of it (or None)."""
    _require_array("u", u, "(..., Lu)")
    _require_array("k", k, "(..., Lk)")
    if kb is not None:
        _require_array("k_backward", kb, "(..., Lk) like `k`")
    d_number = _is_number(D)
    names = ["u", "k", "D", "k_backward"]
    xp = _xp.array_namespace(u, k, None if d_number else D, kb, names=names)
    dtype = _xp.floating_dtype(xp, u, k, None if d_number else D, kb, names=names)
    if d_number:
        if not isinstance(D, numbers.Real):
            dtype = _xp.complex_dtype(xp, dtype)
        D = xp.asarray(D, dtype=dtype, device=_xp.common_device(u, k))
    elif D is not None:
        D = _as_dtype(xp, D, dtype)
    return xp, dtype, D


def _as_dtype(xp, x, dtype):
    """`x` itself when it has `dtype` already (no copy of a large signal), else cast."""
    return x if x.dtype == dtype else xp.astype(x, dtype)


def _is_number(D):
    if isinstance(D, (bool, str, bytes)):
        msg = f"`D` must be None, a number or an array; got {D!r}"
        raise TypeError(msg)
    return isinstance(D, numbers.Number)


def _rank(name, x, ndim, shape_text):
    if x.ndim < ndim:
        msg = f"`{name}` must have shape {shape_text} (at least {ndim} axes); got {tuple(x.shape)}"
        raise ValueError(msg)
    if x.shape[-1] == 0:
        msg = f"`{name}` has shape {tuple(x.shape)}: its time axis (the last) must not be empty"
        raise ValueError(msg)


def _check_shapes(u, k, D, kb, mimo):
    _rank("u", u, 1 + mimo, "(..., M, Lu)" if mimo else "(..., Lu)")
    _rank("k", k, 1 + 2 * mimo, "(..., P, M, Lk)" if mimo else "(..., Lk)")
    if kb is not None and tuple(kb.shape) != tuple(k.shape):
        msg = f"`k_backward` must have the shape of `k`, {tuple(k.shape)}; got {tuple(kb.shape)}"
        raise ValueError(msg)
    if not mimo:
        batches = {"u": u.shape[:-1], "k": k.shape[:-1]}
        _checks.broadcast_batch(batches | ({} if D is None else {"D": D.shape}))
        return
    _checks.axis_size("u", u, -2, k.shape[-2], "M = k.shape[-2]")
    batches = {"u": u.shape[:-2], "k": k.shape[:-3]}
    if D is not None and D.ndim > 0:
        _check_mimo_d(D, k.shape[-3], k.shape[-2])
        batches["D"] = D.shape[:-2]
    _checks.broadcast_batch(batches)


def _check_mimo_d(D, P, M):
    if D.ndim < 2 or D.shape[-2] not in (1, P) or D.shape[-1] not in (1, M):
        msg = (
            f"`D` must be a number or have shape (..., P, M) = (..., {P}, {M}) with "
            f"mimo=True; got {tuple(D.shape)}"
        )
        raise ValueError(msg)


# --------------------------------------------------------------------------- generic body


def _zeros(xp, like, length):
    shape = tuple(like.shape[:-1]) + (length,)
    return xp.zeros(shape, dtype=like.dtype, device=_xp.common_device(like))


def _linear_kernel(xp, k, kb, Lu, mode):
    """(kernel, FFT length, output length) of a linear convolution.

    The backward kernel sits reversed at the end of the length-n kernel (lag -(1+j) is
    n - 1 - j modulo n); n leaves no wrap-around on the outputs kept.
    """
    if mode == "causal":
        k = k[..., : min(Lu, k.shape[-1])]  # lags >= Lu reach no output
    n_out = Lu if mode == "causal" else Lu + k.shape[-1] - 1
    n_fwd = Lu + k.shape[-1] - 1
    if kb is None:
        return k, next_fast_len(n_fwd), n_out
    kb = kb[..., : min(Lu - 1, kb.shape[-1])]  # u_{t+1+j} with t >= 0 exists only for j <= Lu - 2
    n = next_fast_len(max(n_fwd, n_out + kb.shape[-1]))
    gap = _zeros(xp, k, n - k.shape[-1] - kb.shape[-1])
    return xp.concat([k, gap, xp.flip(kb, axis=-1)], axis=-1), n, n_out


def _fold(xp, k, L):
    """k~_j = sum_m k_{j + mL}, j < L (zero-padded when k is shorter than L)."""
    m = -(-k.shape[-1] // L)
    if m * L > k.shape[-1]:
        k = xp.concat([k, _zeros(xp, k, m * L - k.shape[-1])], axis=-1)
    return xp.sum(xp.reshape(k, tuple(k.shape[:-1]) + (m, L)), axis=-2)


def _circular_kernel(xp, k, kb, Lu):
    kernel = _fold(xp, k, Lu)
    if kb is None:
        return kernel
    return kernel + xp.flip(_fold(xp, kb, Lu), axis=-1)  # lag -(1+j) is Lu - 1 - j


def _spectral_product(xp, u, kernel, n, n_out, mimo):
    """First `n_out` samples of the length-n circular convolution of u and kernel (both
    zero-padded to n). The kernels registered as "fftconv" take these arguments."""
    if 0 in tuple(u.shape) + tuple(kernel.shape):  # an empty batch (torch's MKL FFT fails)
        return _empty_result(xp, u, kernel, n_out, mimo)
    if _xp.is_complex(xp, u.dtype):
        forward, inverse = xp.fft.fft, xp.fft.ifft
    else:
        forward, inverse = xp.fft.rfft, xp.fft.irfft
    U, K = forward(u, n=n), forward(kernel, n=n)
    if mimo:
        Y = xp.sum(K * xp.expand_dims(U, axis=-3), axis=-2)  # (..., P, M, F) -> (..., P, F)
    else:
        Y = K * U
    return inverse(Y, n=n)[..., :n_out]


def _empty_result(xp, u, kernel, n, mimo):
    if mimo:
        batch = _checks.broadcast_batch({"u": u.shape[:-2], "k": kernel.shape[:-3]})
        shape = batch + (kernel.shape[-3], n)
    else:
        shape = _checks.broadcast_batch({"u": u.shape[:-1], "k": kernel.shape[:-1]}) + (n,)
    return xp.zeros(shape, dtype=u.dtype, device=_xp.common_device(u))


def _feedthrough(xp, u, D, n_out, P):
    """D u_t for t < Lu, zero-padded to n_out samples; P outputs (None for SISO)."""
    if P is not None:
        D = xp.broadcast_to(D, tuple(D.shape[:-2]) + (P, u.shape[-2]))
        du = xp.matmul(D, u)
    else:
        du = D[..., None] * u
    if n_out == u.shape[-1]:
        return du
    return xp.concat([du, _zeros(xp, du, n_out - u.shape[-1])], axis=-1)
