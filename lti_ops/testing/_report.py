"""Comparison of a user's arrays with the reference, and the messages of a failed check."""

from __future__ import annotations

import numpy as np

from ._assert import to_numpy

__all__ = ["Mismatch", "close", "compare", "factor_hint", "output", "shift_hint"]


class Mismatch(AssertionError):
    """A check failed on one drawn example.

    `detail` is a callable returning more lines (the example, hints); it runs only in
    :meth:`render`, i.e. for the final (shrunk) example, not for every failing example tried
    while shrinking.
    """

    def __init__(self, message, detail=None):
        super().__init__(message)
        self.detail = detail

    def render(self):
        lines = [str(self)] + ([d for d in self.detail() if d] if self.detail else [])
        return "\n".join(lines)


def output(name, value, shape, kind, precision, check_dtype, case):
    """`value` (any namespace) as a NumPy array after checking its shape and dtype.

    `kind` is "real" or "complex"; `precision` the expected real precision.
    """
    if not hasattr(value, "shape") or not hasattr(value, "dtype"):
        raise Mismatch(
            f"{name} returned {type(value).__name__}, not an array; it must return an array "
            f"of shape {shape} on the example", lambda: [case.describe()]
        )
    x = to_numpy(value)
    if x.shape != shape:
        raise Mismatch(
            f"{name} returned an array of shape {x.shape}; it must have shape {shape} on the "
            f"example", lambda: [case.describe()]
        )
    if x.dtype.kind != {"real": "f", "complex": "c"}[kind]:
        hint = {"real": "real floating (2*Re of the sum over the listed modes for conj_sym=True)",
                "complex": "complex (the imaginary part may not be dropped)"}[kind]
        raise Mismatch(f"{name} returned dtype {x.dtype}; it must be {hint}")
    precision_got = np.finfo(x.dtype).dtype.name
    if check_dtype and precision_got != precision:
        want = precision if kind == "real" else ("complex64" if precision == "float32" else "complex128")
        raise Mismatch(
            f"{name} returned dtype {x.dtype} for {precision} parameters; it must keep their "
            f"precision ({want}); pass check_dtype=False to allow it"
        )
    return x.astype(complex if x.dtype.kind == "c" else float)


def compare(label, user, ref, tol, where):
    """Index of the worst violation of ``|user - ref| <= tol`` (None when all pass).

    `tol` broadcasts against `user`; NaN and inf in `user` count as violations.
    """
    err = np.abs(user - ref)
    bad = ~(err <= tol)
    if not bad.any():
        return None
    ratio = np.where(bad, np.nan_to_num(err / tol, nan=np.inf, posinf=np.inf), 0.0)
    idx = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    tol_at = np.broadcast_to(tol, user.shape)[idx]
    return (
        f"max |error| {err[idx]:.3g} > tolerance {tol_at:.3g} in {label} at {where(idx)} "
        f"({label}: user {_num(user[idx])}, lti_ops {_num(ref[idx])}); "
        f"{_count(bad)} of {bad.size} values fail"
    )


def _num(z):
    return f"{z:.6g}" if np.isrealobj(z) else f"{complex(z):.6g}"


def _count(bad):
    return int(np.count_nonzero(bad))


def close(a, b, rel=1e-3):
    """Whether `a` (finite) equals `b` to `rel` in norm."""
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return bool(np.all(np.isfinite(a))) and np.linalg.norm(a - b) <= rel * scale


def factor_hint(user, ref, dt, what="the result"):
    """Hint when, per channel (axis 0), `user` is a fixed multiple of `ref` (or zero)."""
    u2, r2 = user.reshape(user.shape[0], -1), ref.reshape(ref.shape[0], -1)
    denom = np.sum(np.abs(r2) ** 2, axis=1)
    if not np.all(np.isfinite(u2)) or np.any(denom == 0):
        return None
    a = np.sum(np.conj(r2) * u2, axis=1) / denom
    if not close(u2, a[:, None] * r2):
        zero = np.linalg.norm(u2) <= 1e-3 * np.linalg.norm(r2)
        return f"hint: {what} is (nearly) zero" if zero else None
    if np.allclose(a, 1, rtol=1e-3):
        return None
    a = a.real if np.allclose(a.imag, 0, atol=1e-9 * np.abs(a).max()) else a
    text = _named_factor(a, dt)
    if text is None and np.allclose(a, a[0], rtol=1e-3):
        text = f"{_num(a[0])} times lti_ops's"
    if text is None:
        text = f"in each channel a multiple of lti_ops's: {np.array2string(a, precision=4)}"
    return f"hint: {what} is {text}"


def _named_factor(a, dt):
    named = (
        (0.5, "a factor 2 too small: for conj_sym the N listed modes stand for 2N and the "
              "result is 2*Re of their sum"),
        (2.0, "a factor 2 too large: conj_sym already means 2*Re of the sum over the listed modes"),
        (dt, "Δ times lti_ops's in each channel (a factor dt too many?)"),
        (1 / dt, "lti_ops's divided by Δ in each channel (a factor dt missing?)"),
    )
    for value, text in named:
        if np.allclose(a, value, rtol=1e-3, atol=0):
            return text
    return None


def shift_hint(user, ref, delayed, advanced):
    """Hint when `user` is `ref` shifted by one step along the last axis: the shifted
    difference must be far smaller than the unshifted one and than `ref`."""
    if user.shape[-1] < 2 or not np.all(np.isfinite(user)):
        return None
    norm = np.linalg.norm
    unshifted = norm(user - ref)
    errors = {delayed: norm(user[..., 1:] - ref[..., :-1]), advanced: norm(user[..., :-1] - ref[..., 1:])}
    text = min(errors, key=errors.get)
    if errors[text] <= 1e-2 * unshifted and errors[text] <= 1e-3 * norm(ref):
        word = "delayed" if text == delayed else "advanced"
        return f"hint: the user's result is lti_ops's {word} by one step: {text}"
    return None
