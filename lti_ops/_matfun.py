"""Matrix functions the Array API lacks: the exponential and the principal logarithm.

Part of :mod:`lti_ops._xp` (which re-exports :func:`expm`, :func:`expm_pade`, :func:`logm`
and :func:`logm_iss`): each routes to the backend's native routine where one is accurate
and falls back to a batched pure Array-API algorithm elsewhere.
"""

from __future__ import annotations

import math
from functools import lru_cache

import array_api_compat as _compat

from ._xp import (
    _eye_like,
    _is_empty,
    _opnorm1,
    _require_square,
    array_namespace,
    complex_dtype,
    eps,
    is_complex,
    is_concrete,
    real_dtype,
)

__all__ = ["expm", "expm_pade", "logm", "logm_iss"]


def expm(a):
    """Matrix exponential of a stack of square matrices, shape (..., n, n).

    Routed to ``scipy.linalg.expm`` (NumPy), ``jax.scipy.linalg.expm`` (JAX arrays being
    traced: its squaring count is fixed at trace time) and ``cupyx.scipy.linalg.expm`` (2-D
    CuPy input: cupyx's routine takes one matrix); every other input (torch,
    array_api_strict, concrete JAX arrays, batched CuPy, ...) uses :func:`expm_pade`,
    which is batched and stays on the device (it reads one scalar, the largest squaring
    count, back to the host, as cupyx's routine does per matrix).

    torch is deliberately *not* routed to ``torch.linalg.matrix_exp``: in torch 2.13 its
    float64 result has relative errors up to ~5e-12 for matrices of 1-norm near 0.01-0.04
    (a degree-selection gap), which is exactly the ``dt * A`` range of discretization;
    :func:`expm_pade` is accurate to ~1e-16 there and differentiable by torch autograd.
    Concrete JAX arrays take it for the same reason: ``jax.scipy.linalg.expm`` (jax 0.10)
    errs by 7e-10 on HiPPO-FouD's A (N = 8, 1-norm 19), where the Padé form errs by 1e-14.

    Single-precision input is computed in double precision where the device has it and
    rounded back: single-precision scaling and squaring overflows to NaN for 1-norms near
    1e7 (a stable ``dt * A`` with a large step), and loses the decay of stable modes.
    """
    xp = array_namespace(a)
    _require_square(a, "expm")
    if _compat.is_jax_namespace(xp) and not is_concrete(a):
        import jax.scipy.linalg

        return jax.scipy.linalg.expm(a)
    wide = _in_double(xp, a)  # single-precision squaring overflows at ||a|| ~ 1e7 (NaN)
    if _compat.is_numpy_namespace(xp):
        import scipy.linalg

        out = xp.asarray(scipy.linalg.expm(wide))
    elif _compat.is_cupy_namespace(xp) and a.ndim == 2:
        import cupyx.scipy.linalg

        out = cupyx.scipy.linalg.expm(wide)
    else:
        out = expm_pade(wide)
    return out if out.dtype == a.dtype else xp.astype(out, a.dtype)


@lru_cache(maxsize=None)
def _pade_coefficients(m):
    f = math.factorial
    return tuple(f(2 * m - j) * f(m) / (f(2 * m) * f(j) * f(m - j)) for j in range(m + 1))


# Higham (2005) / Al-Mohy & Higham (2009): largest 1-norm for which the degree-m diagonal
# Pade approximant of exp is accurate to unit roundoff in double / single precision.
_EXPM_DEGREE = {"double": (13, 5.371920351148152), "single": (7, 3.925724783138660)}


def _precision(xp, dtype):
    return "single" if real_dtype(xp, dtype) == xp.float32 else "double"


def expm_pade(a):
    """Pure Array-API matrix exponential: diagonal Pade approximant with scaling and squaring.

    Each batch element gets its own scaling exponent ``s = ceil(log2(||a||_1 / theta_m))``;
    degree 13 for double and 7 for single precision (Higham 2005).
    """
    xp = array_namespace(a)
    _require_square(a, "expm")
    if _is_empty(a):
        return xp.zeros_like(a) if a.shape[-1] == 0 else a + 0
    m, theta = _EXPM_DEGREE[_precision(xp, a.dtype)]
    norm = _opnorm1(xp, a)
    norm = xp.where(norm > theta, norm, xp.full_like(norm, theta))
    s = xp.ceil(xp.log2(norm / theta))
    scaled = a / xp.astype(2.0 ** s, a.dtype)[..., None, None]
    r = _pade_exp(xp, scaled, m)
    for k in range(int(xp.max(s))):
        squared = xp.matmul(r, r)
        r = xp.where((s > k)[..., None, None], squared, r)
    return r


def _pade_exp(xp, x, m):
    c = _pade_coefficients(m)
    eye = _eye_like(xp, x)
    x2 = xp.matmul(x, x)
    powers = [eye]
    for _ in range(m // 2):
        powers.append(xp.matmul(powers[-1], x2))
    even = sum(c[2 * j] * powers[j] for j in range(m // 2 + 1))
    odd = xp.matmul(x, sum(c[2 * j + 1] * powers[j] for j in range((m + 1) // 2)))
    return xp.linalg.solve(even - odd, even + odd)


def logm(a):
    """Principal matrix logarithm of a stack of square matrices, shape (..., n, n).

    ``scipy.linalg.logm`` for NumPy; inverse scaling and squaring (:func:`logm_iss`) for
    every other namespace. Single-precision input is computed in double precision where
    the device has it and cast back (the square-root phase needs the extra digits). A real
    input whose logarithm is not real (eigenvalues on the closed negative real axis) raises
    ``ValueError`` rather than returning a complex or a truncated result.
    """
    xp = array_namespace(a)
    _require_square(a, "logm")
    if _is_empty(a):
        return xp.zeros_like(a)
    wide = _in_double(xp, a)  # single precision is too short for the square-root phase
    if _compat.is_numpy_namespace(xp):
        import scipy.linalg

        out = xp.asarray(scipy.linalg.logm(wide))
        if not is_complex(xp, a.dtype) and is_complex(xp, out.dtype):
            if xp.any(xp.abs(xp.imag(out)) > 1e3 * eps(xp, a.dtype) * (1 + xp.abs(out))):
                _raise_no_real_log()
            out = xp.real(out)
    else:
        out = logm_iss(wide)
    return xp.astype(out, a.dtype)


def _in_double(xp, a):
    """`a` in double precision when its device supports it, else `a` itself."""
    target = complex_dtype(xp, xp.float64) if is_complex(xp, a.dtype) else xp.float64
    supported = xp.__array_namespace_info__().dtypes(device=_compat.device(a)).values()
    return xp.astype(a, target) if target in supported else a


def _raise_no_real_log():
    msg = (
        "the matrix has eigenvalues on the closed negative real axis, so it has no real "
        "principal logarithm (a real discrete system with such poles has no real "
        "continuous-time equivalent)"
    )
    raise ValueError(msg)


@lru_cache(maxsize=None)
def _gauss_legendre_01(m):
    import numpy as np

    x, w = np.polynomial.legendre.leggauss(m)
    return tuple(float(v) for v in (x + 1) / 2), tuple(float(v) for v in w / 2)


def logm_iss(a, *, max_roots=64):
    """Pure Array-API principal logarithm by inverse scaling and squaring.

    Square roots (product-form Denman-Beavers iteration) are taken per batch element until
    ``||X - I||_1 <= 1/4``; then ``log(I + E)`` is the Gauss-Legendre form of the [8/8]
    Pade approximant, ``sum_j w_j E (I + x_j E)^{-1}``, and the result is scaled by ``2^s``.
    """
    xp = array_namespace(a)
    _require_square(a, "logm")
    if _is_empty(a):
        return xp.zeros_like(a)
    eye = _eye_like(xp, a)
    x = a
    s = xp.zeros(a.shape[:-2], dtype=real_dtype(xp, a.dtype), device=_compat.device(a))
    for _ in range(max_roots):
        need = _opnorm1(xp, x - eye) > 0.25
        if not bool(xp.any(need)):
            break
        x = xp.where(need[..., None, None], _sqrtm_db(xp, x, eye), x)
        s = s + xp.astype(need, s.dtype)
    else:
        _raise_no_real_log()
    e = x - eye
    nodes, weights = _gauss_legendre_01(8)
    log = sum(w * xp.linalg.solve(eye + t * e, e) for t, w in zip(nodes, weights))
    return log * xp.astype(2.0 ** s, a.dtype)[..., None, None]


def _sqrtm_db(xp, a, eye, max_iter=100):
    """Principal square root by the product-form Denman-Beavers iteration.

    Iterates until ``||M - I||_1 <= n eps``, or until the residual stops shrinking once it
    is below ``sqrt(eps)`` (the precision floor of the data); raises if it never gets there
    (eigenvalues on the closed negative real axis, or too ill-conditioned a matrix).
    """
    unit = eps(xp, a.dtype)
    tol, floor = 10 * unit * a.shape[-1], unit**0.5
    m, y, last = a, a, float("inf")
    for iteration in range(max_iter):
        m_inv = xp.linalg.inv(m)
        y = 0.5 * xp.matmul(y, eye + m_inv)
        m = 0.5 * (eye + 0.5 * (m + m_inv))
        residual = float(xp.max(_opnorm1(xp, m - eye)))
        if residual <= tol or (residual <= floor and residual >= last / 2):
            return y
        diverging = residual > floor and residual >= last and iteration > 8
        if not residual < float("inf") or diverging:
            break
        last = residual
    msg = (
        "the matrix square-root iteration of logm did not converge (residual "
        f"{residual:.3g}): the matrix has eigenvalues on or near the closed negative real "
        "axis (no real principal logarithm) or is too ill-conditioned for its precision"
    )
    raise ValueError(msg)
