"""Kernels, transfer functions and convolution: lti_ops against the naive NumPy/SciPy forms."""

import numpy as np
import scipy.signal

import lti_ops
from benchmarks._timing import compare


def _vandermonde_case(quick):
    H, N, L = (64, 64, 1024) if quick else (256, 64, 4096)
    ssm = lti_ops.s4d_init("lin", N, H=H, rng=0, dtype="float32")
    dt = lti_ops.init_dt(H, rng=0, dtype="float32")
    x = dt[:, None] * ssm.lam
    w = ssm.C[:, 0, :] * ssm.B[..., 0] * np.expm1(x) / ssm.lam
    l = np.arange(L, dtype=np.float32)
    return f"S4D kernel (zoh, conj_sym) H={H} N={N} L={L} c64", {
        "lti_ops": lambda: lti_ops.ssm_kernel(ssm, L, dt=dt, method="zoh"),
        "numpy broadcast exp(l x)": lambda: 2 * np.real(np.einsum("hn,hnl->hl", w, np.exp(x[..., None] * l))),
    }


def _dplr_case(quick):
    H, N, L = (64, 64, 1024) if quick else (256, 64, 4096)
    ssm = lti_ops.nplr("legs", N, C=np.ones(N))
    dt = np.exp(np.linspace(np.log(1e-3), np.log(1e-1), H))
    disc = lti_ops.discretize(ssm, dt, "s4_bilinear")
    dense = disc.to_dense()
    A, Bm, Cm = (np.broadcast_to(x, (H,) + x.shape[-2:]) for x in (dense.A, dense.B, dense.C))
    return f"DPLR S4 kernel (rank 1) H={H} N={N} L={L}", {
        "lti_ops": lambda: lti_ops.ssm_kernel(disc, L),
        "scipy dimpulse loop (dense)": lambda: [
            scipy.signal.dimpulse((A[h], Bm[h], Cm[h], dense.D, 1.0), n=L + 1) for h in range(H)
        ],
    }


def _fftconv_case(quick):
    B, H, L = (2, 64, 1024) if quick else (8, 256, 4096)
    rng = np.random.default_rng(0)
    u = rng.standard_normal((B, H, L)).astype(np.float32)
    k = rng.standard_normal((H, L)).astype(np.float32)

    def numpy_2l():
        return np.fft.irfft(np.fft.rfft(u, n=2 * L) * np.fft.rfft(k, n=2 * L), n=2 * L)[..., :L]

    return f"causal FFT convolution B={B} H={H} L={L} f32", {
        "lti_ops": lambda: lti_ops.fftconv(u, k),
        "scipy fftconvolve": lambda: scipy.signal.fftconvolve(u, k[None], axes=-1)[..., :L],
        "numpy rfft n=2L": numpy_2l,
    }


def _transfer_case(quick):
    H, N, K = (64, 64, 1024) if quick else (256, 64, 4096)
    ssm = lti_ops.s4d_init("inv", 2 * N, H=H, rng=0)
    z = np.exp(1j * np.linspace(0, np.pi, K))
    lam, b, c = ssm.lam, ssm.B[..., 0], ssm.C[..., 0, :]

    def broadcast():
        v = (c * b)[..., None]
        return np.sum(v / (z - lam[..., None]) + np.conj(v) / (z - np.conj(lam)[..., None]), axis=-2)

    return f"diagonal transfer function H={H} N={N} K={K}", {
        "lti_ops": lambda: lti_ops.transfer_function(ssm, z),
        "numpy broadcast Cauchy": broadcast,
    }


def run(quick=False):
    rows = []
    for make in (_vandermonde_case, _dplr_case, _fftconv_case, _transfer_case):
        name, contenders = make(quick)
        medians = compare(contenders, repeat=3 if quick else 5)
        ours = medians["lti_ops"]
        rows += [(name, peer, t, t / ours) for peer, t in medians.items()]
    return rows
