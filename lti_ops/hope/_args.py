"""Shared argument checks and small helpers of the HOPE modules (private)."""

from __future__ import annotations

from .. import _checks, _xp


def _require_array(name, x, shape_text):
    if not hasattr(x, "shape") or isinstance(x, (bool, int, float, complex)):
        msg = f"`{name}` must be an array of shape {shape_text}; got {type(x).__name__}"
        raise TypeError(msg)


def _markov(h):
    """(xp, h) for Markov parameters of shape (..., n), n >= 1."""
    _require_array("h", h, "(..., n)")
    xp = _xp.array_namespace(h, names=["h"])
    _checks.vector("h", h, "(..., n)")
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


def _promote(xp, h, dt):
    """Complex working dtype of `h` and `dt`."""
    dt_arr = dt if hasattr(dt, "shape") else None
    return _xp.complex_dtype(xp, _xp.floating_dtype(xp, h, dt_arr, names=["h", "dt"]))


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
