"""The S4 (DPLR) kernel on the GPU: the truncated generating function at the roots of unity
by the fused Cauchy + Woodbury kernel (:mod:`lti_ops_cupy._cauchy`, times z in the kernel),
then one inverse FFT (cuFFT through ``cupyx.scipy.fft``, allowed to overwrite the samples).

A mode exactly on a root of unity makes the resolvent singular there (HiPPO FouT's zero
mode, say): the reference's exact test runs on the device too (one boolean read back, the
only synchronisation of the kernel) and its fallback (the dense doubling form) or error
follows.
"""

from __future__ import annotations

import math

from lti_ops import _cauchy as _ref
from lti_ops import _xp, markov
from lti_ops._dispatch import register

from ._cauchy import cauchy_woodbury
from ._fft import fft_module

__all__ = ["ssm_kernel_dplr"]


@register("ssm_kernel_dplr", "cupy")
def ssm_kernel_dplr(xp, disc, L, c_is_tilde):
    """CUDA twin of :func:`lti_ops.markov._dplr_kernel` (same arguments and result)."""
    real = markov._output_real(xp, disc)
    n_nodes = L // 2 + 1 if real else L
    dev = _xp.common_device(disc.lam)
    k = xp.arange(n_nodes, dtype=_xp.real_dtype(xp, disc.dtype), device=dev)
    z = xp.exp(xp.astype(k * (2 * math.pi / L), _xp.complex_dtype(xp, disc.dtype)) * 1j)  # 1/omega_k
    lam = xp.astype(disc.lam, z.dtype)
    if _ref.hits(xp, z, lam, disc.conj_sym):  # one boolean read back: it decides the algorithm
        return markov._dplr_kernel(xp, disc, L, c_is_tilde)  # the reference's fallback or error
    Ct = disc.C if c_is_tilde else markov.c_tilde(disc, L).C
    cast = lambda x: xp.astype(x, z.dtype)  # noqa: E731
    G = cauchy_woodbury(xp, cast(Ct), cast(disc.B), lam, cast(disc.P), cast(disc.Q), z, disc.conj_sym, times_z=True)
    fft = fft_module(xp)
    if real:
        return fft.irfft(G, n=L, axis=-1, overwrite_x=True)
    return fft.ifft(G, axis=-1, overwrite_x=True)
