"""Arguments of the HiPPO constructors (:mod:`lti_ops.hippo`): namespace and dtype of the
created arrays, measure names, sizes, measure parameters and output vectors, each refused
by name when wrong."""

from __future__ import annotations

import numpy as np

from . import _checks, _xp
from ._measures import ALIASES, MEASURES

__all__ = ["_measure", "_namespace", "_output_c", "_params", "_size", "_to_xp"]


def _namespace(xp, dtype, device):
    """(namespace, dtype) for array creation; NumPy and float64 (float32 where the device
    has no float64, e.g. JAX with x64 off) by default."""
    if xp is None:
        import array_api_compat.numpy as xp
    elif not hasattr(xp, "asarray"):
        msg = f"`xp` must be an array namespace (e.g. numpy, torch); got {xp!r}"
        raise TypeError(msg)
    else:
        xp = _xp.array_namespace(xp.asarray([0.0], device=device))
    if dtype is None:
        dtype = _xp.widest_real(xp, device)
    elif isinstance(dtype, str):
        dtype = getattr(xp, dtype, None)
    if dtype not in (xp.float32, xp.float64):
        msg = f"`dtype` must be float32 or float64 (complex results follow it); got {dtype!r}"
        raise ValueError(msg)
    return xp, _xp.check_available(xp, dtype, device)


def _to_xp(xp, x, dtype, device):
    """NumPy constant `x` as a fresh array of namespace `xp` (a writable copy: torch warns
    about read-only broadcast views)."""
    return xp.asarray(np.array(x), dtype=dtype, device=device)


def _measure(measure):
    name = ALIASES.get(measure, measure) if isinstance(measure, str) else measure
    if not isinstance(name, str) or name not in MEASURES:
        valid = sorted(MEASURES) + sorted(ALIASES)
        msg = f"`measure` must be one of the HiPPO measures {valid}; got {measure!r}"
        raise ValueError(msg)
    return name, MEASURES[name]


def _size(N, spec, name):
    N = _checks.positive_int("N", N)
    if spec.even and N % 2:
        msg = f"measure {name!r} needs an even `N` (states come in pairs); got N={N}"
        raise ValueError(msg)
    return int(N)


def _params(name, spec, params):
    unknown = sorted(set(params) - set(spec.params))
    if unknown:
        msg = (f"`{unknown[0]}` is not a parameter of measure {name!r}, which takes "
               f"{sorted(spec.params) or 'none'}; got {unknown}")
        raise TypeError(msg)
    merged = {**spec.params, **params}
    if "beta" in merged:
        merged["beta"] = _checks.real_number("beta", merged["beta"], minimum=0.0)
    if "alpha" in merged:
        alpha = _checks.real_number("alpha", merged["alpha"])
        if not -1 < alpha < 1:
            msg = f"glagt needs -1 < `alpha` < 1; got alpha={alpha!r}"
            raise ValueError(msg)
        merged["alpha"] = alpha
    return merged


def _output_c(name, spec, N, C):
    if C is None:
        return np.zeros(N)
    if isinstance(C, str):
        if C != "endpoint" or spec.endpoint is None:
            has = sorted(k for k, v in MEASURES.items() if v.endpoint is not None)
            msg = f"C={C!r} is not available for {name!r}; C='endpoint' exists for {has}"
            raise ValueError(msg)
        return spec.endpoint(N)
    C = np.asarray(C)
    if C.shape != (N,) or C.dtype.kind not in "iuf" or not np.all(np.isfinite(C)):
        msg = (
            f"`C` must be None, 'endpoint' or a finite real array of shape ({N},); got "
            f"shape {C.shape}, dtype {C.dtype}"
        )
        raise ValueError(msg)
    return C.astype(np.float64)
