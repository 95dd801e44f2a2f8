"""Shared argument checks and small helpers of the HOPE modules (private)."""

from __future__ import annotations

from .. import _checks, _xp


def _require_array(name, x, shape_text):
    if not hasattr(x, "shape") or isinstance(x, (bool, int, float, complex)):
        msg = f"`{name}` must be an array of shape {shape_text}; got {type(x).__name__}"
        raise TypeError(msg)


def _dtype(xp, name, x):
    """Refuse dtypes HOPE does not compute in, naming the argument.

    Accepted: float32/float64, complex64/complex128 and integers (which promote to the
    default floating dtype, as everywhere in lti_ops). Refused with ``TypeError``: bool,
    object and other non-numeric dtypes, and the half precisions (float16, bfloat16,
    complex32), whose promotion would silently change the precision of the result.
    """
    dtype = x.dtype
    if xp.isdtype(dtype, "integral"):
        return
    ok = (xp.float32, xp.float64, xp.complex64, xp.complex128)
    if xp.isdtype(dtype, ("real floating", "complex floating")) and any(dtype == d for d in ok):
        return
    msg = (
        f"`{name}` has dtype {dtype}; expected float32, float64, complex64, complex128 "
        "or an integer dtype (promoted to the default floating dtype)"
    )
    raise TypeError(msg)


def _array(name, x, shape_text):
    """Namespace of `x` after checking it is a finite array of shape `shape_text` (..., K)
    with a supported dtype (:func:`_dtype`)."""
    _require_array(name, x, shape_text)
    xp = _xp.array_namespace(x, names=[name])
    _checks.vector(name, x, shape_text)
    _dtype(xp, name, x)
    _checks.all_finite(**{name: x})
    return xp


def _markov(h):
    """Namespace of Markov parameters `h`, checked: a finite array of shape (..., n), n >= 1."""
    xp = _array("h", h, "(..., n)")
    if h.shape[-1] == 0:
        msg = f"`h` must hold at least one Markov parameter on its last axis; got shape {tuple(h.shape)}"
        raise ValueError(msg)
    return xp


def _step(xp, dt, like, dtype, batch_name="h"):
    """`dt` validated and as a real array of `dtype`'s precision on `like`'s device."""
    dt = _checks.sampling_time(dt, allow_none=False)
    real = _xp.real_dtype(xp, dtype)
    if not hasattr(dt, "shape"):
        return xp.asarray(dt, dtype=real, device=_xp.common_device(like))
    _xp.array_namespace(like, dt, names=[batch_name, "dt"])
    _checks.broadcast_batch({batch_name: like.shape[:-1], "dt": dt.shape})
    return xp.astype(dt, real)


def _promote(xp, h, dt, name="h"):
    """Complex working dtype of `h` (named `name`) and `dt`; refuses a `dt` array from
    another namespace or of an unsupported dtype first, naming it."""
    dt_arr = dt if hasattr(dt, "shape") and not isinstance(dt, (bool, int, float, complex)) else None
    if dt_arr is not None:
        _xp.array_namespace(h, dt_arr, names=[name, "dt"])
        _dtype(xp, "dt", dt_arr)
    return _xp.complex_dtype(xp, _xp.floating_dtype(xp, h, dt_arr, names=[name, "dt"]))


def _pole(xp, dt):
    """p = (1 - dt) / (1 + dt), the pole of G_dt (real, |p| < 1)."""
    return (1 - dt) / (1 + dt)


def _signed_powers(xp, p, count, dev):
    """(-p)^e for e = 0 ... count-1, shape p.shape + (count,)."""
    e = xp.arange(count, dtype=p.dtype, device=dev)
    mag = xp.pow(xp.abs(p)[..., None], e)  # pow(0, 0) = 1
    odd = (e % 2) == 1
    flip = odd & (p[..., None] > 0)
    return xp.where(flip, -mag, mag)


def _namespace(xp, device):
    if xp is None:
        import array_api_compat.numpy as xp

        return xp
    if not hasattr(xp, "asarray"):
        msg = f"`xp` must be an array namespace (e.g. numpy, torch); got {xp!r}"
        raise TypeError(msg)
    return _xp.array_namespace(xp.asarray([0.0], device=device))


def _complex_dtype(xp, dtype, default_real):
    if dtype is None:
        return _xp.complex_dtype(xp, default_real)
    spec, dtype = dtype, getattr(xp, dtype, None) if isinstance(dtype, str) else dtype
    if dtype not in (xp.complex64, xp.complex128):
        msg = f"`dtype` must be complex64 or complex128; got {spec!r}"
        raise ValueError(msg)
    return dtype
