"""Causal FFT convolution against scipy.signal.fftconvolve and a numpy.fft pipeline."""

import numpy as np
import scipy.signal

import lti_ops
from benchmarks._case import OURS, Case


def causal_case(quick):
    B, H, L = (2, 64, 1024) if quick else (8, 256, 4096)
    rng = np.random.default_rng(0)
    u = rng.standard_normal((B, H, L)).astype(np.float32)
    k = rng.standard_normal((H, L)).astype(np.float32)

    def numpy_2l():
        return np.fft.irfft(np.fft.rfft(u, n=2 * L) * np.fft.rfft(k, n=2 * L), n=2 * L)[..., :L]

    return Case(
        f"causal FFT convolution B={B} H={H} L={L} f32",
        {
            OURS: lambda: lti_ops.fftconv(u, k),
            "scipy.signal.fftconvolve": lambda: scipy.signal.fftconvolve(u, k[None], axes=-1)[..., :L],
            "numpy.fft n=2L": numpy_2l,
            "lti_ops kernel='xp'": lambda: lti_ops.fftconv(u, k, kernel="xp"),
        },
        bars={"scipy.signal.fftconvolve": 1.3, "numpy.fft n=2L": 2},
    )


def cases(quick):
    return [causal_case(quick)]
