"""Causal FFT convolution against scipy.fft (tuned), torch.fft, jax.jit, scipy.signal and numpy.fft.

The strongest CPU peer is the ``scipy.fft`` pipeline a careful user writes: real transforms
at ``next_fast_len(2L - 1, real=True)`` on all cores (``workers=-1``), one product, the first
L samples of the inverse. torch and JAX take their own thread pools (their buffers are not
seen by tracemalloc: their peak column reads near zero).
"""

import math

import numpy as np
import scipy.fft
import scipy.signal

import lti_ops
from benchmarks._case import OURS, Case

TUNED = "scipy.fft workers=-1 fast length"


def _scipy_tuned(u, k, L):
    n = scipy.fft.next_fast_len(2 * L - 1, real=True)

    def run():
        U = scipy.fft.rfft(u, n, workers=-1)
        K = scipy.fft.rfft(k, n, workers=-1)
        return scipy.fft.irfft(U * K, n, workers=-1)[..., :L]

    return run


def _torch(u, k, L):
    """torch.fft on CPU tensors sharing the NumPy buffers; None where torch is missing."""
    try:
        import torch
    except ImportError:
        return None
    ut, kt = torch.from_numpy(u), torch.from_numpy(k)
    n = scipy.fft.next_fast_len(2 * L - 1, real=True)
    return lambda: torch.fft.irfft(torch.fft.rfft(ut, n=n) * torch.fft.rfft(kt, n=n), n=n)[..., :L]


def _jax(u, k, L):
    """The same pipeline compiled by jax.jit (float32, CPU); None where JAX is missing."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    n = scipy.fft.next_fast_len(2 * L - 1, real=True)
    conv = jax.jit(lambda u, k: jnp.fft.irfft(jnp.fft.rfft(u, n=n) * jnp.fft.rfft(k, n=n), n=n)[..., :L])
    uj, kj = jax.device_put(u), jax.device_put(k)
    return lambda: conv(uj, kj).block_until_ready()


def _flops(B, H, L):
    """Conventional FFT count (2.5 n log2 n per real transform of length n) of the causal
    convolution: B H forward and inverse transforms, H kernel transforms, B H (n/2 + 1)
    complex products of 6 flops."""
    n = scipy.fft.next_fast_len(2 * L - 1, real=True)
    transform = 2.5 * n * math.log2(n)
    return (2 * B * H + H) * transform + 6 * B * H * (n // 2 + 1)


ROOFLINE = (
    "bounded by arithmetic, not memory: the conventional FFT flop count at the sgemm peak takes "
    "longer than reading u and k and writing y at the triad bandwidth (2.1x longer at L = 4096, "
    "2.4x at L = 16384). FFT butterflies are adds, shuffles and strided loads more than FMAs, so "
    "no FFT reaches a matmul's rate: pocketfft's own transforms of in-cache rows run at about "
    "20 GFLOP/s per core here (about 20 % of an undisturbed sgemm on both cores), and lti_ops "
    "spends most of its time inside them (the product and the copies are one pass over "
    "cache-resident blocks). The roof is sgemm because the `fma_f32` peak (a Numba loop on all "
    "cores) swings between 16 and 235 GFLOP/s from run to run on this shared machine. torch "
    "and JAX allocate outside tracemalloc's view: their peak column is not measured."
)


def causal_case(quick):
    B, H, L = (2, 64, 1024) if quick else (8, 256, 4096)
    rng = np.random.default_rng(0)
    u = rng.standard_normal((B, H, L)).astype(np.float32)
    k = rng.standard_normal((H, L)).astype(np.float32)

    def numpy_2l():
        return np.fft.irfft(np.fft.rfft(u, n=2 * L) * np.fft.rfft(k, n=2 * L), n=2 * L)[..., :L]

    contenders = {
        OURS: lambda: lti_ops.fftconv(u, k),
        TUNED: _scipy_tuned(u, k, L),
        "torch.fft (CPU)": _torch(u, k, L),
        "jax.jit jnp.fft (CPU)": _jax(u, k, L),
        "scipy.signal.fftconvolve": lambda: scipy.signal.fftconvolve(u, k[None], axes=-1)[..., :L],
        "numpy.fft n=2L": numpy_2l,
        "lti_ops kernel='xp'": lambda: lti_ops.fftconv(u, k, kernel="xp"),
    }
    return Case(
        f"causal FFT convolution B={B} H={H} L={L} f32",
        {name: f for name, f in contenders.items() if f is not None},
        bars={TUNED: 1.1, "scipy.signal.fftconvolve": 1.3, "numpy.fft n=2L": 2},
        work=_flops(B, H, L),
        peak="sgemm",
        roofline=ROOFLINE,
    )


def large_case(quick):
    """A result of 512 MiB (16 MiB at the quick size): the peers' whole-batch spectra, about
    3 GiB, and their page faults dominate their time; lti_ops' peak stays near the result."""
    B, H, L = (2, 256, 8192) if quick else (8, 1024, 16384)
    rng = np.random.default_rng(1)
    u = rng.standard_normal((B, H, L), dtype=np.float32)
    k = rng.standard_normal((H, L), dtype=np.float32)
    contenders = {
        OURS: lambda: lti_ops.fftconv(u, k),
        TUNED: _scipy_tuned(u, k, L),
        "torch.fft (CPU)": _torch(u, k, L),
        "jax.jit jnp.fft (CPU)": _jax(u, k, L),
    }
    return Case(
        f"causal FFT convolution B={B} H={H} L={L} f32",
        {name: f for name, f in contenders.items() if f is not None},
        bars={TUNED: 1.1},
        repeat=3,
        work=_flops(B, H, L),
        peak="sgemm",
        roofline=ROOFLINE,
    )


def cases(quick):
    return [causal_case(quick), large_case(quick)]
