"""Dtype-aware comparison of arrays from any Array-API namespace."""

from __future__ import annotations

import numpy as np

from .. import _checks, _xp

__all__ = ["assert_close", "to_numpy", "tolerance"]


def to_numpy(x):
    """A NumPy copy of array `x` (torch tensors are detached, CuPy arrays copied to host)."""
    if hasattr(x, "detach"):
        x = x.detach().cpu()
    if hasattr(x, "get") and type(x).__module__.startswith("cupy"):
        return x.get()
    if isinstance(x, (np.ndarray, np.generic)):
        return np.asarray(x)
    if not hasattr(x, "__dlpack__"):
        msg = f"`x` must be an array (NumPy, torch, JAX, CuPy or any DLPack array); got {type(x).__name__}"
        raise TypeError(msg)
    return np.from_dlpack(x)


def tolerance(dtype, *, n=1, cond=1.0, c=10.0):
    """Relative tolerance ``c * n * eps * cond`` for results of `dtype`.

    Parameters
    ----------
    dtype : dtype of any namespace, or a NumPy dtype
        The result's dtype; complex dtypes use the eps of their real part.
    n : float, optional
        Size factor (e.g. matrix order or number of accumulated terms).
    cond : float, optional
        Condition number of the computation.
    c : float, optional
        Safety constant.
    """
    factors = [_checks.real_number(name, value, minimum=0.0) for name, value in (("n", n), ("cond", cond), ("c", c))]
    return float(np.prod(factors)) * float(np.finfo(_numpy_dtype(dtype)).eps)


def _numpy_dtype(dtype):
    name = str(dtype).rsplit(".", 1)[-1].removesuffix("'>")
    try:
        result = np.dtype(name)
    except TypeError:
        result = None
    if result is None or result.kind not in "fc":
        msg = f"`dtype` must be a floating or complex dtype of any namespace; got {dtype!r}"
        raise TypeError(msg)
    return result


def assert_close(actual, desired, *, rtol=None, atol=0.0, check_dtype=None, err_msg=""):
    """Assert `actual` equals `desired` within a norm-wise relative tolerance.

    Values pass when ``|actual - desired| <= atol + rtol * max|desired|`` elementwise; the
    default `rtol` is ``4 * sqrt(eps)`` of the actual dtype. Shapes must be equal.

    A NumPy `desired` (array, scalar or anything ``numpy.asarray`` takes) is a reference
    computed independently, often in higher precision: only shape and values are compared.
    Any other array `desired` must also share `actual`'s namespace and dtype. Pass
    ``check_dtype=True`` / ``False`` to force / skip that check.
    """
    rtol = None if rtol is None else _checks.real_number("rtol", rtol, minimum=0.0, strict=False)
    atol = _checks.real_number("atol", atol, minimum=0.0, strict=False)
    is_reference = isinstance(desired, (np.ndarray, np.generic)) or not hasattr(desired, "shape")
    if (not is_reference) if check_dtype is None else check_dtype:
        xa, xd = _xp.array_namespace(actual), _xp.array_namespace(desired)
        assert xa is xd, f"namespaces differ: {xa.__name__} vs {xd.__name__}"
        assert actual.dtype == desired.dtype, f"dtypes differ: {actual.dtype} vs {desired.dtype}"
    a = to_numpy(actual) if hasattr(actual, "shape") else np.asarray(actual)
    d = to_numpy(desired) if hasattr(desired, "shape") else np.asarray(desired)
    assert a.shape == d.shape, f"shapes differ: {a.shape} vs {d.shape}"
    if rtol is None:
        rtol = 4 * float(np.finfo(a.dtype if a.dtype.kind in "fc" else np.float64).eps) ** 0.5
    scale = float(np.max(np.abs(d))) if d.size else 0.0
    err = np.abs(a.astype(np.complex128) - d.astype(np.complex128))
    worst = float(np.max(err)) if err.size else 0.0
    bound = atol + rtol * scale
    assert worst <= bound, (
        f"not close: max abs error {worst:.3g} > {bound:.3g} (rtol={rtol:.3g}, atol={atol:.3g}, "
        f"max|desired|={scale:.3g}) {err_msg}"
    )
