"""NumPy reference computations used by several test modules."""

import numpy as np
from hypothesis import strategies as st

from lti_ops.testing import strategies as lst
from lti_ops.testing import to_numpy


def systems(kind, xp, dtype="float64", **kw):
    """Strategy of continuous systems of one structure ("dense", "diagonal", "dplr"), stable
    except that a DPLR system is only stable in its diagonal part unless ``stable=True`` is
    passed; the structured ones draw conj_sym too."""
    if kind == "dense":
        return lst.stable_state_spaces(xp=xp, dtype=dtype, **kw)
    if kind == "diagonal":
        return lst.stable_diagonals(xp=xp, dtype=dtype, conj_sym=st.booleans(), **kw)
    return lst.dplr_systems(xp=xp, dtype=dtype, conj_sym=st.booleans(), **kw)


def dense_numpy(sys):
    """(A, B, C, D) of the dense form of `sys` as NumPy arrays."""
    dense = sys.to_dense()
    return tuple(to_numpy(x) for x in (dense.A, dense.B, dense.C, dense.D))


def markov(sys, L):
    """Control-convention Markov parameters h_0 = D, h_k = C A^{k-1} B, shape (..., P, M, L)."""
    A, B, C, D = dense_numpy(sys)
    out, x = [np.broadcast_to(D, np.broadcast_shapes(D.shape, (C @ B).shape))], B
    for _ in range(L - 1):
        out.append(C @ x)
        x = A @ x
    out = np.broadcast_arrays(*out)
    return np.stack(out, axis=-1)


def transfer(sys, points):
    """G(s) = C (sI - A)^{-1} B + D at the 1-D array `points`, shape (..., P, M, K)."""
    A, B, C, D = dense_numpy(sys)
    eye = np.eye(A.shape[-1])
    vals = [C @ np.linalg.solve(s * eye - A, B) + D for s in np.asarray(points)]
    return np.stack(np.broadcast_arrays(*vals), axis=-1)


def checks_values(xp):
    """Whether lti_ops reads array values of namespace `xp` to validate them: on the host yes;
    on a device (CuPy) no, as under tracing (``lti_ops._xp.can_read_values``)."""
    from lti_ops import _xp

    return _xp.can_read_values(xp.asarray([0.0]))


SKIPS_VALUE_CHECKS = "device arrays are not read back to validate values (inf/NaN instead of an error)"


def as_xp(xp, x, dtype=None):
    """NumPy array `x` as an array of namespace `xp` (optionally with dtype named `dtype`)."""
    x = np.asarray(x) if dtype is None else np.asarray(x, dtype=dtype)
    return xp.asarray(x)
