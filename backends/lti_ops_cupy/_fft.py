"""Batched FFT convolution on the GPU: cuFFT transforms and one in-place product.

Registered as ``fftconv`` (the spectral product of :func:`lti_ops.fftconv`, which serves the
causal, full, circular and bidirectional modes). ``cupyx.scipy.fft`` does the transforms
(cuFFT; CuPy caches the plans per shape), the kernel spectrum broadcasts over the batch in the
pass that multiplies it in place into the signal's spectrum, and the inverse transform may
overwrite that buffer: cuFFT's complex-to-real transform destroys its input, so CuPy (and
torch) otherwise copy the whole spectrum first. Two forward transforms, one product, one
inverse, no third spectrum and no copy. Single precision stays single precision. Under the
simulator (NumPy arrays) ``scipy.fft`` takes the same calls.
"""

from __future__ import annotations

import numpy as np

from lti_ops import _xp
from lti_ops._dispatch import register
from lti_ops.fftconv import _empty_result

from ._launch import native

__all__ = ["spectral_product"]


@register("fftconv", "cupy")
def spectral_product(xp, u, kernel, n, n_out, mimo):
    """Twin of :func:`lti_ops.fftconv._spectral_product` (same arguments and result)."""
    if 0 in tuple(u.shape) + tuple(kernel.shape):
        return _empty_result(xp, u, kernel, n_out, mimo)
    fft = fft_module(xp)
    complex_ = _xp.is_complex(xp, u.dtype)
    forward, inverse = (fft.fft, fft.ifft) if complex_ else (fft.rfft, fft.irfft)
    U = forward(u, n=n, axis=-1)
    K = forward(kernel, n=n, axis=-1)
    if mimo:
        Y = (K * U[..., None, :, :]).sum(axis=-2)  # (..., P, M, F) -> (..., P, F)
    elif U.shape == np.broadcast_shapes(U.shape, K.shape):
        U *= K  # in place: no third spectrum
        Y = U
    else:
        Y = K * U
    del U, K
    return inverse(Y, n=n, axis=-1, overwrite_x=True)[..., :n_out]  # Y is ours: no defensive copy


def fft_module(xp):
    """``cupyx.scipy.fft`` for CuPy arrays, ``scipy.fft`` for NumPy ones (both take overwrite_x)."""
    if native(xp) is np:
        import scipy.fft

        return scipy.fft
    import cupyx.scipy.fft

    return cupyx.scipy.fft
