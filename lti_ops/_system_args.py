"""Validation and casting of the system containers' arguments (:mod:`lti_ops.systems`).

The containers own their arrays: :func:`own` copies every concrete mutable array (NumPy,
CuPy, torch: ``astype`` copies and keeps torch's autograd graph), so changing the caller's
arrays afterwards does not change a system. JAX arrays are immutable and traced or lazy
arrays cannot be copied cheaply; they are kept as given.
"""

from __future__ import annotations

import numbers

import array_api_compat as _compat

from . import _checks, _xp

def _re(xp, x):
    return xp.real(x) if _xp.is_complex(xp, x.dtype) else x


def _im(xp, x):
    return xp.imag(x) if _xp.is_complex(xp, x.dtype) else xp.zeros_like(x)


def _conj(xp, x):
    return xp.conj(x) if _xp.is_complex(xp, x.dtype) else x


def _cast(xp, x, dtype):
    return x if x.dtype == dtype else xp.astype(x, dtype)


def _diag_embed(xp, lam):
    """Stack of diagonal matrices ``diag(lam)`` of shape (..., N, N)."""
    eye = xp.eye(lam.shape[-1], dtype=lam.dtype, device=_xp.common_device(lam))
    return eye * lam[..., None, :]


def _feedthrough(xp, D, P, M, dtype, device):
    """`D` validated and cast, or zeros of shape (P, M) when None."""
    if D is None:
        return xp.zeros((P, M), dtype=dtype, device=device)
    _checks.matrix("D", D, "(..., P, M)")
    _checks.axis_size("D", D, -2, P, "P = C.shape[-2]")
    _checks.axis_size("D", D, -1, M, "M = B.shape[-1]")
    return _cast(xp, D, dtype)


def _diagonal_dtypes(xp, lam, B, C, D, conj_sym):
    """(dtype of lam, B, C; dtype of D). With `conj_sym` D is real and must be given real."""
    if not conj_sym:
        dtype = _xp.floating_dtype(xp, lam, B, C, D, names=("lam", "B", "C", "D"))
        return dtype, dtype
    dtype = _xp.floating_dtype(xp, lam, B, C, names=("lam", "B", "C"))
    if D is not None:
        if _xp.is_complex(xp, D.dtype):
            msg = f"`D` must be real when conj_sym=True (the system is real); got {D.dtype}"
            raise TypeError(msg)
        dtype = xp.result_type(dtype, _xp.floating_dtype(xp, D, names="D"))
    return dtype, _xp.real_dtype(xp, dtype)


def _io_shapes(B, C, N):
    _checks.matrix("B", B, "(..., N, M)")
    _checks.matrix("C", C, "(..., P, N)")
    _checks.axis_size("B", B, -2, N, "the state dimension N")
    _checks.axis_size("C", C, -1, N, "the state dimension N")
    return C.shape[-2], B.shape[-1]


def _check_conj_sym(conj_sym):
    if not isinstance(conj_sym, bool):
        msg = f"`conj_sym` must be True or False; got {conj_sym!r}"
        raise TypeError(msg)


def _siso_io(xp, b, c, d):
    """(B, C, D) of shape (..., N, 1), (..., 1, N), (..., 1, 1) from SISO vectors."""
    _checks.vector("b", b, "(..., N)")
    _checks.vector("c", c, "(..., N)")
    if d is not None and not hasattr(d, "shape"):
        if isinstance(d, (bool, str, bytes)) or not isinstance(d, numbers.Number):
            msg = f"`d` must be None, a number or an array of shape (...); got {d!r}"
            raise TypeError(msg)
        _checks.all_finite(d=d)
        dtype = _xp.real_dtype(xp, _xp.floating_dtype(xp, b, c, names="bc"))
        dtype = _xp.complex_dtype(xp, dtype) if isinstance(d, complex) else dtype
        d = xp.asarray(d, dtype=dtype, device=_xp.common_device(b))
    return b[..., None], c[..., None, :], None if d is None else d[..., None, None]


def own(xp, x, dtype):
    """`x` cast to `dtype` as an array the container owns (a copy unless immutable)."""
    if _compat.is_jax_namespace(xp) or not _xp.is_concrete(x):
        return _cast(xp, x, dtype)
    return xp.astype(x, dtype)  # the standard's astype copies by default


def _batch_shape(named):
    shapes = {}
    for name, (x, core) in named.items():
        if x is not None and hasattr(x, "shape"):
            shapes[name] = tuple(x.shape)[: x.ndim - core]
    return _checks.broadcast_batch(shapes)


def _check_dt(dt, batch_named, dtype):
    """Validated `dt`: an array one must share the fields' namespace and device and
    broadcast with their batch; an integer array is cast to the real dtype of `dtype`."""
    dt = _checks.sampling_time(dt)
    if dt is None or not hasattr(dt, "shape"):
        return dt
    names = tuple(batch_named) + ("dt",)
    fields = [x for x, _ in batch_named.values()]
    xp = _xp.array_namespace(*fields, dt, names=names)
    _batch_shape({**batch_named, "dt": (dt, 0)})
    if xp.isdtype(dt.dtype, "integral"):
        return xp.astype(dt, _xp.real_dtype(xp, dtype))
    return own(xp, dt, dt.dtype)
