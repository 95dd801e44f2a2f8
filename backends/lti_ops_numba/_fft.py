"""FFT convolution on all cores: ``scipy.fft`` with ``workers=`` and in-place products.

No Numba loop beats pocketfft's transforms; what the reference leaves on the table on CPU is
the second core (``numpy.fft`` is single-threaded) and two temporaries. Measured at
B = 8, H = 256, L = 4096 float32 (docs/benchmarks.md), so it is registered as ``fftconv``.
"""

from __future__ import annotations

import os

import numpy as np
import scipy.fft

from lti_ops.fftconv import _empty_result
from lti_ops._dispatch import register

__all__ = ["spectral_product"]

WORKERS = os.cpu_count() or 1


@register("fftconv", "numba")
def spectral_product(xp, u, kernel, n, mimo):
    """Twin of :func:`lti_ops.fftconv._spectral_product` (same arguments and result)."""
    if 0 in tuple(u.shape) + tuple(kernel.shape):
        return _empty_result(xp, u, kernel, n, mimo)
    complex_ = np.iscomplexobj(u)
    forward = scipy.fft.fft if complex_ else scipy.fft.rfft
    inverse = scipy.fft.ifft if complex_ else scipy.fft.irfft
    U = forward(u, n=n, axis=-1, workers=WORKERS)
    K = forward(kernel, n=n, axis=-1, workers=WORKERS)
    if mimo:
        Y = np.sum(K * U[..., None, :, :], axis=-2)  # (..., P, M, F) -> (..., P, F)
    elif U.shape == np.broadcast_shapes(U.shape, K.shape):
        U *= K  # in place: no third spectrum
        Y, K = U, None
    else:
        Y = K * U
    del U, K  # only Y lives on through the inverse transform
    return inverse(Y, n=n, axis=-1, workers=WORKERS, overwrite_x=True)
