"""Helpers of :mod:`lti_ops.interconnect`: operands (systems and static gains), time-domain
and size checks, batch-broadcasting block matrices, structure-keeping updates, loop closing."""

from __future__ import annotations

import numbers

from . import _checks, _xp
from .systems import DPLR, Diagonal, StateSpace

SYSTEMS = (StateSpace, Diagonal, DPLR)


class SystemIndexError(IndexError, ValueError):
    """An I/O index out of range in ``sys[outputs, inputs]`` (an IndexError, as NumPy's)."""


def _gain_core(name):
    """Core axes of a gain argument for Dask: 2 for a matrix gain, 0 for a scalar."""
    return lambda a: 2 if getattr(a[name], "ndim", 0) >= 2 else 0


# --------------------------------------------------------------------------- operands


def _is_system(x):
    return isinstance(x, SYSTEMS)


def _is_gain(x):
    if isinstance(x, numbers.Number) and not isinstance(x, bool):
        return True
    return hasattr(x, "shape") and hasattr(x, "dtype") and not _is_system(x)


def _check_operand(name, x):
    if not (_is_system(x) or _is_gain(x)):
        msg = (f"`{name}` must be a StateSpace, Diagonal or DPLR system, a number or an array gain "
               f"of shape (..., P, M); got {type(x).__name__}")
        raise TypeError(msg)


def _gain_array(name, x, like, like_name):
    """A number or array gain as an array of `like`'s namespace: 0-d or (..., P, M)."""
    xp = like.xp
    device = _xp.common_device(*like._arrays())
    if isinstance(x, numbers.Number):
        _checks.all_finite(**{name: x})
        real = _xp.real_dtype(xp, like.dtype)
        cplx = not isinstance(x, numbers.Real)
        dtype = _xp.complex_dtype(xp, real) if cplx else real
        return xp.asarray(complex(x) if cplx else float(x), dtype=dtype, device=device)
    _xp.array_namespace(x, *like._arrays(), names=(name,) + tuple(f"{like_name}.{f}" for f in like._CORE))
    if x.ndim == 1:
        msg = f"`{name}` must be a number, a 0-d array or a gain of shape (..., P, M); got shape {tuple(x.shape)}"
        raise ValueError(msg)
    x = xp.astype(x, _xp.floating_dtype(xp, x, names=[name]))
    _checks.all_finite(**{name: x})
    return x


def _static(K, like):
    """The static gain K (..., P, M) as a StateSpace with no states and `like`'s dt."""
    xp = like.xp
    P, M = K.shape[-2], K.shape[-1]
    dev = _xp.common_device(K)
    z = lambda *s: xp.zeros(s, dtype=K.dtype, device=dev)  # noqa: E731
    return StateSpace(z(0, 0), z(0, M), z(P, 0), K, dt=like.dt)


def _scalar_system(k, n, like):
    xp = like.xp
    return _static(k * xp.eye(n, dtype=k.dtype, device=_xp.common_device(k)), like)


def _is_static(sys):
    return isinstance(sys, StateSpace) and sys.n_states == 0


def _is_siso(sys):
    return sys.n_inputs == 1 and sys.n_outputs == 1


# --------------------------------------------------------------------------- checks


def _describe_dt(dt):
    if dt is None:
        return "dt=None (continuous time)"
    if hasattr(dt, "shape"):
        return f"an array dt of shape {tuple(dt.shape)}"
    return f"dt={dt!r}"


def _same_dt(a, b):
    if a is None or b is None:
        return a is None and b is None
    if not hasattr(a, "shape") and not hasattr(b, "shape"):
        return a == b
    arr = a if hasattr(a, "shape") else b
    if not _xp.can_read_values(a, b):
        return True  # traced or device dt: equal by assumption (documented)
    xp, dev = _xp.array_namespace(arr), _xp.common_device(arr)
    a, b = (xp.asarray(x, dtype=arr.dtype, device=dev) if not hasattr(x, "shape") else x for x in (a, b))
    return bool(xp.all(a == b))


def _common_dt(named):
    """The shared dt of the (name, system) pairs; ValueError naming two that differ."""
    (n1, s1), dt = named[0], named[0][1].dt
    for n2, s2 in named[1:]:
        if not _same_dt(s1.dt, s2.dt):
            msg = (f"`{n1}` and `{n2}` must have the same time domain: `{n1}` has "
                   f"{_describe_dt(s1.dt)} and `{n2}` has {_describe_dt(s2.dt)}")
            raise ValueError(msg)
        if hasattr(s2.dt, "shape") and (not hasattr(dt, "shape") or s2.dt.ndim > dt.ndim):
            dt = s2.dt
    return dt


def _namespace(named):
    """Shared namespace of the systems' fields; also checks that their batch shapes broadcast."""
    _checks.broadcast_batch({name: sys.batch_shape for name, sys in named})
    arrays, labels = [], []
    for name, sys in named:
        for field in sys._CORE:
            arrays.append(getattr(sys, field))
            labels.append(f"{name}.{field}")
    return _xp.array_namespace(*arrays, names=labels)


def _size_error(n1, what1, k1, n2, what2, k2, how):
    msg = f"`{n1}` has {k1} {what1} but `{n2}` has {k2} {what2}; {how}"
    raise ValueError(msg)


# --------------------------------------------------------------------------- array helpers


def _cat(parts, axis, core=2):
    """Concatenate along `axis` after broadcasting the batch axes (all but `core` trailing)."""
    xp = _xp.array_namespace(*parts)
    dtype = xp.result_type(*(p.dtype for p in parts))
    shapes = {str(i): tuple(p.shape[: p.ndim - core]) for i, p in enumerate(parts)}
    batch = _checks.broadcast_batch(shapes)
    parts = [xp.broadcast_to(xp.astype(p, dtype), batch + tuple(p.shape[p.ndim - core:])) for p in parts]
    return xp.concat(parts, axis=axis)


def _zeros(like, rows, cols):
    xp = _xp.array_namespace(like)
    return xp.zeros((rows, cols), dtype=like.dtype, device=_xp.common_device(like))


def _blockdiag(X, Y):
    top = _cat([X, _zeros(X, X.shape[-2], Y.shape[-1])], -1)
    bottom = _cat([_zeros(Y, Y.shape[-2], X.shape[-1]), Y], -1)
    return _cat([top, bottom], -2)


def _dense(sys, dtype):
    xp = sys.xp
    d = sys.to_dense()
    return tuple(xp.astype(x, dtype) for x in (d.A, d.B, d.C, d.D))


def _dtype(*systems):
    xp = systems[0].xp
    return xp.result_type(*(s.dtype for s in systems), *(s.D.dtype for s in systems))


def _selection(xp, shape, ones, dtype, device):
    """A (rows, cols) matrix with the listed ``(i, j, value)`` entries, zeros elsewhere."""
    flat = [0.0] * (shape[0] * shape[1])
    for i, j, v in ones:
        flat[i * shape[1] + j] = v
    return xp.reshape(xp.asarray(flat, dtype=dtype, device=device), shape)


# --------------------------------------------------------------------------- structure


def _with_io(sys, B, C, D):
    """`sys`'s container with new input/output fields (structure kept)."""
    if isinstance(sys, StateSpace):
        return StateSpace(sys.A, B, C, D, dt=sys.dt)
    if isinstance(sys, Diagonal):
        return Diagonal(sys.lam, B, C, D, dt=sys.dt, conj_sym=sys.conj_sym)
    return DPLR(sys.lam, sys.P, sys.Q, B, C, D, dt=sys.dt, conj_sym=sys.conj_sym)


def _scale(sys, left=None, right=None):
    """``left @ G @ right`` for static gains (None: identity), keeping `sys`'s structure
    unless a complex gain meets a conj_sym system."""
    xp = sys.xp
    gains = [g for g in (left, right) if g is not None]
    if getattr(sys, "conj_sym", False) and any(_xp.is_complex(xp, g.dtype) for g in gains):
        sys = sys.to_dense()
    B, C, D = sys.B, sys.C, sys.D
    if right is not None:
        B, D = xp.matmul(B, xp.astype(right, xp.result_type(B.dtype, right.dtype))), xp.matmul(D, right)
    if left is not None:
        C, D = xp.matmul(xp.astype(left, xp.result_type(C.dtype, left.dtype)), C), xp.matmul(left, D)
    return _with_io(sys, B, C, D)


def _modal_join(systems, B, C, D, dt):
    """Diagonal (all Diagonal) or DPLR (block-diagonal low-rank factors) of the modes of
    `systems` in order, with the given input/output fields; None if they do not fit."""
    modal = [s for s in systems if isinstance(s, (Diagonal, DPLR))]
    if len(modal) != len(systems) or len({s.conj_sym for s in systems}) != 1:
        return None
    conj_sym = systems[0].conj_sym
    if conj_sym and _xp.is_complex(systems[0].xp, D.dtype):
        return None
    lam = _cat([s.lam for s in systems], -1, core=1)
    if all(isinstance(s, Diagonal) for s in systems):
        return Diagonal(lam, B, C, D, dt=dt, conj_sym=conj_sym)
    P, Q = _lowrank(systems[0])
    for s in systems[1:]:
        P2, Q2 = _lowrank(s)
        P, Q = _blockdiag(P, P2), _blockdiag(Q, Q2)
    # every field broadcast to the full batch: the generic DPLR routines (Woodbury
    # transfer function) concatenate fields and need equal batch ranks
    xp = systems[0].xp
    fields = {"lam": (lam, 1), "P": (P, 2), "Q": (Q, 2), "B": (B, 2), "C": (C, 2), "D": (D, 2)}
    batch = _checks.broadcast_batch({k: tuple(x.shape[: x.ndim - c]) for k, (x, c) in fields.items()})
    full = {k: xp.broadcast_to(x, batch + tuple(x.shape[x.ndim - c:])) for k, (x, c) in fields.items()}
    return DPLR(**full, dt=dt, conj_sym=conj_sym)


def _lowrank(sys):
    if isinstance(sys, DPLR):
        return sys.P, sys.Q
    z = _zeros(sys.lam, sys.n_modes, 0)
    return z, z


def _modal_io(sys, dtype):
    """(B, C) of the listed modes (structured) cast to `dtype`."""
    xp = sys.xp
    return xp.astype(sys.B, dtype), xp.astype(sys.C, dtype)


def _as_gain_system(name, x, like, like_name):
    k = _gain_array(name, x, like, like_name)
    return _static(k[None, None] if k.ndim == 0 else k, like)


def _fold(systems, dtype, io):
    """Block-diagonal (B, C, D) of the structured `systems`; (None, None, None) if any is dense."""
    ios = [io(s) for s in systems]
    if any(x is None for x in ios):
        return None, None, None
    xp = systems[0].xp
    B, C = ios[0]
    D = xp.astype(systems[0].D, xp.result_type(*(s.D.dtype for s in systems)))
    for (B2, C2), s in zip(ios[1:], systems[1:]):
        B, C, D = _blockdiag(B, B2), _blockdiag(C, C2), _blockdiag(D, s.D)
    return B, C, D


def _close(big, K, E, F, loop, msg, dt):
    """Close the static interconnection ``v = K r + E w``, ``y = F r`` around `big`
    (inputs v, outputs r): :math:`r = (I - D K)^{-1}(C x + D E w)`. `loop` is the pair
    ``(I - X, X)`` whose singularity (to the rounding of X) makes the loop ill-posed."""
    xp = big.xp
    A, B, C, D = big.A, big.B, big.C, big.D
    loop, scale = (_xp.detach(x) for x in loop)
    if _xp.can_read_values(loop) and bool(xp.any(_xp.is_singular(loop, scale=scale))):
        raise ValueError(msg)
    eye = xp.eye(D.shape[-2], dtype=D.dtype, device=_xp.common_device(D))
    X = _xp.solve(eye - xp.matmul(D, K), _cat([C, xp.matmul(D, E)], -1), singular_msg=msg)
    Xc, Xd = X[..., : C.shape[-1]], X[..., C.shape[-1]:]
    BK = xp.matmul(B, K)
    return StateSpace(A + xp.matmul(BK, Xc), xp.matmul(B, E) + xp.matmul(BK, Xd),
                      xp.matmul(F, Xc), xp.matmul(F, Xd), dt=dt)


def _check_sign(sign):
    if isinstance(sign, bool) or not isinstance(sign, numbers.Real):
        msg = f"`sign` must be -1 (negative feedback) or 1 (positive feedback); got {sign!r}"
        raise TypeError(msg)
    if sign not in (-1, 1):
        msg = f"`sign` must be -1 (negative feedback) or 1 (positive feedback); got {sign!r}"
        raise ValueError(msg)
    return float(sign)
