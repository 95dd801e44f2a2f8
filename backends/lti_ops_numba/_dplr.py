"""The S4 (DPLR) kernel: the truncated generating function at the roots of unity by fused
Cauchy + Woodbury sums, then one inverse FFT (``scipy.fft`` on all cores)."""

from __future__ import annotations

import math
import os

import numpy as np
import scipy.fft

from lti_ops import _cauchy as _ref
from lti_ops import markov
from lti_ops._dispatch import register

from ._cauchy import cauchy_woodbury

__all__ = ["ssm_kernel_dplr"]

WORKERS = os.cpu_count() or 1


@register("ssm_kernel_dplr", "numba")
def ssm_kernel_dplr(xp, disc, L, c_is_tilde):
    """Numba twin of :func:`lti_ops.markov._dplr_kernel` (same arguments and result)."""
    real = markov._output_real(xp, disc)
    n_nodes = L // 2 + 1 if real else L
    ctype = np.result_type(disc.dtype, 1j)
    z = np.exp(1j * np.arange(n_nodes, dtype=ctype.type(0).real.dtype) * (2 * math.pi / L)).astype(ctype)
    lam = np.asarray(disc.lam, dtype=ctype)
    if _near_unit_circle(lam) and _ref.hits(xp, z, lam, disc.conj_sym):
        return markov._dplr_kernel(xp, disc, L, c_is_tilde)  # the reference's fallback or error
    Ct = disc.C if c_is_tilde else markov.c_tilde(disc, L).C
    cast = lambda x: np.asarray(x, dtype=ctype)  # noqa: E731
    G, finite = cauchy_woodbury(cast(Ct), cast(disc.B), lam, cast(disc.P), cast(disc.Q), z, disc.conj_sym, times_z=True)
    if not finite:  # A has an eigenvalue at a root of unity: the reference's exact route
        return markov.singular_fallback(xp, disc, L, c_is_tilde)
    if real:
        return scipy.fft.irfft(G, n=L, axis=-1, workers=WORKERS, overwrite_x=True)
    return scipy.fft.ifft(G, axis=-1, workers=WORKERS, overwrite_x=True)


def _near_unit_circle(lam):
    """Whether any mode could equal a root of unity exactly: |lam| = |z| = 1 up to the
    rounding of exp and abs (a few eps), which skips the reference's O(H N L) exact test
    for every stable system."""
    return bool(np.any(np.abs(np.abs(lam) - 1) <= 16 * np.finfo(lam.real.dtype).eps))
