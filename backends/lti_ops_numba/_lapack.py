"""LAPACK called from inside Numba kernels, through SciPy's Cython LAPACK table.

``scipy.linalg.cython_lapack`` exports the addresses of the LAPACK it links; wrapped as
ctypes function types they are callable from nopython code, where every argument is a
pointer (Fortran convention) to a NumPy buffer. Nothing is compiled here: the kernels that
call these functions compile them in.
"""

from __future__ import annotations

import ctypes

import numpy as np
from numba.extending import get_cython_function_address

from ._jit import helper

__all__ = ["GESDD", "singular_values", "singular_values_workspace"]


def _routine(name, n_args):
    address = get_cython_function_address("scipy.linalg.cython_lapack", name)
    return ctypes.CFUNCTYPE(None, *([ctypes.c_void_p] * n_args))(address)


# ?gesdd(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info)
GESDD = {np.dtype(np.float32): _routine("sgesdd", 14), np.dtype(np.float64): _routine("dgesdd", 14)}


def singular_values_workspace(gesdd):
    """A helper ``(n, dtype_like) -> lwork``: the optimal work size of ``gesdd('N')`` on
    n x n matrices (LAPACK's workspace query)."""

    @helper
    def workspace(n, like):
        a, query = np.empty(max(n * n, 1), like.dtype), np.empty(1, like.dtype)
        iwork = np.empty(max(8 * n, 1), np.int32)
        ints = np.array([ord("N"), n, max(n, 1), 1, -1, 0], np.int32)  # jobz, n, lda, ldu, lwork, info
        gesdd(ints[0:].ctypes, ints[1:].ctypes, ints[1:].ctypes, a.ctypes, ints[2:].ctypes, query.ctypes,
              a.ctypes, ints[3:].ctypes, a.ctypes, ints[3:].ctypes, query.ctypes, ints[4:].ctypes,
              iwork.ctypes, ints[5:].ctypes)
        return int(query[0])

    return workspace


def singular_values(gesdd):
    """A helper ``(a, s, work) -> info``: the singular values of the square ``a`` into s,
    descending (``a`` is overwritten; a C-ordered a is A^T to LAPACK, whose singular values
    are the same). info != 0 where LAPACK's bidiagonal QR did not converge."""

    @helper
    def values(a, s, work):
        n = a.shape[0]
        iwork = np.empty(max(8 * n, 1), np.int32)
        ints = np.array([ord("N"), n, max(n, 1), 1, work.shape[0], 0], np.int32)
        gesdd(ints[0:].ctypes, ints[1:].ctypes, ints[1:].ctypes, a.ctypes, ints[2:].ctypes, s.ctypes,
              a.ctypes, ints[3:].ctypes, a.ctypes, ints[3:].ctypes, work.ctypes, ints[4:].ctypes,
              iwork.ctypes, ints[5:].ctypes)
        return ints[5]

    return values
