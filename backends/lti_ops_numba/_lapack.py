"""LAPACK called from inside Numba kernels, through SciPy's Cython LAPACK table.

``scipy.linalg.cython_lapack`` exports the addresses of the LAPACK it links. Each routine
is registered with LLVM under a symbol name of ours and called as a
:class:`numba.types.ExternalFunction` of that name, with every argument a pointer (Fortran
convention) to a NumPy buffer: compiled code refers to the routine by name, resolved when
it is loaded, so the kernels that call it can be cached on disk (a ctypes function pointer
would be baked into the code as an address of this process). Nothing is compiled here.
"""

from __future__ import annotations

import llvmlite.binding
import numpy as np
from numba import types
from numba.extending import get_cython_function_address

from ._jit import helper

__all__ = ["GESDD", "singular_values", "singular_values_workspace"]


def _routine(name, n_args):
    """The LAPACK routine `name` as an external function of `n_args` pointer arguments."""
    symbol = f"lti_ops_numba_{name}"
    llvmlite.binding.add_symbol(symbol, get_cython_function_address("scipy.linalg.cython_lapack", name))
    return types.ExternalFunction(symbol, types.void(*([types.voidptr] * n_args)))


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
