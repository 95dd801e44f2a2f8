"""Input validation. Every message names the argument, what it got and what it needs."""

from __future__ import annotations

import cmath
import math
import numbers

from . import _xp

__all__ = [
    "all_finite",
    "broadcast_batch",
    "choice",
    "matrix",
    "sampling_time",
    "vector",
]


def choice(name, value, valid):
    """`value` if it is one of `valid`, else ``ValueError`` listing the valid ones."""
    if not isinstance(value, str) or value not in valid:
        msg = f"`{name}` must be one of {list(valid)}; got {value!r}"
        raise ValueError(msg)
    return value


def matrix(name, x, shape_text):
    """Check that `x` has at least two axes; `shape_text` says what was expected."""
    if getattr(x, "ndim", 0) < 2:
        got = tuple(x.shape) if hasattr(x, "shape") else type(x).__name__
        msg = f"`{name}` must have shape {shape_text}; got {got}"
        raise ValueError(msg)


def vector(name, x, shape_text):
    """Check that `x` has at least one axis; `shape_text` says what was expected."""
    if getattr(x, "ndim", 0) < 1:
        got = tuple(x.shape) if hasattr(x, "shape") else type(x).__name__
        msg = f"`{name}` must have shape {shape_text}; got {got}"
        raise ValueError(msg)


def all_finite(**named_arrays):
    """Refuse non-finite entries, naming the argument: ``all_finite(B=B, C=C)``.

    The one NaN/inf check of the public boundary (issue 17's policy). Arrays whose values
    cannot be read cheaply (JAX tracers, lazy Dask arrays; :func:`_xp.is_concrete`) pass
    unchecked; None entries are skipped; device arrays cost one boolean back from the device.
    Raises ``ValueError``: "`B` must be finite; got 3 non-finite entries (first at index ...)".
    """
    for name, x in named_arrays.items():
        if isinstance(x, numbers.Number) and not isinstance(x, bool):
            if not cmath.isfinite(x):
                msg = f"`{name}` must be finite; got {x!r}"
                raise ValueError(msg)
            continue
        if x is None or not hasattr(x, "dtype") or not _xp.is_concrete(x):
            continue
        xp = _xp.array_namespace(x, names=[name])
        if not xp.isdtype(x.dtype, ("real floating", "complex floating")):
            continue
        ok = xp.isfinite(x)
        if not _xp.is_concrete(ok) or bool(xp.all(ok)):  # a concrete array closed over by jax.jit gives a traced `ok`
            continue
        bad = int(xp.sum(xp.astype(~ok, xp.int64)))
        msg = f"`{name}` must be finite; got {bad} non-finite entr{'y' if bad == 1 else 'ies'}"
        raise ValueError(msg)


def axis_size(name, x, axis, expected, what):
    """Check ``x.shape[axis] == expected``; `what` names the size (e.g. ``"N = A.shape[-1]"``)."""
    if x.shape[axis] != expected:
        msg = (
            f"`{name}` has shape {tuple(x.shape)}; its axis {axis} must match "
            f"{what} = {expected}"
        )
        raise ValueError(msg)


def broadcast_batch(named_shapes):
    """Broadcast the batch shapes in `named_shapes` (a dict name -> shape), NumPy rules.

    Raises ``ValueError`` naming the first two arguments whose batch shapes clash.
    """
    result, owner = (), None
    for name, shape in named_shapes.items():
        merged = _broadcast_pair(result, tuple(shape))
        if merged is None:
            msg = (
                f"batch shapes do not broadcast: `{owner}` has batch shape {result} and "
                f"`{name}` has batch shape {tuple(shape)}"
            )
            raise ValueError(msg)
        if owner is None or merged != result:
            owner = name
        result = merged
    return result


def _broadcast_pair(a, b):
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and 1 not in (x, y):
            return None
        out.append(y if x == 1 else x)
    return tuple(reversed(out))


def sampling_time(dt, *, name="dt", allow_none=True):
    """Validate a sampling time: None (continuous), a positive finite number or array.

    Returns a Python float for numbers and the array itself for arrays (checked positive and
    finite elementwise where :func:`_xp.can_read_values`; traced, lazy and device arrays
    pass unchecked). Booleans, strings and non-real numbers raise ``TypeError``.
    """
    if dt is None:
        if allow_none:
            return None
        msg = f"`{name}` must be a positive finite number or array; got None"
        raise ValueError(msg)
    if isinstance(dt, bool) or isinstance(dt, (str, bytes)):
        msg = f"`{name}` must be a positive finite number or array; got {dt!r}"
        raise TypeError(msg)
    if isinstance(dt, numbers.Real):
        if not (math.isfinite(dt) and dt > 0):
            msg = f"`{name}` must be positive and finite; got {dt!r}"
            raise ValueError(msg)
        return float(dt)
    if isinstance(dt, numbers.Number):
        msg = f"`{name}` must be real; got {dt!r}"
        raise TypeError(msg)
    return _sampling_time_array(dt, name)


def _sampling_time_array(dt, name):
    xp = _xp.array_namespace(dt, names=[name])
    if not xp.isdtype(dt.dtype, ("real floating", "integral")):
        msg = f"`{name}` must have a real dtype; got {dt.dtype}"
        raise TypeError(msg)
    if _xp.can_read_values(dt) and not bool(xp.all(xp.isfinite(dt) & (dt > 0))):
        msg = f"`{name}` must be positive and finite everywhere; got {dt!r}"
        raise ValueError(msg)
    return dt


def real_number(name, value, *, minimum=None, strict=True):
    """`value` as a finite Python float, optionally > (or >=, ``strict=False``) `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        msg = f"`{name}` must be a real number; got {value!r}"
        raise TypeError(msg)
    value = float(value)
    low_ok = minimum is None or (value > minimum if strict else value >= minimum)
    if not (math.isfinite(value) and low_ok):
        bound = "" if minimum is None else f" and {'>' if strict else '>='} {minimum:g}"
        msg = f"`{name}` must be finite{bound}; got {value!r}"
        raise ValueError(msg)
    return value


def positive_int(name, value, *, allow_none=False):
    """`value` as a Python int >= 1 (NumPy integers accepted); None if `allow_none`."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        msg = f"`{name}` must be a positive integer; got {value!r}"
        raise ValueError(msg)
    return int(value)


def generator(rng):
    """A NumPy Generator from None (fresh OS entropy), an int seed or a Generator."""
    import numpy as np

    if rng is None or isinstance(rng, np.random.Generator):
        return np.random.default_rng(rng)
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral) or rng < 0:
        msg = f"`rng` must be None, a non-negative int seed or a numpy.random.Generator; got {rng!r}"
        raise TypeError(msg)
    return np.random.default_rng(int(rng))


def same_time_domain(name, sys, continuous):
    """Check that `sys` is continuous (``continuous=True``) or discrete."""
    if continuous and sys.dt is not None:
        msg = f"`{name}` must be a continuous-time system (dt=None); got dt={sys.dt!r}"
        raise ValueError(msg)
    if not continuous and sys.dt is None:
        msg = f"`{name}` must be a discrete-time system (a positive dt); got dt=None"
        raise ValueError(msg)


def flag(name, value):
    """`value` if it is a bool (NumPy's bool accepted, as a Python bool), else ``TypeError``."""
    if type(value).__name__ not in ("bool", "bool_"):
        msg = f"`{name}` must be True or False; got {value!r}"
        raise TypeError(msg)
    return bool(value)
